"""Every table, imported in one place so Alembic and tests see the whole schema."""

from podstore.meta import (
    filestore_schema,  # noqa: F401  (registers the Hasura file service's tables)
    keyring_schema,  # noqa: F401  (registers named RSA keys)
    kv_schema,  # noqa: F401  (registers kv and document tables)
    previews_schema,  # noqa: F401  (registers previews of versions)
    published_schema,  # noqa: F401  (registers published links)
    session_schema,  # noqa: F401  (registers account addresses and session state)
    sharing_schema,  # noqa: F401  (registers sharing tables)
    social_schema,  # noqa: F401  (registers events, audit, messages, contacts)
    uploads_schema,  # noqa: F401  (registers upload session tables)
    webdav_schema,  # noqa: F401  (registers app passwords, dead properties, locks)
)
from podstore.meta.schema import metadata

__all__ = ["metadata"]
