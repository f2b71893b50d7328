"""Trained and evaluated models, and the registry that versions them (issue 9; forecasts in issue 10).

- registry.py      versions with params, training-data fingerprint, held-out metrics, artifact, active flag
- drift.py         does new data still look like a version's training reference (PSI, vocabulary coverage)
- sentiment/       the review sentiment models behind one protocol, their training and evaluation
"""
