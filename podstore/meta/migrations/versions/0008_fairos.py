"""fairos: document collections that refuse single puts once created (FairOS `mutable: false`)

Revision ID: 0008fairos
Revises: 0007fairos (and needs 0002kv)
"""

import sqlalchemy as sa
from alembic import op

revision = "0008fairos"
down_revision = "0007fairos"
branch_labels = None
depends_on = "0002kv"


def upgrade() -> None:
    with op.batch_alter_table("doc_collections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("immutable", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("doc_collections", schema=None) as batch_op:
        batch_op.drop_column("immutable")
