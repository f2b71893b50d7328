"""Data quality: the checks (checks.py), issues and scores (issues.py), the run over a tenant (run.py) and the
quality gate on answers (ecomintel/ask/quality_gate.py reads `gate_facts`)."""
