"""Every table, imported in one place so Alembic and tests see the whole schema."""

from podstore.meta.schema import metadata

__all__ = ["metadata"]
