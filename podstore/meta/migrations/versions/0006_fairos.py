"""fairos: account addresses, per-session state

Revision ID: 0006fairos
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006fairos"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_addresses",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_addresses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_account_addresses")),
    )
    with op.batch_alter_table("account_addresses", schema=None) as batch_op:
        batch_op.create_index("ix_account_addresses_address", ["address"], unique=False)
    op.create_table(
        "session_state",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_state_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "key", name=op.f("pk_session_state")),
    )


def downgrade() -> None:
    op.drop_table("session_state")
    op.drop_table("account_addresses")
