"""End-to-end fixtures: an assistant wired like production, on the real servers."""

from __future__ import annotations

from typing import AsyncIterator

import pytest

from bot.cli import build_assistant
from bot.conversation import Assistant
from bot.settings import Settings

pytestmark = pytest.mark.e2e


@pytest.fixture
async def assistant(servers: Settings, database_url: str) -> AsyncIterator[Assistant]:
    assistant, rasa = build_assistant(servers, database_url)
    yield assistant
    await rasa.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
