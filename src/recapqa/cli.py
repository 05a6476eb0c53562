"""`recapqa` command line: parse arguments, call the core, print. Nothing else lives here."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from recapqa.errors import RecapqaError
from recapqa.settings import AnswerMode, Settings, get_settings

app = typer.Typer(
    help="Answers from conference notes, citing the talk and quoting the passage.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

CorpusOpt = Annotated[
    Path | None, typer.Option("--corpus", help="Notes folder (default: RECAPQA_CORPUS_DIR or ./corpus).")
]
IndexOpt = Annotated[Path | None, typer.Option("--index", help="Index folder (default: RECAPQA_INDEX_DIR or ./index).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def _err(message: str) -> None:
    typer.echo(message, err=True)


class _StderrWarnings(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        _err(f"warning: {record.getMessage()}")


def _settings(corpus: Path | None, index: Path | None) -> Settings:
    base = get_settings()
    updates: dict[str, Any] = {}
    if corpus is not None:
        updates["corpus_dir"] = corpus
    if index is not None:
        updates["index_dir"] = index
    return base.model_copy(update=updates)


def _progress(label: str, unit: str) -> Callable[[int, int], None] | None:
    """A progress bar on a terminal (done/total, rate, ETA), None otherwise."""
    if not sys.stderr.isatty():
        return None
    from recapqa.progress_bar import bar

    return bar(label, unit)


@app.command()
def index(
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    as_json: JsonOpt = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Embed everything again.")] = False,
) -> None:
    """Build or refresh the index (only changed notes are embedded again; everything after a
    change of RECAPQA_EMBED_PRECISION)."""
    from recapqa.embed import default_embedder
    from recapqa.store.build import build_index

    settings = _settings(corpus, index)
    report = build_index(
        settings.corpus_dir,
        settings.index_dir,
        settings,
        default_embedder,
        progress=_progress("embedding", "texts"),
        force=rebuild,
        notify=_err,
    )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    state = "built" if report.rebuilt else "up to date"
    if report.precision_was is not None:
        typer.echo(
            f"embedding precision changed from {report.precision_was} to {report.precision} "
            "(RECAPQA_EMBED_PRECISION): every chunk and sentence was embedded again"
        )
    elif report.precision != "fp32":
        typer.echo(f"embedding precision: {report.precision} (RECAPQA_EMBED_PRECISION)")
    typer.echo(
        f"index {state}: {report.files} files, {report.talks} talks, {report.chunks} chunks "
        f"({report.embedded} embedded, {report.reused} reused, {report.removed} removed) "
        f"in {report.seconds:.1f}s -> {settings.index_dir}"
    )


@app.command()
def talks(
    files: Annotated[list[Path] | None, typer.Argument(help="With --outline: only these notes files.")] = None,
    corpus: CorpusOpt = None,
    as_json: JsonOpt = False,
    outline: Annotated[
        bool, typer.Option("--outline", help="Per file: the tree of talks and the lines dropped, with reasons.")
    ] = False,
) -> None:
    """List the talks and sections found in the notes."""
    from recapqa.ingest import load_corpus, named_files
    from recapqa.ingest.outline import document_outline, format_outline

    if outline and files:
        corpus_dir, named = named_files(files, corpus, _settings(None, None).corpus_dir)
        parsed = load_corpus(corpus_dir, only=named)
    else:
        parsed = load_corpus(_settings(corpus, None).corpus_dir)
    if outline:
        outlines = [document_outline(d) for d in parsed.documents]
        if as_json:
            typer.echo(json.dumps(outlines, indent=2, ensure_ascii=False))
        else:
            typer.echo("\n\n".join(format_outline(o) for o in outlines))
        for source, reason in parsed.skipped:
            _err(f"skipped {source}: {reason}")
        return
    found = parsed.talks
    if as_json:
        rows = [{k: v for k, v in t.to_dict().items() if k != "meta"} for t in found]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for talk in found:
        where = f"{talk.source}:{talk.start_line}-{talk.end_line}"
        company = f" ({talk.company})" if talk.company else ""
        typer.echo(f"{talk.talk_id}\n  {talk.kind}: {talk.title}{company}  [{where}]")
        for s in talk.speakers:
            detail = ", ".join(x for x in (s.role, s.company) if x)
            typer.echo(f"  - {s.name}" + (f", {detail}" if detail else ""))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    as_json: JsonOpt = False,
    mode: Annotated[
        AnswerMode | None, typer.Option("--mode", help="auto (LLM if configured), llm or extractive.")
    ] = None,
    k: Annotated[int | None, typer.Option("-k", min=1, max=50, help="Passages to retrieve.")] = None,
    talk: Annotated[str | None, typer.Option("--talk", help="Only this talk id.")] = None,
    company: Annotated[str | None, typer.Option("--company")] = None,
    speaker: Annotated[str | None, typer.Option("--speaker")] = None,
    conference: Annotated[str | None, typer.Option("--conference", help="Only notes of this event.")] = None,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the raw LLM reply (with --json: as llm_reply; else on stderr).")
    ] = False,
) -> None:
    """Answer a question from the notes, with citations."""
    from recapqa.pipeline import Assistant
    from recapqa.retrieve import Filters

    settings = _settings(corpus, index)
    assistant = Assistant.open(settings, notify=_err)
    answer, _ = assistant.ask(question, mode=mode, k=k, filters=Filters(talk, company, speaker, conference))
    if as_json:
        payload = answer.to_dict() | ({"llm_reply": answer.llm_reply} if debug else {})
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(answer.answer)
    if answer.citations:
        typer.echo("\nSources:")
    for n, c in enumerate(answer.citations, 1):
        speakers = ", ".join(c.talk.speaker_names)
        typer.echo(f" [{n}] {c.talk.title}" + (f" — {speakers}" if speakers else ""))
        lines = f"{c.start_line}" if c.start_line == c.end_line else f"{c.start_line}-{c.end_line}"
        typer.echo(f"     {c.source}:{lines}\n     “{c.quote}”")
    if debug:
        _err(f"raw LLM reply: {answer.llm_reply}" if answer.llm_reply else "raw LLM reply: none (no LLM was asked)")
    note = f" (fallback: {answer.fallback_reason})" if answer.fallback_reason else ""
    _err(f"[{answer.mode}{note}, {answer.timings_ms.get('total', 0):.0f} ms]")


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes; each loads the index.")] = 1,
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
) -> None:
    """Run the HTTP API and the web chat page (http://HOST:PORT/)."""
    import uvicorn

    from recapqa.api.listen import listening_socket

    # One compute thread per process: a query embedding is too small to split, and idle
    # OpenMP threads spinning in one worker steal the cores the others need.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("RECAPQA_ENCODER_THREADS", "1")
    if corpus is not None:
        os.environ["RECAPQA_CORPUS_DIR"] = str(corpus)  # workers are new processes: pass settings by env
    if index is not None:
        os.environ["RECAPQA_INDEX_DIR"] = str(index)
    get_settings()  # an invalid RECAPQA_* value is an error before anything says "serving"
    sock = listening_socket(host, port)  # bound before anything says 'serving'
    _err(f"recapqa: serving on http://{host}:{port}/ (API docs at /docs)")
    from recapqa.api.http_protocol import CLASS_PATH  # uvicorn's h11 with a deadline for request headers

    app = "recapqa.api.app:create_served_app"
    uvicorn.run(app, factory=True, fd=sock.fileno(), workers=workers, log_level="warning", http=CLASS_PATH)


@app.command("eval")
def evaluate(
    questions: Annotated[Path, typer.Option("--questions", help="Question set (JSONL).")] = Path(
        "eval/questions.jsonl"
    ),
    corpus: CorpusOpt = None,
    index: IndexOpt = None,
    mode: Annotated[AnswerMode, typer.Option("--mode")] = "extractive",
    output: Annotated[Path, typer.Option("--output", help="Where results go.")] = Path("eval/results"),
    collections_dir: Annotated[
        Path | None,
        typer.Option("--collections", help="Folder of collections (one subfolder each) the questions name."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a question set; write results.jsonl, summary.json, report.md and plots."""
    from recapqa.evaluate.questions import load_questions
    from recapqa.evaluate.report import write_outputs
    from recapqa.evaluate.runner import run_question_set, summarize_all

    if (corpus is not None or collections_dir is not None) and index is None:
        index = output / "index"  # another corpus gets its own index, not the default one
    settings = _settings(corpus, index)
    qs = load_questions(questions)
    progress = _progress("questions", "questions")
    rows = run_question_set(settings, qs, collections_dir, mode=mode, progress=progress, notify=_err)
    summary = summarize_all(rows)
    write_outputs(output, rows, summary)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        overall = summary["overall"]
        typer.echo(f"{len(rows)} questions -> {output}/report.md")
        for group in ("retrieval", "citations", "answers", "abstention"):
            cells = ", ".join(f"{k} {v:.3f}" for k, v in overall[group].items() if v is not None)
            typer.echo(f"  {group}: {cells}")


INTERRUPTED = (
    "interrupted: the index is as it was (a build publishes only when complete); "
    "run the command again: chunks already embedded are kept and reused"
)


def _fail(exc: RecapqaError) -> None:
    _err(f"error: {exc.message}")
    if exc.fix:
        _err(f"  fix: {exc.fix}")
    sys.exit(exc.exit_code)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, handlers=[_StderrWarnings()])
    for noisy in ("sentence_transformers", "transformers", "httpx", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    try:
        app()
    except RecapqaError as exc:
        _fail(exc)
    except OSError as exc:  # a full disk or a permission problem outside the store's own checks
        from recapqa.store.files import storage_error

        _fail(storage_error(exc))
    except KeyboardInterrupt:
        _err(INTERRUPTED)
        sys.exit(130)
    except SystemExit as exc:
        if exc.code == 130:  # typer turns Ctrl-C inside a command into a silent exit 130
            _err(INTERRUPTED)
        raise


if __name__ == "__main__":
    main()
