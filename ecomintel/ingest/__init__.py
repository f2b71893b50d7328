"""Ingestion: files (CSV, CSV.GZ, TSV, XLSX) → validated, deduplicated, tenant-scoped rows with lineage.

Entry points: `pipeline.ingest_file`, `pipeline.preview_file`, `fields.FIELDS`, `export.to_safe_csv`.
"""
