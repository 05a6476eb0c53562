"""How a PostgreSQL failure is said: the server's reason, trimmed, never the URL."""

from __future__ import annotations

from recapqa.store.pg_database import _database_error


def test_the_reason_is_said_without_libpq_indentation_or_the_url() -> None:
    failure = RuntimeError(
        'connection failed: connection to server at "127.0.0.1", port 9 failed: Connection refused\n'
        "\tIs the server running on that host and accepting TCP/IP connections?"
    )
    message = _database_error(failure).message
    said = "the PostgreSQL store failed (RuntimeError: Is the server running on that host and accepting TCP/IP"
    assert message == said + " connections?)"
