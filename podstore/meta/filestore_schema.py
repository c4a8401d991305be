"""Tables of the Hasura-style file service (`core/filestore/`).

File ids are global: `filestore_files` maps each to the node holding it, in its uploader's
filestore pod. `filestore_pods` holds each such pod's secrets sealed under the service key
(with the key's hash, so a wrong key is refused before anything is opened). Hasura numbers
its users: `filestore_users` gives each account that uses the service a number from 1.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Integer, LargeBinary, String, Table

from podstore.meta.schema import Id, metadata

filestore_users = Table(
    "filestore_users",
    metadata,
    Column("number", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True),
)

filestore_pods = Table(
    "filestore_pods",
    metadata,
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("sealed_key", LargeBinary, nullable=False),
    Column("key_hash", LargeBinary, nullable=False),
)

filestore_files = Table(
    "filestore_files",
    metadata,
    Column("file_id", String(128), primary_key=True),
    Column("node_id", Id, ForeignKey("nodes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("user_role", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
)
