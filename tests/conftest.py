"""Shared fixtures: settings on a temporary database, the real servers for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.content import Catalogue, ContentStore, load_catalogue
from bot.db import make_engine, upgrade
from bot.i18n import Catalogs
from bot.settings import PROJECT_ROOT, Settings

ROOT = PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(ROOT / "content" / "topics.yml")


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs(ROOT / "locales")


@pytest.fixture(scope="session")
def store(catalogue: Catalogue) -> ContentStore:
    return ContentStore(ROOT / "content", catalogue)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database: SQLite in tmp_path, or a new schema on TEST_DATABASE_URL (PostgreSQL)."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'orient.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in server else "?"
    yield f"{server}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def e2e_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Servers on their own ports, serving a copy of content/ that tests may edit."""
    model = ROOT / "models" / "orient.tar.gz"
    if not model.exists():
        pytest.fail("no trained model: run 'make model' (make test does it)")
    root = tmp_path_factory.mktemp("orient")
    for folder in ("content", "locales"):
        shutil.copytree(ROOT / folder, root / folder)
    return replace(Settings.from_env({}), root=root, model_path=model,
                   rasa_bin=ROOT / ".venv-rasa" / "bin" / "rasa",
                   rasa_url=f"http://127.0.0.1:{free_port()}", action_port=free_port(), rasa_timeout=20.0)


@pytest.fixture(scope="session")
def servers(e2e_settings: Settings) -> Iterator[Settings]:
    """Real Rasa and real action server for the whole session."""
    from bot.servers import running_servers

    with running_servers(e2e_settings):
        yield e2e_settings
