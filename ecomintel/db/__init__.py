"""Database layer: table definitions, engine/migrations, and the tenant-scoped Repository."""
