"""The CLI through its real entry point, in fresh processes."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEFAULT_CORPUS, index_file, write
from recapqa.store.lock import build_lock

RECAPQA = str(Path(sys.executable).parent / "recapqa")
ANSWER_KEYS = {"question", "answer", "abstained", "mode", "fallback_reason", "citations", "timings_ms"}
CITATION_KEYS = {
    "talk_id",
    "talk_title",
    "speakers",
    "conference",
    "date",
    "source",
    "start_line",
    "end_line",
    "quote",
    "score",
}


def run(*args: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    env["RECAPQA_CACHE_DIR"] = os.environ["RECAPQA_CACHE_DIR"]
    env.update(settings)
    return subprocess.run([RECAPQA, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(DEFAULT_CORPUS, root / "corpus")
    return root


def test_help_lists_the_commands(tmp_path: Path) -> None:
    result = run("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("index", "talks", "ask", "eval"):
        assert command in result.stdout


def test_talks_json(workdir: Path) -> None:
    result = run("talks", "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    talks = json.loads(result.stdout)
    assert len(talks) == 8
    for talk in talks:
        assert set(talk) == {
            "talk_id",
            "title",
            "company",
            "speakers",
            "kind",
            "source",
            "start_line",
            "end_line",
            "track",
            "conference",
            "date",
        }
    assert talks[1]["speakers"] == [
        {"name": "Min Cai", "role": "distinguished engineer of platform engineering", "company": None}
    ]
    assert talks[1]["conference"] == "Apply(ops) 23"


def test_ask_builds_the_index_then_answers_with_one_json_object(workdir: Path) -> None:
    result = run("ask", "--json", "How many models does Uber run in production?", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "building it" in result.stderr  # the first command builds the index and says so
    answer = json.loads(result.stdout)
    assert set(answer) == ANSWER_KEYS
    assert answer["mode"] == "extractive" and not answer["abstained"] and "5.3k" in answer["answer"]
    assert set(answer["citations"][0]) == CITATION_KEYS
    assert answer["citations"][0]["speakers"] == ["Min Cai"]
    assert set(answer["timings_ms"]) == {"retrieve", "answer", "total"}


def test_debug_without_json_says_on_stderr_what_the_llm_replied(workdir: Path) -> None:
    result = run("ask", "--debug", "--mode", "extractive", "How many models does Uber run in production?", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Around 5.3k models in production")
    assert "raw LLM reply: none (no LLM was asked)" in result.stderr  # not silently ignored


def test_index_json_twice_embeds_nothing_the_second_time(workdir: Path) -> None:
    first = run("index", "--json", cwd=workdir)
    second = run("index", "--json", cwd=workdir)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    summary = json.loads(second.stdout)
    assert {"files", "talks", "chunks", "embedded", "reused", "removed", "seconds"} <= set(summary)
    assert summary["embedded"] == 0 and summary["reused"] == summary["chunks"] > 0
    # the page header and the "Related" footer of the recap, per file
    assert summary["dropped_lines"]["apply-ops-23-recap.txt"] >= 20


def test_talks_outline_shows_talks_speakers_and_dropped_lines(workdir: Path) -> None:
    result = run("talks", "--outline", cwd=workdir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "apply-ops-23-recap.txt (text)"
    assert any(line.startswith("  talk 22-") and "Min Cai" in line for line in lines)
    assert any(line.startswith("  dropped 1-") and line.endswith("page header") for line in lines)
    assert any(line.endswith("page footer") for line in lines)
    as_json = json.loads(run("talks", "--outline", "--json", cwd=workdir).stdout)
    assert as_json[0]["document"]["conference"] == "Apply(ops) 23"
    assert as_json[0]["talks"][0]["title"] == "Introduction"


def test_bad_input_is_a_message_with_the_fix_not_a_traceback(workdir: Path) -> None:
    for args, expected in [
        (("ask", "   "), "the question is empty"),
        (("ask", "x" * 5000), "limit is 4000"),
        (("ask", "--mode", "llm", "How many models?"), "RECAPQA_LLM_BASE_URL"),
        (("ask", "--talk", "nope", "How many models?"), "no talk with id"),
        (("talks", "--corpus", "missing"), "does not exist"),
    ]:
        result = run(*args, cwd=workdir)
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr and "fix:" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_file_given_for_a_folder_is_named_as_such(tmp_path: Path) -> None:
    notes = write(
        tmp_path / "corpus" / "a.md", "## Talk A (Acme)\n\nSpeaker: Jane Doe, CEO\n\nAcme trains 40 models.\n"
    )
    write(tmp_path / "index.txt", "not a folder")
    for args, expected in [
        (("index", "--corpus", str(notes)), "error: corpus directory corpus/a.md is a file, not a folder"),
        (("index", "--index", "index.txt"), "error: the index folder is a file, not a folder"),
        (("ask", "--index", "index.txt", "How many models?"), "error: the index folder is a file, not a folder"),
    ]:
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr.replace(f"{tmp_path}/", "") and "fix: point" in result.stderr


def test_a_corrupt_index_is_reported_and_rebuilt(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "a.md", "## Talk A (Acme)\n\nSpeaker: Jane Doe, CEO\n\nAcme trains 40 models a day.\n")
    assert run("index", cwd=tmp_path).returncode == 0
    generation = tmp_path / "index" / (tmp_path / "index" / "CURRENT").read_text().strip()
    index_file(generation, "chunk_vectors.npy").write_bytes(b"garbage")
    result = run("ask", "--json", "How many models does Acme train a day?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "checksum mismatch" in result.stderr
    assert "40 models" in json.loads(result.stdout)["answer"]


def test_skipped_files_are_named_on_stderr(tmp_path: Path) -> None:
    write(tmp_path / "corpus" / "a.md", "## Talk A (Acme)\n\nContent about Acme.\n")
    write(tmp_path / "corpus" / "bad.txt", b"\x00\x01binary")
    write(tmp_path / "corpus" / "front.md", "---\ntitle: Only front matter\n---\n")
    result = run("talks", cwd=tmp_path)
    assert result.returncode == 0
    assert "warning: skipping bad.txt: binary file" in result.stderr
    assert "warning: skipping front.md: no text left" in result.stderr


IMPORT_PROBE = """
import json, sys
from recapqa.cli import main
sys.argv = ["recapqa", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print("MODULES=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def imported(args: list[str], cwd: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    env["RECAPQA_CACHE_DIR"] = os.environ["RECAPQA_CACHE_DIR"]
    result = subprocess.run([sys.executable, "-c", IMPORT_PROBE, json.dumps(args)], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def test_the_cli_path_imports_nothing_heavy(workdir: Path) -> None:
    assert run("index", cwd=workdir).returncode == 0  # up to date, with its fast query encoder
    heavy = {"torch", "sentence_transformers", "transformers"}
    help_modules = imported(["--help"], workdir)
    assert not help_modules & (heavy | {"faiss", "bm25s", "scipy", "onnxruntime", "numpy", "fastapi"})
    assert not imported(["talks"], workdir) & (heavy | {"faiss", "bm25s", "onnxruntime", "fastapi"})
    ask_modules = imported(["ask", "--json", "How many models does Uber run in production?"], workdir)
    assert not ask_modules & (heavy | {"fastapi", "uvicorn", "matplotlib"})
    assert "onnxruntime" in ask_modules  # the fast path really ran


def test_ask_without_the_fast_encoder_falls_back_and_says_how_to_fix(workdir: Path, tmp_path: Path) -> None:
    shutil.copytree(workdir / "corpus", tmp_path / "corpus")
    shutil.copytree(workdir / "index", tmp_path / "index")
    shutil.rmtree(tmp_path / "index" / next(p.name for p in (tmp_path / "index").glob("encoder-*")))
    result = run("ask", "--json", "How many models does Uber run in production?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    hints = [line for line in result.stderr.splitlines() if "recapqa index --rebuild" in line]
    assert len(hints) == 1
    assert "5.3k" in json.loads(result.stdout)["answer"]


def test_an_invalid_setting_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECAPQA_", "OPENAI_"))}
    env["RECAPQA_TOP_K"] = "zero"
    result = subprocess.run([RECAPQA, "talks"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "RECAPQA_TOP_K" in result.stderr and "fix:" in result.stderr and "Traceback" not in result.stderr


def test_talks_outline_of_named_files_by_path_or_by_source(tmp_path: Path) -> None:
    """A file is named by its path or by its source as citations print it (inside the corpus
    folder); a file outside the corpus folder, or one the index skips, is an error naming it."""
    notes = tmp_path / "notes"
    talk = "# Day 1\n\n## Scaling queues - Alice Moreau, Acme Corp\n\nAcme runs 42 clusters.\n"
    write(notes / "day1" / "talks.md", talk)
    write(notes / "empty.md", "")
    write(tmp_path / "elsewhere.md", "# Other\n\n## Logs - Bob Lintz, Zeta Labs\n\nStart with logs.\n")
    by_source = run("talks", "--corpus", "notes", "--outline", "day1/talks.md", cwd=tmp_path)
    by_path = run("talks", "--corpus", "notes", "--outline", "notes/day1/talks.md", cwd=tmp_path)
    assert by_source.returncode == by_path.returncode == 0, by_source.stderr
    assert by_source.stdout == by_path.stdout
    assert by_source.stdout.splitlines()[0] == "day1/talks.md (markdown)"
    assert "  talk 3-5  Scaling queues  — Alice Moreau (Acme Corp)" in by_source.stdout.splitlines()
    for args, expected in [
        (("--outline", "elsewhere.md"), "error: elsewhere.md is not inside the corpus folder"),
        (("--outline", "empty.md"), "error: no notes in the files named (empty.md: empty file)"),
        (("--outline", "missing.md"), "error: no such notes file: missing.md"),
        (("--outline", "day1"), "error: day1 is a folder, not a notes file"),
    ]:
        result = run("talks", "--corpus", "notes", *args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert expected in result.stderr and "fix:" in result.stderr and "Traceback" not in result.stderr


def test_serve_on_an_address_of_another_machine_says_to_change_the_host(tmp_path: Path) -> None:
    result = run("serve", "--host", "192.0.2.1", "--port", "18999", cwd=tmp_path)  # TEST-NET-1: no machine's
    assert result.returncode == 2 and "error: cannot listen on 192.0.2.1:18999" in result.stderr
    assert "fix: give --host an address of this machine" in result.stderr and "Traceback" not in result.stderr


def test_eval_names_a_missing_collection_before_building_any_index(tmp_path: Path) -> None:
    write(
        tmp_path / "colls" / "devcon" / "notes.md",
        "# Devcon\n\n## Queues - Alice Moreau, Acme\n\nAcme runs 42 clusters.\n",
    )
    rows = [
        {"id": "a1", "question": "How many clusters?", "answers": ["42"], "talks": [], "answerable": True},
        {"id": "a2", "question": "Who spoke?", "answers": ["Alice"], "talks": [], "answerable": True},
    ]
    rows[0]["collection"], rows[1]["collection"] = "devcon", "no-such-collection"
    write(tmp_path / "q.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    result = run("eval", "--questions", "q.jsonl", "--collections", "colls", "--output", "out", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "error: the questions name collection 'no-such-collection', which is not a folder" in result.stderr
    assert not (tmp_path / "out" / "index").exists()


def test_a_second_build_says_it_waits_and_gives_up_after_the_configured_time(tmp_path: Path) -> None:
    """Another process holding the index folder's build lock (a long `recapqa index`): a
    second build, not on a terminal, says it is waiting, then gives up with an error."""
    write(tmp_path / "corpus" / "a.md", "## Talk A (Acme)\n\nAcme trains 40 models a day.\n")
    with build_lock(tmp_path / "index"):
        result = run("index", cwd=tmp_path, RECAPQA_BUILD_LOCK_TIMEOUT="1")
    assert result.returncode == 2, result.stderr
    assert "another process is building it; waiting up to 1 s" in result.stderr
    assert "error: another process has been building the index for more than 1 s" in result.stderr
    assert "RECAPQA_BUILD_LOCK_TIMEOUT" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_serve_with_an_invalid_setting_fails_before_it_says_it_serves(tmp_path: Path) -> None:
    result = run("serve", "--port", "1", cwd=tmp_path, RECAPQA_REQUEST_BODY_TIMEOUT="soon")
    assert result.returncode == 2, result.stderr
    assert "error: invalid settings (RECAPQA_REQUEST_BODY_TIMEOUT" in result.stderr
    assert "serving on" not in result.stderr and "Traceback" not in result.stderr
