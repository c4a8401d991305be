"""published links (AntOS's shared files)

Revision ID: 0006antos
Revises: 0004sh
"""

import sqlalchemy as sa
from alembic import op

revision = "0006antos"
down_revision = "0004sh"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_links",
        sa.Column("link_id", sa.String(length=16), nullable=False),
        sa.Column("node_id", sa.String(length=36), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["links.id"],
            name=op.f("fk_published_links_link_id_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_published_links_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("link_id", name=op.f("pk_published_links")),
    )
    with op.batch_alter_table("published_links", schema=None) as batch_op:
        batch_op.create_index("ix_published_links_node", ["node_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("published_links", schema=None) as batch_op:
        batch_op.drop_index("ix_published_links_node")
    op.drop_table("published_links")
