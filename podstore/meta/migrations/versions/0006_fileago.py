"""accounts: e-mail addresses, the administrator role, purposes of sessions

Revision ID: 0006fileago
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006fileago"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMNs: no table rebuild, so no cascade can touch the rows referring to them
    op.add_column("users", sa.Column("email", sa.String(length=254), nullable=True))
    op.add_column(
        "users",
        sa.Column("is_admin", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.create_index("uq_users_email", "users", ["email"], unique=True)
    op.add_column(
        "sessions",
        sa.Column("purpose", sa.String(length=64), server_default="login", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("purpose")
    op.drop_index("uq_users_email", table_name="users")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_admin")
        batch_op.drop_column("email")
