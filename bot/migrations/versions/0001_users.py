"""users: chat id, language, consent

Revision ID: 0001_users
Revises:
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = "0001_users"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("language_chosen", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("consent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("pending", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_users_chat_id", "users", ["chat_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_users_chat_id", table_name="users")
    op.drop_table("users")
