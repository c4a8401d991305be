"""fairos: a mode on each node (FairOS's chmod), null until one is set

Revision ID: 0007fairos
Revises: 0006fairos
"""

import sqlalchemy as sa
from alembic import op

revision = "0007fairos"
down_revision = "0006fairos"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mode", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.drop_column("mode")
