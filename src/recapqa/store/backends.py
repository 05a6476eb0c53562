"""The storage backend chosen by the settings: `RECAPQA_STORE=file` (the default, the index
folder) or `RECAPQA_STORE=postgres` (the database at `RECAPQA_DATABASE_URL`)."""

from __future__ import annotations

from pathlib import Path

from recapqa.errors import ConfigError
from recapqa.settings import Settings, get_settings
from recapqa.store.interface import IndexBackend


def open_backend(index_dir: Path, settings: Settings | None = None) -> IndexBackend:
    """The backend for `index_dir` (the folder also holds the build lock and the query
    encoder with PostgreSQL). Without `settings`, the environment's (RECAPQA_*)."""
    s = settings or get_settings()
    if s.store == "postgres":
        if not s.database_url:
            raise ConfigError(
                "RECAPQA_STORE is postgres but no database is configured",
                "set RECAPQA_DATABASE_URL, e.g. postgresql://user:password@host:5432/recapqa",
            )
        from recapqa.store.postgres import PostgresBackend

        return PostgresBackend(
            s.database_url, s.database_schema, index_dir, s.ann_threshold, s.index_segment_documents, s.gist_min_terms
        )
    from recapqa.store.filestore import FileBackend

    return FileBackend(index_dir, s.ann_threshold, s.index_segment_documents, s.dense_search_threads, s.gist_min_terms)
