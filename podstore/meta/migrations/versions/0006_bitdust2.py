"""bitdust2: keys that open a folder (rsa_keys.node_id, grant_id), catalog reservations

Revision ID: 0006bitdust2
Revises: 0006bitdust
"""

import sqlalchemy as sa
from alembic import op

revision = "0006bitdust2"
down_revision = "0006bitdust"
branch_labels = None
depends_on = "0004sh"  # grants


def upgrade() -> None:
    with op.batch_alter_table("rsa_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("node_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("grant_id", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_rsa_keys_node_id_nodes"),
            "nodes",
            ["node_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_rsa_keys_grant_id_grants"),
            "grants",
            ["grant_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "catalog_reservations",
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("pod_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pod_id"],
            ["pods.id"],
            name=op.f("fk_catalog_reservations_pod_id_pods"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_catalog_reservations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "scope", "path", name=op.f("pk_catalog_reservations")),
    )


def downgrade() -> None:
    op.drop_table("catalog_reservations")
    with op.batch_alter_table("rsa_keys", schema=None) as batch_op:
        batch_op.drop_constraint("fk_rsa_keys_grant_id_grants", type_="foreignkey")
        batch_op.drop_constraint("fk_rsa_keys_node_id_nodes", type_="foreignkey")
        batch_op.drop_column("grant_id")
        batch_op.drop_column("node_id")
