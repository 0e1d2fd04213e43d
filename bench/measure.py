"""Small measuring helpers shared by the bench scripts."""

from __future__ import annotations

import socket
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rss_mb(pid: int | str = "self", children: bool = False) -> float:
    """Resident memory of a process (and its direct children), in MB."""
    pids = [str(pid)]
    listing = Path(f"/proc/{pid}/task/{pid}/children")
    if children and listing.exists():
        pids += listing.read_text().split()
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024
