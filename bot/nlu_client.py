"""Talking to the Rasa server over HTTP (REST channel and status)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from bot.errors import NLUUnavailable

log = logging.getLogger(__name__)


class RasaClient:
    """Sends one user message through Rasa (and its actions) and returns Rasa's replies."""

    def __init__(self, base_url: str, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=2.0))

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Post to the REST channel; raise NLUUnavailable if Rasa is down, slow or failing."""
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            response = await self._client.post(f"{self.base_url}/webhooks/rest/webhook", json=body)
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise NLUUnavailable(f"Rasa at {self.base_url} did not answer: {exc!r}") from exc
        if not isinstance(replies, list):
            raise NLUUnavailable(f"Rasa at {self.base_url} sent an unexpected reply")
        return replies

    async def parse(self, text: str) -> dict[str, Any]:
        """Intent and confidence only, without running actions (for benches and tests)."""
        try:
            response = await self._client.post(f"{self.base_url}/model/parse", json={"text": text})
            response.raise_for_status()
            return dict(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            raise NLUUnavailable(f"Rasa at {self.base_url} did not answer: {exc!r}") from exc

    async def close(self) -> None:
        await self._client.aclose()
