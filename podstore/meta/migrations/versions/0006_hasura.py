"""hasura: the file service's users, pods and global file ids

Revision ID: 0006hasura
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006hasura"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.String(length=36)


def upgrade() -> None:
    op.create_table(
        "filestore_users",
        sa.Column("number", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_filestore_users_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_filestore_users")),
        sa.UniqueConstraint("user_id", name=op.f("uq_filestore_users_user_id")),
    )
    op.create_table(
        "filestore_pods",
        sa.Column("pod_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("sealed_key", sa.LargeBinary(), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pod_id"], ["pods.id"], name=op.f("fk_filestore_pods_pod_id_pods"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_filestore_pods_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pod_id", name=op.f("pk_filestore_pods")),
        sa.UniqueConstraint("user_id", name=op.f("uq_filestore_pods_user_id")),
    )
    op.create_table(
        "filestore_files",
        sa.Column("file_id", sa.String(length=128), nullable=False),
        sa.Column("node_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("user_role", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["nodes.id"],
            name=op.f("fk_filestore_files_node_id_nodes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_filestore_files_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_filestore_files")),
    )
    op.create_index(
        op.f("ix_filestore_files_node_id"), "filestore_files", ["node_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_filestore_files_node_id"), table_name="filestore_files")
    op.drop_table("filestore_files")
    op.drop_table("filestore_pods")
    op.drop_table("filestore_users")
