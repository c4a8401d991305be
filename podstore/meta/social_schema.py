"""Tables of the social side: per-user event streams, the audit log, messages and contacts.

Events carry a per-user sequence taken from `event_counters` inside the writing transaction,
so one user's events commit in sequence order. Audit rows have no foreign key to `users`:
the record of an account's deletion outlives the account.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from podstore.meta.schema import Big, Id, metadata

event_counters = Table(
    "event_counters",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("last_seq", Big, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Big, primary_key=True, autoincrement=False),
    Column("kind", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    Column("at", Float, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Big, primary_key=True, autoincrement=True),
    Column("user_id", Id, nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("address", String(255)),
    Column("at", Float, nullable=False),
    Index("ix_audit_log_user", "user_id", "id"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Big, primary_key=True, autoincrement=True),
    Column("sender_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # exactly one of recipient_id (a direct message) and group_id (a group message)
    Column("recipient_id", Id, ForeignKey("users.id", ondelete="CASCADE")),
    Column("group_id", Id),  # groups live in the sharing branch of the schema: no FK here
    Column("text", Text, nullable=False),
    Column("sent_at", Float, nullable=False),
    Index("ix_messages_pair", "sender_id", "recipient_id", "id"),
    Index("ix_messages_recipient", "recipient_id", "id"),
    Index("ix_messages_group", "group_id", "id"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("owner_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("alias", String(64)),
    Column("added_at", Float, nullable=False),
    UniqueConstraint("owner_id", "alias"),
)
