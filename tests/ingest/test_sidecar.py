import logging
from pathlib import Path

import pytest

from conftest import DEFAULT_CORPUS, write
from recapqa.ingest import load_corpus


def test_sidecar_overrides_title_company_and_speakers(tmp_path: Path) -> None:
    write(tmp_path / "recap.txt", (DEFAULT_CORPUS / "apply-ops-23-recap.txt").read_text())
    write(
        tmp_path / "recap.talks.yaml",
        """
document:
  source: MLOps Community blog
talks:
  journey-of-the-ai-platform-at-uber:
    title: Michelangelo, then and now
    speakers:
      - name: Min Cai
        role: Distinguished Engineer, Uber
  Evaluation of nothing:
    company: Nobody
  "Panel: Production Machine Learning for Recsys: Challenges and Best Practices":
    company: Tecton
""",
    )
    talks = {t.talk_id: t for t in load_corpus(tmp_path).talks}
    uber = talks["journey-of-the-ai-platform-at-uber"]
    assert uber.title == "Michelangelo, then and now"
    assert [(s.name, s.role) for s in uber.speakers] == [("Min Cai", "Distinguished Engineer, Uber")]
    assert uber.meta["source"] == "MLOps Community blog"
    panel = next(t for t in talks.values() if t.title.startswith("Panel:"))
    assert panel.company == "Tecton"
    assert len(panel.speakers) == 4  # untouched


def test_sidecar_naming_an_unknown_talk_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path / "a.md", "## Talk A (Acme)\n\nSpeaker: Jane Doe, CEO\n\nText about A.\n")
    write(tmp_path / "a.talks.yaml", "talks:\n  no-such-talk:\n    title: X\n")
    with caplog.at_level(logging.WARNING):
        corpus = load_corpus(tmp_path)
    assert any("no-such-talk" in w for w in corpus.warnings)
    assert corpus.talks[0].title == "Talk A"


def test_broken_sidecar_skips_its_file_with_a_reason(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "## Talk A (Acme)\n\nText about A.\n")
    write(tmp_path / "b.md", "## Talk B (Initech)\n\nText about B.\n")
    write(tmp_path / "a.talks.yaml", "talks: [unclosed\n")
    corpus = load_corpus(tmp_path)
    assert [t.title for t in corpus.talks] == ["Talk B"]
    assert corpus.skipped[0][0] == "a.md" and "YAML" in corpus.skipped[0][1]
