"""Account addresses and per-session state.

`account_addresses`: the Ethereum address each account's mnemonic derives (what FairOS names a
user by), filled at signup and, for accounts made before, at their next login.
`session_state`: small JSON values a protocol keeps for one login session (FairOS's open pods
and KV iterators), in the database so that every node sees them; they go with the session.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, String, Table

from podstore.meta.schema import Id, metadata

account_addresses = Table(
    "account_addresses",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("address", String(42), nullable=False, index=True),  # a mnemonic may serve two
)

session_state = Table(
    "session_state",
    metadata,
    Column(
        "session_id", String(32), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("key", String(255), primary_key=True),
    Column("value", JSON, nullable=False),
    Column("updated_at", Float, nullable=False),
)
