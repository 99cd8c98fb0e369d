"""A load generator for submissions that accounts for every request it sends.

wrk stops at its deadline with requests still in flight, and the server goes on to store
those submissions although nobody read their answers. Here each of the connections sends
until the deadline and then waits for the answer to its last request, so afterwards the
number of stored responses can be compared exactly with the "thank you" answers received.
"""
from __future__ import annotations

import http.client
import itertools
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
    if status == 302 and location.endswith("/thanks"):
        return "thanks"
    return f"{status} {location}".strip()


def submit(host: str, port: int, path: str, cookies: list[str], body: str, duration_s: float,
           connections: int = CONNECTIONS) -> Submitted:
    """POST `body` to `path` with a different cookie each time, from `connections` connections."""
    next_index = itertools.count()
    lock = threading.Lock()
    result = Submitted(seconds=0.0)
    start = time.perf_counter()
    deadline = start + duration_s

    def connection_loop() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_S)
        latencies, outcomes, reused = [], Counter(), 0
        while time.perf_counter() < deadline:
            index = next(next_index)
            if index >= len(cookies):
                reused += 1
            headers = {"Cookie": f"session={cookies[index % len(cookies)]}",
                       "Content-Type": "application/x-www-form-urlencoded"}
            sent = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                outcomes[type(error).__name__] += 1
                latencies.append(1000 * (time.perf_counter() - sent))
                continue
            latencies.append(1000 * (time.perf_counter() - sent))
            outcomes[outcome(response.status, response.headers.get("Location", ""))] += 1
            if response.will_close:
                connection.close()
        connection.close()
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
