"""A real TCP "printer" on 127.0.0.1: it records every job and can answer queries."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.helpers import accepted

WAIT = 5.0  # upper bound for anything that should take milliseconds


class FakePrinter:
    """Accepts connections on an ephemeral port; each connection's bytes become one job.

    ``answer(received_so_far) -> bytes | list[bytes] | None`` lets it reply
    like a printer to a status query, once per connection; a list is sent
    piece by piece with a pause between, as a slow printer dribbles it out.
    """

    def __init__(self, answer: Callable[[bytes], bytes | list[bytes] | None] | None = None) -> None:
        self.answer = answer
        self.jobs: list[bytes] = []
        self._done = threading.Condition()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def target(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        for conn in accepted(self._server, self._stop):
            with conn:
                conn.settimeout(WAIT)
                received, answered = b"", False
                while True:
                    try:
                        chunk = conn.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    received += chunk
                    if self.answer and not answered:
                        reply = self.answer(received)
                        if reply is not None:
                            for index, piece in enumerate([reply] if isinstance(reply, bytes) else reply):
                                if index:
                                    time.sleep(0.05)
                                conn.sendall(piece)
                            answered = True
            with self._done:
                self.jobs.append(received)
                self._done.notify_all()

    def wait_for_jobs(self, count: int = 1) -> list[bytes]:
        with self._done:
            assert self._done.wait_for(lambda: len(self.jobs) >= count, timeout=WAIT), "the printer got no job"
            return list(self.jobs)

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(WAIT)


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def printer_factory() -> Iterator[Callable[..., FakePrinter]]:
    made: list[FakePrinter] = []

    def make(answer: Callable[[bytes], bytes | list[bytes] | None] | None = None) -> FakePrinter:
        made.append(FakePrinter(answer))
        return made[-1]

    yield make
    for fake in made:
        fake.close()
