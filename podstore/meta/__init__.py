"""Metadata store: SQLAlchemy Core tables, Alembic migrations, SQLite or PostgreSQL."""
