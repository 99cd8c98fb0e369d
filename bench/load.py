"""Driving a server with wrk and reading what it reports."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from typing import Any

CONNECTIONS = 32
THREADS = 2
DURATION_S = 10
# Longer than any answer should take, so a slow answer is measured rather than dropped.
TIMEOUT_S = 10
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rate: float                      # requests per second, as wrk reports it
    p50_ms: float
    p99_ms: float
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # what another load generator adds
    command: str = ""
    output: str = ""

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNIT_MS[unit]


def parse(output: str) -> dict[str, Any]:
    """The numbers of a `wrk --latency` report."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.M))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests": int(done.group(1)),
        "seconds": _ms(done.group(2) + done.group(3)) / 1000,
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _ms(percentiles["50"]),
        "p99_ms": _ms(percentiles["99"]),
        "non_2xx_3xx": int(non_ok.group(1)) if non_ok else 0,
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, socket.groups())))
        if socket else {},
    }


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: `apt-get install -y wrk` (make bench does this)")
    return found


def wrk(url: str, *, duration_s: int = DURATION_S, connections: int = CONNECTIONS, threads: int = THREADS,
        headers: tuple[str, ...] = (), method: str = "GET", form: str = "") -> WrkResult:
    """Run wrk against `url` for `duration_s` seconds (it stops itself; the timeout here is a backstop).
    A POST sends `form`, url-encoded, with every request."""
    args = [wrk_path(), "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{duration_s}s",
            "--timeout", f"{TIMEOUT_S}s"]
    for header in headers:
        args += ["-H", header]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if method != "GET":
            script.write(f'wrk.method = "{method}"\nwrk.body = "{form}"\n'
                         'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n')
            script.flush()
            args += ["-s", script.name]
        args.append(url)
        finished = subprocess.run(args, capture_output=True, text=True, timeout=duration_s + TIMEOUT_S + 60,
                                  check=True)
    shown = shlex.join(["wrk", *(a if not a.startswith(("Cookie:", "/tmp/")) else
                                 "Cookie: session=..." if a.startswith("Cookie:") else "post.lua" for a in args[1:])])
    shown = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:$PORT", shown)
    return WrkResult(**parse(finished.stdout), command=shown, output=finished.stdout)
