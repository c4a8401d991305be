"""resumable upload sessions and their chunks

Revision ID: 0003up
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003up"
down_revision = "0001"
branch_labels = None
depends_on = None

Big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "upload_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("pod_id", sa.String(length=36), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", Big, nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("tus_metadata", sa.Text(), nullable=True),
        sa.Column("received", Big, server_default="0", nullable=False),
        sa.Column("tail_id", sa.String(length=64), nullable=True),
        sa.Column("tail_size", Big, server_default="0", nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pod_id"], ["pods.id"], name=op.f("fk_upload_sessions_pod_id_pods"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_upload_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_sessions")),
    )
    with op.batch_alter_table("upload_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_upload_sessions_expires", ["expires_at"], unique=False)
        batch_op.create_index("ix_upload_sessions_user", ["user_id", "state"], unique=False)

    op.create_table(
        "upload_chunks",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("idx", sa.Integer(), nullable=False),
        sa.Column("offset", Big, nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("plain_hash", sa.LargeBinary(), nullable=False),
        sa.Column("chunk_id", sa.String(length=64), nullable=False),
        sa.Column("stored_size", Big, server_default="0", nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["upload_sessions.id"],
            name=op.f("fk_upload_chunks_session_id_upload_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "idx", name=op.f("pk_upload_chunks")),
    )
    with op.batch_alter_table("upload_chunks", schema=None) as batch_op:
        batch_op.create_index("ix_upload_chunks_chunk", ["chunk_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("upload_chunks", schema=None) as batch_op:
        batch_op.drop_index("ix_upload_chunks_chunk")
    op.drop_table("upload_chunks")
    with op.batch_alter_table("upload_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_upload_sessions_user")
        batch_op.drop_index("ix_upload_sessions_expires")
    op.drop_table("upload_sessions")
