"""A load generator for submissions that accounts for every request it sends.

wrk stops at its deadline with requests still in flight, and the server goes on to store
those submissions although nobody read their answers. Here each of the connections sends
until the deadline and then waits for the answer to its last request, so afterwards the
number of stored responses can be compared exactly with the "thank you" answers received.
Answers are parsed after the clock stops.
"""
from __future__ import annotations

import itertools
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .load import CONNECTIONS, TIMEOUT_S


@dataclass
class Submitted:
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    reused: int = 0

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0

    def summary(self) -> dict[str, Any]:
        return {"requests": self.requests, "seconds": self.seconds, "rate": self.rate,
                "p50_ms": self.percentile_ms(0.50), "p99_ms": self.percentile_ms(0.99),
                "thanks": self.outcomes["thanks"], "other": self.requests - self.outcomes["thanks"],
                "outcomes": dict(self.outcomes), "reused": self.reused}


def outcome(status: int, location: str) -> str:
    if status in (302, 303) and location.endswith("/thanks"):
        return "thanks"
    return f"{status} {location}".strip()


def _request(host: str, port: int, path: str, cookie: str, body: bytes) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: session={cookie}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def _answer(raw: bytes) -> tuple[int, str]:
    """Status code and Location header of a raw HTTP answer."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1]) if head and head[0].startswith("HTTP/") else 0
    location = next((line.split(":", 1)[1].strip() for line in head[1:] if line.lower().startswith("location:")), "")
    return status, location


def submit(host: str, port: int, path: str, cookies: list[str], body: str, duration_s: float,
           connections: int = CONNECTIONS) -> Submitted:
    """POST `body` to `path` with a different cookie each time, from `connections` connections.

    Every request is encoded before the clock starts and sent on a fresh connection with plain
    sockets, so the generator spends as little as it can of the CPU the server also needs."""
    encoded = body.encode()
    requests = [_request(host, port, path, cookie, encoded) for cookie in cookies]
    next_index = itertools.count()
    lock = threading.Lock()
    result = Submitted(seconds=0.0)
    start = time.perf_counter()
    deadline = start + duration_s

    def connection_loop() -> None:
        latencies, answers, errors, reused = [], [], Counter(), 0
        while time.perf_counter() < deadline:
            index = next(next_index)
            if index >= len(requests):
                reused += 1
            sent = time.perf_counter()
            chunks = []
            try:
                with socket.create_connection((host, port), timeout=TIMEOUT_S) as connection:
                    connection.sendall(requests[index % len(requests)])
                    while chunk := connection.recv(65536):
                        chunks.append(chunk)
            except OSError as error:
                errors[type(error).__name__] += 1
                latencies.append(1000 * (time.perf_counter() - sent))
                continue
            latencies.append(1000 * (time.perf_counter() - sent))
            answers.append(b"".join(chunks))
        outcomes = Counter(outcome(*_answer(raw)) for raw in answers) + errors
        with lock:
            result.latencies_ms.extend(latencies)
            result.outcomes.update(outcomes)
            result.reused += reused

    threads = [threading.Thread(target=connection_loop, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration_s + TIMEOUT_S + 30)
    result.seconds = time.perf_counter() - start
    return result
