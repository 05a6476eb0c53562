"""The corpus word tables (store/corpus_words.py) are updated, not recounted, when a build
follows a build: the documents that changed are recounted, the others' sums kept. The tables
must be byte-identical to counting every document again (`recapqa index --rebuild`), and to
what the answerer computes from a loaded index."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pytest

from conftest import DEFAULT_CORPUS, write
from recapqa.embed import active_model
from recapqa.settings import Settings
from recapqa.store import corpus_sums, corpus_words, load_index
from recapqa.store.build import build_index
from recapqa.store.files import MANIFEST, current_generation


class FakeEmbedder:
    """Hash-seeded vectors: the tables do not depend on them, and this is fast."""

    def __init__(self) -> None:
        self.name, self.dimension = active_model().name, active_model().dimension

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = [
            np.random.default_rng(int(hashlib.sha1(t.encode()).hexdigest()[:8], 16)).standard_normal(self.dimension)
            for t in texts
        ]
        out = np.array(rows, dtype=np.float32).reshape(len(texts), self.dimension)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def talk(n: int, company: str, speaker: str, extra: str = "") -> str:
    return (
        f"## Scaling Kafka pipelines {n} ({company}) - {speaker}, Engineer, {company}\n\n"
        f"{speaker.split()[0]} said {company} runs {n * 7} Kafka clusters. The Feast registry was the hard part.\n"
        f"Latency budgets are {n + 3} ms at {company}; everyone uses Kafka and Python.\n"
        f"Their Terraform modules, written by the Platform team, serve {n * 11} models. {extra}\n"
    )


FILES = {
    f"notes-{n}.md": talk(n, company, speaker) + "\n" + talk(n + 10, "Globex", "Mo Park")
    for n, (company, speaker) in enumerate(
        [("Acme", "Jane Doe"), ("Initech", "John Roe"), ("Hooli", "Sara Khan"), ("Wonka", "Ivan Ito")] * 2
    )
}


def build(settings: Settings, force: bool = False) -> bytes:
    build_index(settings.corpus_dir, settings.index_dir, settings, FakeEmbedder, force=force)
    return (current_generation(settings.index_dir) / corpus_words.FILE).read_bytes()


def rebuilt(settings: Settings) -> bytes:
    """The tables counted from every document, in a fresh index folder."""
    fresh = Settings(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir.with_name("fresh-index"))
    shutil.rmtree(fresh.index_dir, ignore_errors=True)
    return build(fresh, force=True)


@pytest.fixture()
def corpus(settings: Settings) -> Settings:
    for name, text in FILES.items():
        write(settings.corpus_dir / name, text)
    build(settings)
    return settings


@pytest.fixture()
def parts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many document parts each build counts."""
    counted: list[int] = []
    original = corpus_sums.document_sums

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        counted.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(corpus_sums, "document_sums", counting)
    return counted


def tables(data: bytes) -> dict:  # type: ignore[type-arg]
    return json.loads(data)


def test_one_changed_file_recounts_only_it(corpus: Settings, parts: list[int]) -> None:
    path = corpus.corpus_dir / "notes-1.md"
    write(path, path.read_text() + "\nThe quokkas of Zanzibar were mentioned.\n")
    updated = build(corpus)
    assert len(parts) == 2, "the changed file's old and new parts only"
    assert updated == rebuilt(corpus)
    words = tables(updated)
    assert words["term_counts"]["quokka"] == 1 and "zanzibar" in words["proper_nouns"]
    index = load_index(corpus.index_dir, corpus)
    computed = corpus_words._tables(index.talks.values(), list(index.chunks), list(index.sentences))
    assert json.dumps(computed, ensure_ascii=False, separators=(",", ":")).encode() == updated


def test_a_changed_files_old_counts_are_removed(corpus: Settings) -> None:
    path = corpus.corpus_dir / "notes-2.md"
    write(path, path.read_text() + "\nThe walrus tokenizer was deprecated.\n")
    assert tables(build(corpus))["term_counts"].get("walru") or tables(build(corpus))["term_counts"].get("walrus")
    write(path, FILES["notes-2.md"])  # the line is gone again
    again = build(corpus)
    assert "walrus" not in again.decode() and again == rebuilt(corpus)


def test_a_deleted_file_is_removed_and_a_new_one_added(corpus: Settings, parts: list[int]) -> None:
    write(corpus.corpus_dir / "notes-3.md", FILES["notes-3.md"] + "\nOnly here: Vandelay imports latex.\n")
    build(corpus)
    parts.clear()
    (corpus.corpus_dir / "notes-3.md").unlink()
    write(corpus.corpus_dir / "extra.md", talk(3, "Hooli", "Sara Khan", "Brand new words: ocelot."))
    updated = build(corpus)
    assert len(parts) == 2  # notes-3 taken away, extra.md added (its aliases are known)
    assert updated == rebuilt(corpus)
    assert "vandelay" not in updated.decode() and "ocelot" in updated.decode()


def test_a_new_alias_counts_every_document_again(corpus: Settings, parts: list[int]) -> None:
    """A new speaker's name must be looked for in every talk's notes: no shortcut."""
    write(corpus.corpus_dir / "new.md", talk(99, "Umbrella", "Kemal Novak", "Kemal Novak said Kafka."))
    updated = build(corpus)
    assert len(parts) == len(FILES) + 1
    assert updated == rebuilt(corpus)


def test_common_aliases_follow_edits(corpus: Settings) -> None:
    """'globex' and 'kafka' are in most talks' notes: common; taking them out of enough
    files makes them distinctive again, exactly as a full count says."""
    assert {"globex", "kafka"} <= set(tables(build(corpus))["common_aliases"])
    for name in list(FILES)[:6]:
        path = corpus.corpus_dir / name
        write(path, path.read_text().replace("Globex", "Soylent").replace("Kafka", "Pulsar"))
        assert build(corpus) == rebuilt(corpus)


def test_rebuild_and_damaged_sums_count_everything(corpus: Settings, parts: list[int]) -> None:
    build(corpus, force=True)
    assert len(parts) == len(FILES)
    parts.clear()
    generation = current_generation(corpus.index_dir)
    state = generation / corpus_words.STATE
    state.write_text(state.read_text().replace('"talks":', '"talks":1000,"x":'))  # checksum no longer matches
    path = corpus.corpus_dir / "notes-0.md"
    write(path, path.read_text() + "\nOne more line.\n")
    updated = build(corpus)
    assert len(parts) == len(FILES) and updated == rebuilt(corpus)
    manifest = json.loads((current_generation(corpus.index_dir) / MANIFEST).read_text())
    assert corpus_words.STATE in manifest["checksums"] and "_reuse_previous" not in manifest


SHARED = DEFAULT_CORPUS.parents[1] / "shared" / "corpora"


@pytest.mark.parametrize("collection", ["aws-reinvent-2018-chrishic", "dfir-confnotes"])
def test_real_notes_edit_matches_a_full_count(settings: Settings, parts: list[int], collection: str) -> None:
    if not (SHARED / collection).is_dir():
        pytest.skip(f"{SHARED / collection} is not here")
    shutil.copytree(SHARED / collection, settings.corpus_dir, dirs_exist_ok=True)
    build(settings)
    notes = sorted(p for p in settings.corpus_dir.rglob("*") if p.suffix in (".md", ".txt") and "README" not in p.name)
    parts.clear()
    write(notes[-1], notes[-1].read_text() + "\nAn added sentence about Snowflake costs and dbt models.\n")
    assert build(settings) == rebuilt(settings)
    assert parts[:2] == [1, 1] and len(parts) == 2 + len(list(corpus_words_docs(settings)))


def corpus_words_docs(settings: Settings) -> dict:  # type: ignore[type-arg]
    state = current_generation(settings.index_dir) / corpus_words.STATE
    return json.loads(state.read_text())["documents"]


def test_text_digests_keep_trailing_zero_bytes() -> None:
    """The stored digests of embedded texts (filestore.EMBED_KEYS) are the build's cache keys
    exactly, also for a digest ending in a zero byte (numpy's S20 would strip it)."""
    from recapqa.store.filestore import _hex_rows, text_digests

    texts = [str(i) for i in range(3000)]
    expected = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    assert any(e.endswith("00") for e in expected)
    assert _hex_rows(text_digests(texts)) == expected


def test_unchanged_texts_are_not_embedded_again(corpus: Settings) -> None:
    """Vectors are reused through the stored digests: a build after a one-line edit embeds
    only the texts that changed, however many there are."""
    calls: list[int] = []

    class Counting(FakeEmbedder):
        def embed(self, texts: list[str]) -> np.ndarray:
            calls.append(len(texts))
            return super().embed(texts)

    for n in range(40):
        write(corpus.corpus_dir / f"more-{n}.md", talk(n, "Acme", "Jane Doe", f"Extra line {n}."))
    build_index(corpus.corpus_dir, corpus.index_dir, corpus, Counting)
    calls.clear()
    path = corpus.corpus_dir / "more-7.md"
    write(path, path.read_text() + "\nOne more line: 42 teams use it.\n")
    report = build_index(corpus.corpus_dir, corpus.index_dir, corpus, Counting)
    assert report.embedded <= 2 and sum(calls) <= 6
