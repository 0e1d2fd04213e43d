"""One typed settings object, built once from the environment by the composition root."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from bot.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("ar", "fr", "en")


class Secret:
    """A secret value that never shows itself in logs, reprs or tracebacks."""

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    """Everything Orient reads from its environment."""

    root: Path = PROJECT_ROOT
    database_url: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    action_port: int = 5055
    rasa_timeout: float = 10.0
    model_path: Path = PROJECT_ROOT / "models" / "orient.tar.gz"
    rasa_bin: Path = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"
    telegram_token: Secret = field(default_factory=lambda: Secret(""))
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str = ""  # set: webhook mode; empty: long polling
    telegram_webhook_port: int = 8443
    telegram_webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    allow_groups: bool = False  # answer in group chats too (private chats only by default)
    flood_limit: int = 20  # messages per user per 10 seconds before the bot asks to slow down
    default_language: str = "ar"
    timezone: str = "Africa/Casablanca"
    reminder_grace: dt.timedelta = dt.timedelta(hours=6)  # late reminders older than this are skipped
    admin_ids: frozenset[int] = frozenset()  # Telegram user ids allowed to /broadcast
    broadcast_rate: float = 30.0  # alerts per second overall (Telegram allows about 30)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def nlu_dir(self) -> Path:
        return self.root / "nlu"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def var_dir(self) -> Path:
        return self.root / "var"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}/webhook"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read and validate the ORIENT_*/TELEGRAM_*/DATABASE_URL variables."""
        env = os.environ if env is None else env
        root = Path(env.get("ORIENT_ROOT", str(PROJECT_ROOT)))
        default_db = f"sqlite:///{root / 'var' / 'orient.db'}"
        language = env.get("ORIENT_DEFAULT_LANGUAGE", "ar")
        if language not in LANGUAGES:
            raise ConfigError(
                f"ORIENT_DEFAULT_LANGUAGE={language!r} is not supported; use one of {', '.join(LANGUAGES)}."
            )
        return cls(
            root=root,
            database_url=env.get("DATABASE_URL", default_db),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            action_port=_int(env, "ACTION_PORT", 5055),
            rasa_timeout=_float(env, "RASA_TIMEOUT", 10.0),
            model_path=Path(env.get("ORIENT_MODEL", str(root / "models" / "orient.tar.gz"))),
            rasa_bin=Path(env.get("RASA_BIN", str(root / ".venv-rasa" / "bin" / "rasa"))),
            telegram_token=Secret(env.get("TELEGRAM_BOT_TOKEN", "")),
            telegram_base_url=env.get("TELEGRAM_BASE_URL", "https://api.telegram.org/bot"),
            telegram_webhook_url=env.get("TELEGRAM_WEBHOOK_URL", ""),
            telegram_webhook_port=_int(env, "TELEGRAM_WEBHOOK_PORT", 8443),
            telegram_webhook_secret=Secret(env.get("TELEGRAM_WEBHOOK_SECRET", "")),
            allow_groups=env.get("ORIENT_ALLOW_GROUPS", "").lower() in ("1", "true", "yes"),
            flood_limit=_int(env, "ORIENT_FLOOD_LIMIT", 20),
            default_language=language,
            timezone=env.get("ORIENT_TIMEZONE", "Africa/Casablanca"),
            reminder_grace=dt.timedelta(hours=_float(env, "ORIENT_REMINDER_GRACE_HOURS", 6.0)),
            admin_ids=_ids(env.get("ORIENT_ADMIN_IDS", "")),
            broadcast_rate=_float(env, "ORIENT_BROADCAST_RATE", 30.0),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be a whole number.") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} must be a number of seconds.") from None


def _ids(raw: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError(f"ORIENT_ADMIN_IDS={raw!r} must be Telegram user ids separated by commas.") from None
