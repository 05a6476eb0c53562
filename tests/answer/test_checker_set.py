"""The support checker on eval/llm/checker_set.jsonl: (claim, cited source, question) triples
from real model replies and hand-written hard cases, labelled by hand. "Kept" is the positive
class: precision is the share of kept claims that are supported (what reaches users), recall
the share of supported claims that are kept (right answers survive).

The set has a frozen dev/test split (eval/llm/README.md): the checker is improved on dev
errors only, so only dev errors are printed; test errors are counted, not shown (set
CHECKER_SET_SHOW_TEST=1 to see them, and move any triple whose error you then act on to dev).
"""

import json
import os
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from conftest import REPO
from recapqa.answer.citations import SupportChecker
from recapqa.answer.claims import Claim
from recapqa.embed import Embedder
from recapqa.models import Hit
from recapqa.pipeline import Assistant
from recapqa.settings import Settings
from recapqa.store.build import build_index
from shared_data import corpora_dir

sys.path.insert(0, str(REPO / "eval" / "llm"))
from checker_set import hash_split, resolve

SET = REPO / "eval" / "llm" / "checker_set.jsonl"
# issue 11 targets precision 0.95 and recall 0.85. Measured 2026-11-28 (eval/llm/README.md, seventh round; 35 of the
# 758 triples no longer resolve, see there): dev 99/103 = 0.961 and 99/107 = 0.925 (361 resolved, 36 of them new in
# the seventh round: 11/12 and 11/11); test 113/125 = 0.904 and 113/129 = 0.876, of which the old half 50/51 and
# 50/50, the first fresh batch 29/31 and 29/29, the second 13/17 and 13/17, the third 10/10 and 10/15, the fourth
# 4/4 and 4/6, the fifth 3/3 and 3/5, the sixth 2/4 and 2/4, the seventh (Qwen 0.5B and Gemma, sampled questions)
# 2/5 and 2/3; all fresh batches together 63/74 = 0.851 and 63/79 = 0.797. The floors sit a little under the
# measured figures (about one more error): a regression guard, not the targets; the test floors went down with the
# seventh batch, which the checker of the branch point measures the same.
# Ninth round (rule 25, a count the question gives needs its items named): dev 99/102 = 0.971 and 99/107; test
# unchanged (114/126 and 114/129).
# h102 (rules 26-27, an abbreviation spelled out as its sentence does, an attached reason needs a word of its own):
# no verdict of this file changes (dev 99/102 and 99/107, test 114/126 and 114/129); 2 of the eighth round's do.
# h110 (rule 28, a "no" to a yes / no question): dev 100/103 = 0.971 and 100/107 = 0.935; test 114/125 and 114/129
# before and after (one wrong claim fewer than h102's 114/126, from main's changes since).
PRECISION_TARGET, RECALL_TARGET = 0.95, 0.85
FLOORS = {
    "test": (0.89, 0.86),
    "test, fresh replies": (0.84, 0.78),
    "test, fresh replies, first batch": (0.93, 0.96),
    "test, fresh replies, second batch": (0.72, 0.7),
    "test, fresh replies, third batch": (0.85, 0.63),
    "test, fresh replies, fourth batch": (0.95, 0.6),
    "test, fresh replies, fifth batch": (0.95, 0.45),
    "test, fresh replies, sixth batch": (0.45, 0.45),
    "test, fresh replies, seventh batch": (0.35, 0.6),
    "test, old half": (0.96, 0.98),
    "dev": (0.95, 0.91),
    "dev, new sixth round": (0.95, 0.65),
    "dev, new seventh round": (0.84, 0.9),
}
FRESH = "test, fresh replies"  # triples from replies to test questions, added after the split
FRESH_1 = "test, fresh replies, first batch"  # its errors read once were moved to dev on 2026-11-27
FRESH_2 = "test, fresh replies, second batch"  # added 2026-11-27, labelled before the checker saw them
FRESH_3 = "test, fresh replies, third batch"  # other people's notes (eval/corpora_questions.jsonl), 2026-11-27
FRESH_4 = "test, fresh replies, fourth batch"  # both question sets, sampled replies, 2026-11-27 (fourth round)
FRESH_5 = "test, fresh replies, fifth batch"  # Qwen 0.5B and SmolLM2-135M, both question sets, 2026-11-27 (fifth round)
FRESH_6 = "test, fresh replies, sixth batch"  # Qwen 0.5B and Gemma 3 270M, both question sets, 2026-11-27 (sixth round)
FRESH_7 = "test, fresh replies, seventh batch"  # the same two models, new sampled questions, 2026-11-28 (seventh round)
DEV_6 = "dev, new sixth round"  # SmolLM2, Gemma and Qwen 0.5B on corpora dev questions, labelled before the checker ran
DEV_7 = "dev, new seventh round"  # the same three models on 40 more corpora dev questions, Qwen 1.5B on 12
OLD_HALF = "test, old half"  # the hash-split test triples
# cases of each label a part needs before its floor means anything (the newest batches are small)
ENOUGH = {
    FRESH: 20,
    FRESH_1: 10,
    FRESH_2: 10,
    FRESH_3: 10,
    FRESH_4: 5,
    FRESH_5: 5,
    FRESH_6: 4,
    FRESH_7: 3,
    DEV_6: 2,
    DEV_7: 10,
}
BATCHES = [
    ("fresh, second", FRESH_2),
    ("fresh, third", FRESH_3),
    ("fresh, fourth", FRESH_4),
    ("fresh, fifth", FRESH_5),
    ("fresh, sixth", FRESH_6),
    ("fresh, seventh", FRESH_7),
]


@dataclass
class Count:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, kept: bool, supported: bool) -> None:
        self.tp += kept and supported
        self.fp += kept and not supported
        self.fn += supported and not kept
        self.tn += not supported and not kept

    @property
    def precision(self) -> float:
        return self.tp / max(1, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / max(1, self.tp + self.fn)

    def line(self, name: str) -> str:
        p = f"{self.tp}/{self.tp + self.fp} = {self.precision:.3f}"
        r = f"{self.tp}/{self.tp + self.fn} = {self.recall:.3f}"
        n = self.tp + self.fp + self.fn + self.tn
        return f"{name:<58} {n:>4} triples {self.tp + self.fn:>3} supported  precision {p:<16} recall {r}"


def test_every_triple_has_its_frozen_split() -> None:
    triples = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]
    for t in triples:
        assert t["split"] in ("dev", "test"), t
        if t.get("split_note", "").startswith("moved from test"):
            # a fresh test triple was never hash-split; the others were split to test by the hash
            assert t["split"] == "dev" and (
                "fresh" in t["split_note"] or hash_split(t["question"], t["claim"]) == "test"
            )
        elif t.get("split_note", "").startswith("fresh"):
            assert t["split"] == "test"
        elif t.get("split_note", "").startswith("new"):  # written after the split, put in dev (see its note)
            assert t["split"] == "dev"
        else:
            assert t["split"] == hash_split(t["question"], t["claim"]), t


def test_checker_precision_and_recall_on_the_labelled_set(
    assistant: Assistant, tmp_path_factory: pytest.TempPathFactory, embedder_factory: Callable[[], Embedder]
) -> None:
    triples = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]
    assert len(triples) >= 150
    assistants: dict[str | None, Assistant] = {None: assistant}
    for collection in sorted({t["collection"] for t in triples if t.get("collection")}):
        # triples from replies to questions on other people's notes (eval/corpora_questions.jsonl)
        settings = Settings(corpus_dir=corpora_dir() / collection, index_dir=tmp_path_factory.mktemp(collection))
        build_index(settings.corpus_dir, settings.index_dir, settings, embedder_factory)
        assistants[collection] = Assistant.open(settings)
    checkers = {c: SupportChecker(a.extractive, a.embed_query) for c, a in assistants.items()}
    counts: dict[str, Count] = defaultdict(Count)
    unresolved = 0
    mistakes: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        assistant, checker = assistants[t.get("collection")], checkers[t.get("collection")]
        chunks = resolve(assistant.index, t["sources"])
        if chunks is None:
            unresolved += 1
            continue
        retrieval = assistant.retriever.retrieve(t["question"])
        hits = [Hit(c, assistant.index.talks[c.talk_id], 0.0) for c in chunks]
        [verdict] = checker.check_claims([Claim(t["claim"], [t["cited"]])], retrieval, hits)
        supported = t["label"] == "supported"
        keys = [t["split"], f"{t['split']}: {t['origin']}", "all"]
        note = t.get("split_note", "")
        keys += [FRESH] if note.startswith("fresh") else []
        batch = next((b for prefix, b in BATCHES if note.startswith(prefix)), FRESH_1)
        keys += [batch] if note.startswith("fresh") else []
        keys += [OLD_HALF] if t["split"] == "test" and not note else []
        keys += [DEV_6] if note.startswith("new, 2026-11-27 (sixth round)") else []
        keys += [DEV_7] if note.startswith("new, 2026-11-28 (seventh round)") else []
        for key in keys:
            counts[key].add(verdict.kept, supported)
        if verdict.kept != supported:
            mistakes[t["split"]].append(f"{t['label']:>13} | {verdict.reason} | {t['question']} | {t['claim']}")
    assert unresolved <= len(triples) // 10, f"{unresolved} triples name passages the index no longer has"
    report = [f"checker on the labelled set (targets: precision {PRECISION_TARGET}, recall {RECALL_TARGET})"]
    report += [counts[key].line(key) for key in sorted(counts, key=lambda k: (k == "all", k))]
    report += ["dev mistakes:", *mistakes["dev"]]
    if os.environ.get("CHECKER_SET_SHOW_TEST"):
        report += ["test mistakes (reporting only):", *mistakes["test"]]
    else:
        report += [f"test mistakes: {len(mistakes['test'])} (not shown)"]
    text = "\n".join(report)
    print(text)
    for split, (precision_floor, recall_floor) in FLOORS.items():
        count = counts[split]
        enough = ENOUGH.get(split, 30)
        assert count.tp + count.fn >= enough and count.fp + count.tn >= enough, f"{split}: both labels need cases"
        assert count.precision >= precision_floor and count.recall >= recall_floor, f"{split}\n{text}"
