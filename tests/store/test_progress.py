"""The build reports embedding progress as one task: chunks then sentences, (done, total)."""

from __future__ import annotations

from conftest import CountingEmbedder, write
from recapqa.settings import Settings
from recapqa.store.build import build_index

NOTES = "## Talk A (Acme)\n\nSpeaker: Jane Doe, CEO of Acme\n\nAcme trains 40 models a day.\n\nThey use Kafka.\n"


def test_progress_counts_chunks_and_sentences_to_the_end(
    settings: Settings, counting_embedder: CountingEmbedder
) -> None:
    write(settings.corpus_dir / "a.md", NOTES)
    write(settings.corpus_dir / "b.md", NOTES.replace("Acme", "Initech").replace("Jane Doe", "John Roe"))
    seen: list[tuple[int, int]] = []
    report = build_index(
        settings.corpus_dir,
        settings.index_dir,
        settings,
        lambda: counting_embedder,
        progress=lambda d, t: seen.append((d, t)),
    )
    total = report.embedded + report.sentences_embedded
    assert seen and {t for _, t in seen} == {total}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1][0] == total
    assert sum(counting_embedder.calls) == total, "each text embedded once"

    seen.clear()
    build_index(
        settings.corpus_dir,
        settings.index_dir,
        settings,
        lambda: counting_embedder,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen == [], "nothing to embed, nothing to report"
