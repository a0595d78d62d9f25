"""A TCP proxy on loopback that a test or bench controls: in front of PostgreSQL it plays a
database that stops answering (``pause``: bytes are accepted and held, nothing goes on, as with a
stalled server or network) or that is gone (``refuse``: new connections are closed, existing ones
cut), without touching the server itself or anything else on the machine."""

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator

HOST = "127.0.0.1"


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server((HOST, 0))
        self.port = self._listener.getsockname()[1]
        self._paused = threading.Event()
        self._refusing = threading.Event()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._closed = False
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()

    # -- control --

    def pause(self) -> None:
        """Hold every byte in both directions (connections stay open, as a stopped server's)."""
        self._paused.set()

    def resume(self) -> None:
        self._refusing.clear()
        self._paused.clear()

    def refuse(self) -> None:
        """Cut every open connection and close new ones at once (a server that is down)."""
        self._refusing.set()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.close()

    def close(self) -> None:
        self._closed = True
        self.refuse()
        with contextlib.suppress(OSError):
            self._listener.close()

    # -- plumbing --

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            if self._refusing.is_set():
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._pairs.append((client, server))
            threading.Thread(
                target=self._pump, args=(client, server), name="proxy-pump", daemon=True
            ).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            while True:
                if self._paused.is_set():
                    # Hold: read nothing, so the kernel's buffers fill and the sender waits.
                    if self._refusing.is_set() or self._closed:
                        break
                    threading.Event().wait(0.05)
                    continue
                try:
                    ready = selector.select(timeout=0.1)
                except (OSError, ValueError):
                    break
                if self._refusing.is_set():
                    break
                done = False
                for key, _events in ready:
                    sock = key.fileobj
                    try:
                        data = sock.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            done = True
                            break
                        peers[sock].sendall(data)  # type: ignore[index]
                    except OSError:
                        done = True
                        break
                if done:
                    break
        for sock in peers:
            with contextlib.suppress(OSError):
                sock.close()
        with self._lock, contextlib.suppress(ValueError):
            self._pairs.remove((client, server))


@contextlib.contextmanager
def tcp_proxy(target_host: str, target_port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(target_host, target_port)
    try:
        yield proxy
    finally:
        proxy.close()
