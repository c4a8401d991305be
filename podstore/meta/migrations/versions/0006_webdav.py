"""webdav: app passwords, dead properties, locks

Revision ID: 0006webdav
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006webdav"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.String(length=36)


def upgrade() -> None:
    op.create_table(
        "app_passwords",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("last_used_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_app_passwords_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_passwords")),
    )
    op.create_index("ix_app_passwords_user_id", "app_passwords", ["user_id"])
    op.create_table(
        "dav_properties",
        sa.Column("node_id", Id, nullable=False),
        sa.Column("namespace", sa.String(length=1024), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_dav_properties_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("node_id", "namespace", "name", name=op.f("pk_dav_properties")),
    )
    op.create_table(
        "dav_locks",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("pod_id", Id, nullable=False),
        sa.Column("node_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("exclusive", sa.String(length=1), nullable=False),
        sa.Column("infinite", sa.String(length=1), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("timeout", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pod_id"], ["pods.id"], name=op.f("fk_dav_locks_pod_id_pods"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["node_id"], ["nodes.id"], name=op.f("fk_dav_locks_node_id_nodes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dav_locks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_dav_locks")),
    )
    op.create_index("ix_dav_locks_pod", "dav_locks", ["pod_id", "expires_at"])
    op.create_index("ix_dav_locks_node", "dav_locks", ["node_id"])


def downgrade() -> None:
    op.drop_table("dav_locks")
    op.drop_table("dav_properties")
    op.drop_index("ix_app_passwords_user_id", "app_passwords")
    op.drop_table("app_passwords")
