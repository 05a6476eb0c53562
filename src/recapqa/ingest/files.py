"""Which files of the corpus folder are notes, reading one (or saying why it is skipped),
and the files `talks --outline FILE…` names."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

from recapqa.errors import CorpusError
from recapqa.ingest.document import Document
from recapqa.ingest.parsed import PreparedDocument, prepare_document
from recapqa.ingest.readers import SUPPORTED_SUFFIXES, SkipFile, read_document
from recapqa.ingest.sidecar import SIDECAR_SUFFIX, SidecarError

log = logging.getLogger("recapqa.ingest")  # the package's logger, as before the split
_IGNORED_NAMES = {"readme.md", "readme.txt", "readme", "readme.rst", "license", "license.md", "license.txt"}


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every candidate notes file, sorted; sidecars, READMEs and hidden files excluded."""
    if corpus_dir.is_file():
        raise CorpusError(
            f"corpus directory {corpus_dir} is a file, not a folder",
            f"point --corpus (or RECAPQA_CORPUS_DIR) at the folder of notes holding it ({corpus_dir.parent})",
        )
    if not corpus_dir.is_dir():
        raise CorpusError(
            f"corpus directory {corpus_dir} does not exist",
            "point --corpus (or RECAPQA_CORPUS_DIR) at a folder of .txt, .md or .html notes",
        )
    files = []
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if not path.is_file() and not (path.is_symlink() and not path.exists()):  # a broken link is reported
            continue
        if path.name.endswith(SIDECAR_SUFFIX) or path.name.lower() in _IGNORED_NAMES:
            continue
        files.append(path)
    return files


def load_document(corpus_dir: Path, source: str) -> Document:
    """Re-read one notes file as the ingester saw it (used to verify quotes)."""
    return read_document(corpus_dir / source, source)


def prepare_file(corpus_dir: Path, path: Path, skipped: list[tuple[str, str]]) -> PreparedDocument | None:
    """Read and prepare one notes file; None (and the reason added to `skipped`) when it
    cannot be used."""
    source = path.relative_to(corpus_dir).as_posix()
    if path.is_symlink() and not path.exists():
        skipped.append((source, "a link to nothing (its target is missing, or the links loop); fix or remove it"))
        log.warning("skipping %s: %s", source, skipped[-1][1])
        return None
    if not path.resolve().is_relative_to(corpus_dir.resolve()):
        skipped.append((source, "a link to a file outside the corpus folder; copy the file in instead"))
        log.warning("skipping %s: it links outside the corpus folder", source)
        return None
    try:
        return prepare_document(read_document(path, source), path)
    except (SkipFile, SidecarError) as exc:
        skipped.append((source, str(exc)))
        log.warning("skipping %s: %s", source, exc)
    except OSError as exc:
        skipped.append((source, unreadable(exc)))
        log.warning("skipping %s: %s", source, skipped[-1][1])
    return None


def skip_textless(source: str, skipped: list[tuple[str, str]]) -> None:
    """A file that parsed to nothing (only front matter, only page chrome): skipped, said so."""
    skipped.append((source, "no text left after removing front matter and page chrome"))
    log.warning("skipping %s: %s", source, skipped[-1][1])


def unreadable(exc: OSError) -> str:
    """Why a notes file could not be read, and what to do (no path: the source names it)."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot read it (permission denied); let the user running recapqa read it (chmod a+r)"
    return f"cannot read it ({exc.strerror or type(exc).__name__}); check the file, or move it out of the corpus folder"


def named_files(files: list[Path], corpus_dir: Path | None, default_dir: Path) -> tuple[Path, list[Path]]:
    """The corpus folder and the notes files `talks --outline FILE…` names. A name is a path
    (from the current folder) or, when there is no such file, a source as citations print it
    (inside the corpus folder). Without a corpus folder given: the default one when it holds
    every file named, else their nearest common folder."""
    base = corpus_dir or default_dir
    named = []
    for name in files:
        path = name if name.is_file() else base / name
        if not path.is_file() and (name.is_dir() or (base / name).is_dir()):
            raise CorpusError(
                f"{name} is a folder, not a notes file",
                "name its notes files, or give no file for the outline of the whole corpus (--corpus FOLDER)",
            )
        if not path.is_file():
            raise CorpusError(f"no such notes file: {name}", f"give its path, or its source inside {base}")
        named.append(path.resolve())
    if corpus_dir is None:
        home = default_dir.resolve()
        within = home.is_dir() and all(p.is_relative_to(home) for p in named)
        corpus_dir = home if within else Path(os.path.commonpath([str(p.parent) for p in named]))
    corpus_dir = corpus_dir.resolve()
    outside = [name for name, p in zip(files, named, strict=True) if not p.is_relative_to(corpus_dir)]
    if outside:
        raise CorpusError(
            f"{outside[0]} is not inside the corpus folder {corpus_dir}",
            "pass --corpus the folder that holds it (or leave --corpus out)",
        )
    return corpus_dir, named


def no_usable_notes(corpus_dir: Path, skipped: list[tuple[str, str]]) -> CorpusError:
    detail = "; ".join(f"{s}: {r}" for s, r in skipped) or "no files"
    return CorpusError(
        f"no usable notes in {corpus_dir} ({detail})",
        f"add .txt, .md or .html notes ({', '.join(sorted(SUPPORTED_SUFFIXES))}) to the corpus folder",
    )


def quote_in_source(corpus_dir: Path, source: str, start_line: int, end_line: int, quote: str) -> bool:
    """Is `quote` verbatim in `source` between those lines? (The check behind every citation.)"""
    try:
        doc = load_document(corpus_dir, source)
    except (SkipFile, OSError):
        return False
    return bool(quote) and quote in doc.text_between(start_line, end_line)
