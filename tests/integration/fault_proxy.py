"""A real TCP proxy in front of the vendor server that misbehaves on cue.

It forwards each HTTP request to the server (so the server really commits)
and then, for requests matching a rule, drops the connection, answers 500,
or stalls past the client's timeout. Loopback only; bounded by its rules.
"""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections import deque
from dataclasses import dataclass

PASS = "pass"
DROP_AFTER_COMMIT = "drop_after_commit"  # server handled it; the client never hears back
ERROR_500_AFTER_COMMIT = "error_500_after_commit"  # server handled it; the client gets a 500
STALL_AFTER_COMMIT = "stall_after_commit"  # server handled it; the answer comes too late
REFUSE = "refuse"  # the connection closes before anything reaches the server


@dataclass
class Rule:
    method: str
    path_prefix: str
    actions: deque[str]


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _force_close(head_and_body: bytes) -> bytes:
    head, _, body = head_and_body.partition(b"\r\n\r\n")
    lines = [line for line in head.split(b"\r\n") if not line.lower().startswith(b"connection:")]
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class FaultProxy:
    def __init__(self, upstream_port: int, stall_seconds: float = 5.0) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.stall_seconds = stall_seconds
        self.rules: list[Rule] = []
        self.seen: list[tuple[str, str, str]] = []  # (method, path, action)
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @classmethod
    def in_front_of(cls, base_url: str, stall_seconds: float = 5.0) -> FaultProxy:
        """A proxy to the server at ``base_url`` (``http://127.0.0.1:PORT``); ``with`` it to have it closed."""
        return cls(int(base_url.rsplit(":", 1)[1]), stall_seconds)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def on(self, method: str, path_prefix: str, *actions: str) -> None:
        with self._lock:
            self.rules.append(Rule(method.upper(), path_prefix, deque(actions)))

    def _action_for(self, method: str, path: str) -> str:
        with self._lock:
            for rule in self.rules:
                if rule.method == method and path.startswith(rule.path_prefix) and rule.actions:
                    return rule.actions.popleft()
        return PASS

    def _handle(self, client: socket.socket) -> None:
        request = _read_request(client)
        if not request:
            return
        request_line = request.split(b"\r\n", 1)[0].decode("latin-1")
        method, path = (request_line.split(" ") + ["", ""])[:2]
        action = self._action_for(method, path)
        self.seen.append((method, path, action))
        if action == REFUSE:
            client.close()
            return
        with socket.create_connection(self.upstream, timeout=30) as upstream:
            upstream.sendall(_force_close(request))
            response = b""
            while chunk := upstream.recv(65536):
                response += chunk
        if action == DROP_AFTER_COMMIT:
            client.shutdown(socket.SHUT_RDWR)
            client.close()
        elif action == ERROR_500_AFTER_COMMIT:
            body = b'{"detail": "injected failure"}'
            client.sendall(b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                           b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
        elif action == STALL_AFTER_COMMIT:
            time.sleep(self.stall_seconds)
            client.close()
        else:
            client.sendall(_force_close(response))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
