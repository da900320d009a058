"""One running copy per user and data dir.

The first copy listens on a local socket (a named pipe on Windows); a second
launch connects, asks it to come forward, and exits.  A stale socket left by
a crashed copy is detected (nobody answers) and replaced.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

ACTIVATE = b"activate\n"


def instance_key(config: Path | None, demo: bool) -> str:
    """One name per user, settings file and mode, known before anything is read or written."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (some service accounts)
        user = "user"
    where = str(Path(config).resolve()) if config else "default"
    digest = hashlib.sha256(f"{user}|{where}|{'demo' if demo else 'shop'}".encode()).hexdigest()[:16]
    return f"pmv-support-{digest}"


class SingleInstance(QObject):
    """Claims the instance slot, or hands over to the copy that holds it.

    Signals:
        activation_requested(): another launch asked this copy to show itself.
    """

    activation_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server: QLocalServer | None = None
        self._clients: list[QLocalSocket] = []

    def notify_running_instance(self, timeout_ms: int = 1000) -> bool:
        """True if another copy is running (and was asked to come forward)."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(ACTIVATE)
        socket.flush()
        socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return True

    def claim(self) -> bool:
        """Start listening; False if another copy holds the name."""
        if self.notify_running_instance():
            return False
        QLocalServer.removeServer(self.name)  # a stale socket from a crash
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("single-instance server failed: %s", server.errorString())
            return True  # run anyway: a second copy is better than none
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def release(self) -> None:
        for client in self._clients:
            client.readyRead.disconnect()
            client.abort()
        self._clients.clear()
        if self._server is not None:
            self._server.close()
            self._server = None

    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            # Sockets stay owned by the server (freed with it); we only read them.
            self._clients.append(socket)
            socket.readyRead.connect(self._on_ready)
            if socket.bytesAvailable():
                self._read(socket)

    def _on_ready(self) -> None:
        for socket in list(self._clients):
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        data = bytes(socket.readAll().data())
        if ACTIVATE.strip() in data:
            log.info("another launch asked this copy to come forward")
            self.activation_requested.emit()
