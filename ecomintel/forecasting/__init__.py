"""Demand forecasting: a portfolio of forecasters behind one protocol, chosen per series by backtest.

Modules, one concept each: `calendar` (the days the shop trades, learned from its own sales), `protocol`
(the Forecaster protocol and the name → forecaster table), `local_models` (statsforecast), `prophet_model`,
`global_model` (mlforecast + LightGBM across all series), `backtest` (rolling-origin errors, selection and
conformal intervals), `portfolio` (the default forecaster: backtest, choose, forecast), `metrics`,
`seasonality`, `inventory` (stockout risk and reorder advice) and `aggregate` (weekly grain).
Nothing here touches the database: the agent and the job read series through the repository and hand
frames in, so the bench runs the same code on the full public data.
"""
