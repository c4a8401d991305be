"""Every table, imported in one place so Alembic and tests see the whole schema."""

from podstore.meta import (
    kv_schema,  # noqa: F401  (registers kv and document tables)
    sharing_schema,  # noqa: F401  (registers sharing tables)
    social_schema,  # noqa: F401  (registers events, audit, messages, contacts)
    uploads_schema,  # noqa: F401  (registers upload session tables)
    webdav_schema,  # noqa: F401  (registers app passwords, dead properties, locks)
)
from podstore.meta.schema import metadata

__all__ = ["metadata"]
