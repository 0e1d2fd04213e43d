"""unanswered messages for staff; users.language_asked, source, active

Revision ID: 0002_unanswered
Revises: 0001_users
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_unanswered"
down_revision = "0001_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language_asked", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("source", sa.String(64), nullable=True))
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "unanswered",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.String(1000), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("suggested", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_unanswered_created_at", "unanswered", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_unanswered_created_at", table_name="unanswered")
    op.drop_table("unanswered")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("active")
        batch.drop_column("source")
        batch.drop_column("language_asked")
