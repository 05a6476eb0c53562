"""The live assistant of a server process. A reload builds the new one aside and swaps the
reference; requests already running keep the one they started with."""

from __future__ import annotations

import logging
import threading

from recapqa.errors import IndexMissingError, RecapqaError
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

log = logging.getLogger("recapqa.api")


class Engine:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._assistant: Assistant | None = None
        self.load_error: RecapqaError | None = None
        self._reload_lock = threading.Lock()

    def load(self) -> Assistant:
        assistant = Assistant.open(self.settings, notify=log.info)
        assistant.warm()
        self._assistant = assistant  # one reference assignment: atomic for readers
        self.load_error = None
        return assistant

    def try_load(self) -> None:
        """At start-up: a broken corpus must not stop the server; /readyz reports it."""
        try:
            self.load()
        except RecapqaError as exc:
            self.load_error = exc
            log.error("index not loaded: %s", exc)

    def reload(self) -> Assistant:
        with self._reload_lock:
            return self.load()

    @property
    def assistant(self) -> Assistant:
        if self._assistant is None:
            if self.load_error is not None:
                raise self.load_error
            raise IndexMissingError("the index is not loaded yet", "wait for /readyz, then retry")
        return self._assistant

    @property
    def ready(self) -> bool:
        return self._assistant is not None
