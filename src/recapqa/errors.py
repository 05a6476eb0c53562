"""Domain errors. Each message says what happened and what to do; the edges translate them
(CLI: message + exit code; HTTP: status + JSON body)."""

from __future__ import annotations


class RecapqaError(Exception):
    """Base class. `fix` tells the user what to do next."""

    exit_code = 2
    http_status = 500
    retry_after: int | None = None  # seconds: the HTTP reply's Retry-After header, when retrying will help

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.fix}" if self.fix else self.message


class ConfigError(RecapqaError):
    """A RECAPQA_* (or OPENAI_*) variable holds a value the settings refuse."""


class CorpusError(RecapqaError):
    """The corpus has no usable notes, or a directory is missing."""

    http_status = 503


class IndexMissingError(RecapqaError):
    http_status = 503


class IndexLoadingError(IndexMissingError):
    """The server is up but still loading (or building) its index."""

    retry_after = 5


class IndexBusyError(RecapqaError):
    """Another process held the index folder's build lock for longer than this one would wait
    (RECAPQA_BUILD_LOCK_TIMEOUT)."""

    http_status = 503
    retry_after = 30


class IndexCorruptError(RecapqaError):
    """Truncated, overwritten or partially written index files."""

    http_status = 503


class IndexIncompatibleError(RecapqaError):
    """Built by another format version, model or chunking configuration."""

    http_status = 503


class IndexOlderError(IndexIncompatibleError):
    """Written by an older recapqa (a lower index format): built again with this version, and
    said so once (by the build)."""


class IndexNewerError(IndexIncompatibleError):
    """Written by a newer recapqa (a higher index format or pipeline version): refused, never
    rebuilt behind the user's back (`recapqa index --rebuild` replaces it on purpose)."""


class InvalidQuestionError(RecapqaError):
    http_status = 422


class QuestionTooLongError(InvalidQuestionError):
    http_status = 413


class QuestionSetError(RecapqaError):
    """An eval question file is missing, not UTF-8 JSONL, or a line is not a valid question."""


class UnknownTalkError(RecapqaError):
    http_status = 404


class LLMError(RecapqaError):
    """The LLM server is down, slow, or replied with something unusable."""

    http_status = 502
    reply: str | None = None  # the raw reply, when there was one (shown by `ask --json --debug`)


class LLMNotConfiguredError(LLMError):
    http_status = 400


class UnauthorizedError(RecapqaError):
    http_status = 401


class StorageError(RecapqaError):
    """The disk is full, or a data file or folder cannot be read or written (permissions,
    read-only file system). The message names the folder by its role, not its server path."""

    http_status = 503


class RequestTooLargeError(RecapqaError):
    """A request body, a chat history or one of its messages is over the configured limit."""

    http_status = 413


class RequestTimeoutError(RecapqaError):
    """A client started a request body and did not finish it in time (RECAPQA_REQUEST_BODY_TIMEOUT)."""

    http_status = 408


class DatabaseError(RecapqaError):
    """The PostgreSQL store cannot be reached or used (connection refused, authentication,
    missing pgvector extension). The message never shows the connection URL."""

    http_status = 503
