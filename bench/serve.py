"""Serving an app under gunicorn for a measurement, on 127.0.0.1 only, and always stopping it.

Every app in a run (the survey and the bare Flask ceiling) is started with the same command line,
so their throughputs can be compared.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

# One synchronous worker per core, as the README's deployment runs: on two cores more workers
# made every request cost more CPU (docs/benchmarks.md records the comparison).
WORKER_ARGS: tuple[str, ...] = ("--workers", "2", "--worker-class", "sync")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def command(app_spec: str, port: int, worker_args: tuple[str, ...] = WORKER_ARGS) -> list[str]:
    """The gunicorn command line, as printed in the report."""
    return [str(BIN / "gunicorn"), "--bind", f"{HOST}:{port}", *worker_args, app_spec]


def _answers(port: int, path: str) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    command: list[str]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers (user + system). Unlike
        throughput, CPU time per request hardly changes when other programs share the machine."""
        return group_cpu_seconds(self.process.pid)


def group_peak_rss_mb(group: int) -> float:
    """The largest peak resident size (VmHWM) among the group's processes, in MB."""
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            if int(Path(status.parent, "stat").read_text().rsplit(")", 1)[1].split()[2]) != group:
                continue
        except (OSError, IndexError, ValueError):
            continue
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak / 1024


def group_cpu_seconds(group: int) -> float:
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def gunicorn(app_spec: str, env: Mapping[str, str], ready_path: str, log: Path,
             worker_args: tuple[str, ...] = WORKER_ARGS) -> Iterator[Server]:
    """Serve `app_spec` until the block ends. The server runs in its own process group,
    which is stopped on the way out, error or not."""
    port = free_port()
    line = command(app_spec, port, worker_args)
    with log.open("ab") as out:
        process = subprocess.Popen(line, cwd=ROOT, env={**os.environ, **env},
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port, ready_path):
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer {ready_path} within 60 s; see {log}")
            time.sleep(0.2)
        yield Server(port, process, line)
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
