"""A loopback proxy that lets Redshift's Python driver talk to a PostgreSQL server, for tests without a cluster.

Redshift speaks the PostgreSQL v3 wire protocol, but `redshift_connector` (which dbt-redshift uses) puts
Redshift-only parameters in its startup message (client_protocol_version, driver_version, os_version, ...),
and PostgreSQL answers any parameter it does not know with `FATAL unrecognized configuration parameter`.
The proxy rewrites that one message to keep only the parameters PostgreSQL's protocol defines. In the
server's answer it shortens `server_version` to its numbers ('15.18 (Debian 15.18-0+deb12u1)' → '15.18'), because
the driver parses it as a PEP 440 version and a distribution suffix makes it fail with `Invalid version`.
Everything after the server's first ReadyForQuery is relayed unchanged: the driver, seeing no
`server_protocol_version` among the server's parameters, falls back to the base protocol on its own.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
from types import TracebackType

PROTOCOL_V3 = 196608
SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
CANCEL_REQUEST = 80877102
KEPT_PARAMETERS = frozenset({"user", "database", "options", "replication", "application_name"})
"""Startup parameters PostgreSQL's protocol defines; every other one would be read as a server setting."""


def rewrite_startup(body: bytes) -> tuple[bytes, list[str]]:
    """A v3 startup message body (protocol version + name/value pairs) without the parameters PostgreSQL
    does not know, and the names of those dropped. `body` excludes the leading length word."""
    (protocol,) = struct.unpack("!i", body[:4])
    if protocol != PROTOCOL_V3:
        raise ValueError(f"startup message with protocol {protocol}: only PostgreSQL protocol 3.0 is proxied")
    fields = body[4:].split(b"\0")
    pairs = list(zip(fields[0::2], fields[1::2], strict=False))
    kept = [(name, value) for name, value in pairs if name and name.decode() in KEPT_PARAMETERS]
    dropped = [name.decode() for name, _ in pairs if name and name.decode() not in KEPT_PARAMETERS]
    rewritten = struct.pack("!i", PROTOCOL_V3) + b"".join(name + b"\0" + value + b"\0" for name, value in kept)
    return rewritten + b"\0", dropped


def clean_parameter_status(body: bytes) -> bytes:
    """A ParameterStatus message body (name, value) with `server_version` cut to its leading numbers;
    every other parameter unchanged."""
    name, value, _ = body.split(b"\0")
    if name != b"server_version":
        return body
    numbers = re.match(rb"\d+(\.\d+)*", value)
    return name + b"\0" + (numbers.group(0) if numbers else value) + b"\0"


def _read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError(f"peer closed the connection after {len(data)} of {size} bytes")
        data += chunk
    return data


def _read_packet(sock: socket.socket) -> bytes:
    """One length-prefixed startup-phase packet (no type byte), without its length word."""
    (length,) = struct.unpack("!i", _read_exact(sock, 4))
    return _read_exact(sock, length - 4)


def _relay(source: socket.socket, sink: socket.socket, *, startup_answer: bool = False) -> None:
    """Copy bytes from `source` to `sink` until either side closes. With `startup_answer`, the server's
    messages up to its first ReadyForQuery (or error) are read one by one and ParameterStatus cleaned."""
    try:
        while startup_answer:
            kind = _read_exact(source, 1)
            (length,) = struct.unpack("!i", _read_exact(source, 4))
            body = _read_exact(source, length - 4)
            if kind == b"S":
                body = clean_parameter_status(body)
            sink.sendall(kind + struct.pack("!i", len(body) + 4) + body)
            startup_answer = kind not in (b"Z", b"E")
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except (OSError, ValueError):
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class StartupRewritingProxy:
    """Listens on 127.0.0.1 (a free port) and forwards each connection to `upstream_host:upstream_port`,
    rewriting the startup message with `rewrite_startup`. Use as a context manager: leaving it closes the
    listener and every open connection.

    SSL and GSSAPI encryption requests are declined locally ('N'), as a server without them would, so the
    driver goes on in clear text and the startup message can be read.
    """

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.dropped: set[str] = set()
        """Every startup parameter name removed so far, over all connections."""
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept, name="startup-rewriting-proxy", daemon=True)

    def __enter__(self) -> StartupRewritingProxy:
        self._acceptor.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        self._acceptor.join(timeout=5)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # the listener was closed
            with self._lock:
                self._sockets.append(client)
                self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            body = _read_packet(client)
            while struct.unpack("!i", body[:4])[0] in (SSL_REQUEST, GSSENC_REQUEST):
                client.sendall(b"N")
                body = _read_packet(client)
            cancel = struct.unpack("!i", body[:4])[0] == CANCEL_REQUEST  # answered by closing, no startup
            dropped: list[str] = []
            if not cancel:
                body, dropped = rewrite_startup(body)
            upstream = socket.create_connection(self.upstream, timeout=10)
            upstream.settimeout(None)
        except (OSError, ValueError):
            client.close()
            return
        with self._lock:
            self._sockets.append(upstream)
            self.dropped.update(dropped)
        upstream.sendall(struct.pack("!i", len(body) + 4) + body)
        threading.Thread(target=_relay, args=(upstream, client), kwargs={"startup_answer": not cancel},
                         daemon=True).start()
        _relay(client, upstream)
