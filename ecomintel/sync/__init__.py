"""Scheduled syncs: connectors that pull data into a tenant by themselves (issue 13).

    protocol.py       Connector protocol, SyncSource (what is configured), SyncOutcome (what a run did)
    registry.py       connector name → class (one file per connector, one line here)
    http.py           the HTTP client and the retry rule every connector shares (tenacity)
    secrets.py        `env:NAME` / `file:NAME` references → the secret (never stored in the database)
    http_feed.py      a URL returning CSV or JSON, through the ingestion pipeline
    shopify.py        Shopify-style REST (Link-header cursor pagination, rate-limit headers)
    price_tracker.py  competitor product pages → listings + price_history (extract.py, robots.py, hosts.py)
    runner.py         run one source: the run record, metrics, logs, data_version
    schedule.py       "every 6h" / cron expressions; which sources are due
    scheduler.py      `ecomintel scheduler`: rq's CronScheduler fed from the sources table
    local_scheduler.py the in-process scheduler thread used without Redis (`make run`)
"""
