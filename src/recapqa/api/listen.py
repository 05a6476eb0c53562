"""The listening socket `recapqa serve` hands to uvicorn."""

from __future__ import annotations

import errno
import socket

from recapqa.errors import RecapqaError


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening, inheritable socket with TCP_NODELAY, inherited by accepted
    connections: with several workers uvicorn's own sockets lack it, and keep-alive requests
    then wait ~40 ms for a delayed ACK. A RecapqaError when the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        taken = exc.errno in (errno.EADDRINUSE, errno.EACCES)  # else the host is not this machine's address
        fix = "choose another --port" if taken else "give --host an address of this machine (127.0.0.1, 0.0.0.0)"
        raise RecapqaError(f"cannot listen on {host}:{port} ({exc.strerror})", fix) from exc
    sock.listen(2048)  # connections made while the app starts wait in the backlog, not refused
    sock.set_inheritable(True)
    return sock
