import contextlib

from conftest import DEFAULT_CORPUS, CountingEmbedder, write
from recapqa.settings import Settings
from recapqa.store import load_index
from recapqa.store.build import Stale, build_index, staleness

NOTES_A = "## Talk A (Acme)\n\nSpeaker: Jane Doe, CEO of Acme\n\nAcme trains 40 models a day.\n\nThey use Kafka.\n"
NOTES_B = "## Talk B (Initech)\n\nSpeaker: John Roe, CTO of Initech\n\nInitech serves 3 million users.\n"


def build(settings: Settings, embedder: CountingEmbedder, force: bool = False):  # type: ignore[no-untyped-def]
    return build_index(settings.corpus_dir, settings.index_dir, settings, lambda: embedder, force=force)


def test_second_build_embeds_nothing(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    write(settings.corpus_dir / "a.md", NOTES_A)
    write(settings.corpus_dir / "b.md", NOTES_B)
    first = build(settings, counting_embedder)
    assert first.embedded == first.chunks > 0 and first.reused == 0
    calls = len(counting_embedder.calls)
    second = build(settings, counting_embedder)
    assert (second.embedded, second.reused, second.removed) == (0, first.chunks, 0)
    assert len(counting_embedder.calls) == calls, "nothing may be embedded when nothing changed"
    assert staleness(settings.corpus_dir, settings.index_dir, settings) is None


def test_editing_one_file_re_embeds_only_its_chunks(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    write(settings.corpus_dir / "a.md", NOTES_A)
    write(settings.corpus_dir / "b.md", NOTES_B)
    build(settings, counting_embedder)
    before = {c.chunk_id: c for c in load_index(settings.index_dir).chunks}
    write(settings.corpus_dir / "a.md", NOTES_A.replace("40 models", "45 models"))
    assert staleness(settings.corpus_dir, settings.index_dir, settings) == Stale("corpus changed")
    report = build(settings, counting_embedder)
    after = load_index(settings.index_dir)
    a_chunks = [c for c in after.chunks if c.source == "a.md"]
    assert 0 < report.embedded <= len(a_chunks)
    assert all(c.chunk_id in before for c in after.chunks if c.source == "b.md")
    assert report.removed == report.embedded  # the edited chunks replaced their old versions
    assert any("45 models" in c.text for c in a_chunks)


def test_removing_a_file_removes_its_chunks(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    write(settings.corpus_dir / "a.md", NOTES_A)
    write(settings.corpus_dir / "b.md", NOTES_B)
    first = build(settings, counting_embedder)
    (settings.corpus_dir / "b.md").unlink()
    report = build(settings, counting_embedder)
    index = load_index(settings.index_dir)
    assert report.embedded == 0 and report.removed == first.chunks - report.chunks > 0
    assert {c.source for c in index.chunks} == {"a.md"}
    assert len(index.store) == len(index.chunks)
    assert all(t.source == "a.md" for t in index.talks.values())


def test_rebuild_gives_identical_ids_and_vectors(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    write(settings.corpus_dir / "notes.txt", (DEFAULT_CORPUS / "apply-ops-23-recap.txt").read_text())
    build(settings, counting_embedder)
    first = load_index(settings.index_dir)
    report = build(settings, counting_embedder, force=True)
    second = load_index(settings.index_dir)
    assert report.embedded == len(second.chunks)
    assert [c.chunk_id for c in first.chunks] == [c.chunk_id for c in second.chunks]
    diff = abs(first.store.chunk_vectors() - second.store.chunk_vectors()).max()
    assert diff < 1e-5
    assert len(list(settings.index_dir.glob("gen-*"))) == 1, "old generations are cleaned up"


def test_interrupted_build_leaves_the_old_index_working(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    write(settings.corpus_dir / "a.md", NOTES_A)
    build(settings, counting_embedder)
    write(settings.corpus_dir / "b.md", NOTES_B)

    class Exploding(CountingEmbedder):
        def embed(self, texts):  # type: ignore[no-untyped-def]
            raise KeyboardInterrupt

    with contextlib.suppress(KeyboardInterrupt):
        build_index(settings.corpus_dir, settings.index_dir, settings, Exploding)
    index = load_index(settings.index_dir)
    assert {c.source for c in index.chunks} == {"a.md"}
    assert staleness(settings.corpus_dir, settings.index_dir, settings) == Stale("corpus changed")


def test_the_report_lists_only_files_dropping_lines(settings: Settings, counting_embedder: CountingEmbedder) -> None:
    """`index --json` on thousands of clean files is not thousands of zeros."""
    write(settings.corpus_dir / "a.md", NOTES_A)
    write(settings.corpus_dir / "b.md", "---\ntitle: Day two\nlayout: post\n---\n\n" + NOTES_B)
    report = build(settings, counting_embedder)
    assert report.dropped_lines is not None and set(report.dropped_lines) == {"b.md"}
    assert report.dropped_lines["b.md"] >= 4  # the front matter
