"""Users in the database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from bot.db import UserStore, upgrade

pytestmark = pytest.mark.db


def test_migrations_create_the_schema_and_are_idempotent(engine: Engine) -> None:
    upgrade(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("users")}
    assert {"chat_id", "language", "language_chosen", "consent", "created_at"} <= columns


def test_a_user_is_created_once_and_remembers_language(engine: Engine) -> None:
    users = UserStore(engine)
    first = users.get_or_create(123456789012)  # Telegram ids exceed 32 bits
    users.update(123456789012, language="fr", language_chosen=True)
    again = users.get_or_create(123456789012)
    assert again.id == first.id
    assert (again.language, again.language_chosen) == ("fr", True)


def test_a_user_can_delete_everything(engine: Engine) -> None:
    users = UserStore(engine)
    users.update(42, language="ar", consent=True)
    assert users.delete(42) is True
    assert users.delete(42) is False
    fresh = users.get_or_create(42)
    assert (fresh.language, fresh.consent) == (None, False)
