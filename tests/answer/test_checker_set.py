"""The support checker on eval/llm/checker_set.jsonl: (claim, cited source, question) triples
from real model replies and hand-written hard cases, labelled by hand. "Kept" is the positive
class: precision is the share of kept claims that are supported (what reaches users), recall
the share of supported claims that are kept (right answers survive)."""

import json
import sys

from conftest import REPO
from recapqa.answer.citations import SupportChecker
from recapqa.answer.claims import Claim
from recapqa.models import Hit
from recapqa.pipeline import Assistant

sys.path.insert(0, str(REPO / "eval" / "llm"))
from checker_set import resolve

SET = REPO / "eval" / "llm" / "checker_set.jsonl"
# issue 11 targets precision 0.95 and recall 0.85; measured 0.909 and 0.941 (eval/llm/README.md).
# The floors guard against regressions; the report says where the precision target stands.
PRECISION_TARGET, RECALL_TARGET = 0.95, 0.85
PRECISION_FLOOR, RECALL_FLOOR = 0.88, 0.85


def test_checker_precision_and_recall_on_the_labelled_set(assistant: Assistant) -> None:
    triples = [json.loads(line) for line in SET.read_text().splitlines() if line.strip()]
    assert len(triples) >= 150
    checker = SupportChecker(assistant.extractive, assistant.embed_query)
    tp = fp = fn = tn = unresolved = 0
    mistakes = []
    for t in triples:
        chunks = resolve(assistant.index, t["sources"])
        if chunks is None:
            unresolved += 1
            continue
        retrieval = assistant.retriever.retrieve(t["question"])
        hits = [Hit(c, assistant.index.talks[c.talk_id], 0.0) for c in chunks]
        [verdict] = checker.check_claims([Claim(t["claim"], [t["cited"]])], retrieval, hits)
        supported = t["label"] == "supported"
        tp += verdict.kept and supported
        fp += verdict.kept and not supported
        fn += supported and not verdict.kept
        tn += not supported and not verdict.kept
        if verdict.kept != supported:
            mistakes.append(f"{t['label']:>13} | {verdict.reason} | {t['question']} | {t['claim']}")
    assert unresolved <= len(triples) // 10, f"{unresolved} triples name passages the index no longer has"
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    report = f"checker on {tp + fp + fn + tn} triples: precision {precision:.3f} (target {PRECISION_TARGET}), "
    report += f"recall {recall:.3f} (target {RECALL_TARGET}); tp {tp}, fp {fp}, fn {fn}, tn {tn}\n"
    report += "\n".join(mistakes)
    print(report)
    assert tp + fn >= 40 and fp + tn >= 40, "both labels need enough cases to measure"
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR, report
