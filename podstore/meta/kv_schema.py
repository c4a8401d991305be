"""Tables of key-value tables and document collections, per pod.

KV entries are keyed by `key_sort`, an order-preserving byte encoding of the key (UTF-8 for
string and bytes tables, a sortable encoding of the float for number tables), so a range
scan is one index range on both databases. `key` keeps the key's text.

Documents keep their body as JSON (JSON1 text on SQLite, JSONB on PostgreSQL). Every value of
a declared index field is also written to `doc_index` as a string (`s`) or a number (`n`), with
composite indexes that answer equality and ranges without touching the bodies.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

from podstore.meta.schema import Id, metadata

# byte order on both databases: SQLite's BINARY collation, PostgreSQL's "C"
OrderedText = Text().with_variant(Text(collation="C"), "postgresql")
OrderedKey = String(1024).with_variant(String(1024, collation="C"), "postgresql")
Json = JSON().with_variant(JSONB(), "postgresql")

kv_tables = Table(
    "kv_tables",
    metadata,
    Column("id", Id, primary_key=True),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("index_type", String(8), nullable=False),
    Column("columns", JSON),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("pod_id", "name"),
)

kv_entries = Table(
    "kv_entries",
    metadata,
    Column("table_id", Id, ForeignKey("kv_tables.id", ondelete="CASCADE"), primary_key=True),
    Column("key_sort", LargeBinary, primary_key=True),
    Column("key", Text, nullable=False),
    Column("value", LargeBinary, nullable=False),
)

doc_collections = Table(
    "doc_collections",
    metadata,
    Column("id", Id, primary_key=True),
    Column("pod_id", Id, ForeignKey("pods.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("indexes", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("immutable", Boolean),  # documents only loaded in bulk; null: false
    UniqueConstraint("pod_id", "name"),
)

documents = Table(
    "documents",
    metadata,
    Column(
        "collection_id",
        Id,
        ForeignKey("doc_collections.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("id", OrderedKey, primary_key=True),
    Column("body", Json, nullable=False),
)

doc_index = Table(
    "doc_index",
    metadata,
    Column(
        "collection_id",
        Id,
        ForeignKey("doc_collections.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("field", String(255), nullable=False),
    Column("doc_id", OrderedKey, nullable=False),
    Column("s", OrderedText),
    Column("n", Float),
    Index("ix_doc_index_value", "collection_id", "field", "s", "n", "doc_id"),
    Index("ix_doc_index_doc", "collection_id", "doc_id", "field"),
)
