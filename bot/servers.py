"""Starting, checking and stopping the Rasa server and the action server.

Commands that need them (`orient chat`, `orient ask`, `orient serve`) use
servers that already answer, or start their own and stop exactly what they
started.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

import httpx

from bot.errors import ServerStartError
from bot.settings import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

RASA_START_TIMEOUT = 240.0  # TensorFlow's import alone takes most of a minute on 2 cores
ACTIONS_START_TIMEOUT = 60.0


def rasa_ready(url: str) -> bool:
    """True when Rasa answers /status with a loaded model."""
    try:
        response = httpx.get(f"{url}/status", timeout=2.0)
        return response.status_code == 200 and bool(response.json().get("model_file"))
    except (httpx.HTTPError, ValueError):
        return False


def actions_ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Servers:
    """The processes we started (possibly none), stopped together."""

    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def stop(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                log.info("stopping %s (pid %s)", name, process.pid)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()


def start_actions(settings: Settings, log_dir: Path) -> subprocess.Popen[bytes]:
    """The rasa-sdk action server, in this (the app's) environment so actions import our code."""
    env = dict(os.environ, ORIENT_ROOT=str(settings.root))
    command = [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)]
    return _spawn(command, log_dir / "actions.log", settings.root, env)


def start_rasa(settings: Settings, log_dir: Path) -> subprocess.Popen[bytes]:
    """`rasa run` from .venv-rasa with the trained model and our action endpoint."""
    if not settings.rasa_bin.exists():
        raise ServerStartError(f"{settings.rasa_bin} not found; run 'make setup' to build the Rasa environment.")
    if not settings.model_path.exists():
        raise ServerStartError(f"no trained model at {settings.model_path}; run 'make model' to train it.")
    endpoints = log_dir / "endpoints.yml"
    endpoints.write_text(f"action_endpoint:\n  url: \"{settings.action_url}\"\n", encoding="utf-8")
    port = urlparse(settings.rasa_url).port or 5005
    command = [str(settings.rasa_bin), "run", "--enable-api", "--model", str(settings.model_path),
               "--endpoints", str(endpoints), "--port", str(port), "-i", "127.0.0.1"]
    # PYTHONPATH: Rasa imports our pipeline components (orient_nlu) from the project.
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", SQLALCHEMY_SILENCE_UBER_WARNING="1",
               PYTHONPATH=str(PROJECT_ROOT))
    env.pop("DATABASE_URL", None)  # ours, not Rasa's tracker store
    return _spawn(command, log_dir / "rasa.log", settings.root, env)


def _spawn(command: list[str], log_file: Path, cwd: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handle = log_file.open("ab")
    # A process group of its own, so stopping it stops its children too.
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait(name: str, ready: "callable[[], bool]", process: subprocess.Popen[bytes],  # type: ignore[valid-type]
          timeout: float, log_file: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if process.poll() is not None:
            raise ServerStartError(f"{name} exited with code {process.returncode}; see {log_file}")
        time.sleep(0.5)
    raise ServerStartError(f"{name} did not become ready within {timeout:.0f} s; see {log_file}")


@contextlib.contextmanager
def running_servers(settings: Settings, announce: bool = False) -> Iterator[Servers]:
    """Use the servers that answer, start the missing ones, stop those we started on exit."""
    servers = Servers()
    log_dir = settings.var_dir / "logs"
    try:
        if not actions_ready(settings.action_port):
            _say(announce, "Starting the action server...")
            process = start_actions(settings, log_dir)
            servers.processes.append(("action server", process))
            _wait("the action server", lambda: actions_ready(settings.action_port), process,
                  ACTIONS_START_TIMEOUT, log_dir / "actions.log")
        if not rasa_ready(settings.rasa_url):
            _say(announce, "Starting Rasa (about a minute)...")
            process = start_rasa(settings, log_dir)
            servers.processes.append(("rasa", process))
            _wait("Rasa", lambda: rasa_ready(settings.rasa_url), process, RASA_START_TIMEOUT,
                  log_dir / "rasa.log")
        yield servers
    finally:
        servers.stop()


def _say(announce: bool, text: str) -> None:
    if announce:
        print(text, file=sys.stderr, flush=True)
