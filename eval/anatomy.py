"""Failure anatomy of the extractive answerer on dev, over two fixed halves of the dev split.

    .venv/bin/python eval/anatomy.py [--work DIR] [--save FILE] > table.md

The dev questions of both sets are split in two halves by a stable hash of their id
(`half`): A is read (failures, which stage lost them) and tuned on; B is reported as
totals only, so that a change fitted to A can be checked on questions nobody read.
Rows of a blind batch the lead has not scored yet (`calibrate.HIDDEN`, by id prefix) are left
out entirely; none is now (the j- and k-batches are ordinary dev).

Stages, for each answerable A question the answerer gets wrong:
- r: no sentence of the retrieved chunks holds a gold string (`r-talk`: the gold talk is
  not retrieved at all; `r-chunk`: it is, but not the chunk; `r-none`: no one sentence of
  the collection holds a gold string);
- c: a sentence holding it is a candidate but no such sentence is eligible (the rule of
  answer/eligibility.py that removed the best-scored one);
- k: an eligible sentence holds it, but another is ranked first;
- a: the first-ranked eligible sentence holds it, but confidence is under the threshold;
- p: the answer quotes a gold-holding sentence but misses a part (`answers_all`);
- m: answered by another path (metadata, gist), not the quoted sentences.
For each unanswerable A question answered anyway: its best sentence's features.
Dev only: test is never read here.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from calibrate import HIDDEN, SETS, WORK, half, label

from recapqa.answer.features import NAMES
from recapqa.answer.question import analyse
from recapqa.evaluate import metrics as m
from recapqa.evaluate.questions import load_questions
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

SHOWN = ("dense", "cover", "cover_text", "kind", "names_sentence", "names_talk")


def stage(answerer, q, answer, retrieval) -> tuple[str, str]:
    """(stage, detail) of an answerable question answered wrong (see the module's doc)."""
    info = analyse(q.question, answerer.proper_nouns)
    candidates = answerer.candidates(retrieval, info)
    if answerer.answer_from(retrieval, candidates).answer != answer.answer:
        return "m", f"mode {answer.mode}"
    gold = [c for c in candidates if label(answerer, q, c.row)]
    if not gold:
        talks = {hit.talk.talk_id for hit in retrieval.hits}
        rows = [r for r in range(len(answerer.index.sentences)) if label(answerer, q, r)]
        if not rows:
            return "r-none", ""
        if any(answerer.index.sentences[r].talk_id in talks for r in rows):
            return "r-chunk", ""
        return "r-talk", ""
    eligible = [c for c in candidates if c.eligible]
    gold_eligible = [c for c in gold if c.eligible]
    if not gold_eligible:
        best = gold[0]
        why = answerer.eligible.rejected_by(best.row, info, best.features[NAMES.index("kind")])
        return f"c-{why}", _cell(answerer.index.sentences[best.row].text)
    if answer.abstained and eligible[0] in gold_eligible:
        return "a", f"conf {answerer.confidence(eligible):.2f}"
    position = eligible.index(gold_eligible[0])
    if position > 0:
        return "k", f"gold {position + 1} of {len(eligible)}" + (" (abstained)" if answer.abstained else "")
    return "p", ""


def _cell(text: str, limit: int = 110) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=WORK, help="where the indexes are (as eval/calibrate.py)")
    parser.add_argument("--save", type=Path, help="one JSON line a question (id, half, scores)")
    parser.add_argument("--sets", default="default,corpora")
    parser.add_argument("--before", type=Path, help="a --save file of an earlier run: per-collection before/after")
    args = parser.parse_args()
    saved, table, unanswered = [], [], []
    for name in args.sets.split(","):
        questions_path, corpus = SETS[name]
        questions = [q for q in load_questions(questions_path) if q.split == "dev" and not HIDDEN.match(q.id)]
        for collection in dict.fromkeys(q.collection for q in questions):
            folder = corpus / collection if collection else corpus
            settings = Settings(corpus_dir=folder, index_dir=args.work / name / (collection or "all"))
            assistant = Assistant.open(settings, notify=lambda _m: None)
            answerer = assistant.extractive
            for q in (q for q in questions if q.collection == collection):
                answer, retrieval = assistant.ask(q.question, mode="extractive")
                ranked = m.ranked_talks(retrieval.hits)
                row = {
                    "set": name,
                    "collection": collection,
                    "id": q.id,
                    "half": half(q.id),
                    "answerable": q.answerable,
                    "abstained": answer.abstained,
                    "fact_hit": q.answerable
                    and not answer.abstained
                    and m.fact_hit(answer.answer, q.answers, q.answers_all),
                    "citations": len(answer.citations),
                    "hit@1": m.hit_at(m.relevance(ranked, q.talks), 1) if q.answerable and q.talks else None,
                }
                saved.append(row)
                if row["half"] != "A":
                    continue
                if q.answerable and not row["fact_hit"]:
                    where, detail = stage(answerer, q, answer, retrieval)
                    table.append((name, collection or "-", q.id, where, detail, _cell(q.question)))
                elif not q.answerable and not answer.abstained:
                    info = analyse(q.question, answerer.proper_nouns)
                    eligible = [c for c in answerer.candidates(retrieval, info) if c.eligible]
                    if eligible:
                        values = dict(zip(NAMES, eligible[0].features, strict=True))
                        feats = " ".join(f"{k} {values[k]:.2f}" for k in SHOWN)
                        conf = f"conf {answerer.confidence(eligible):.2f} p {eligible[0].score:.2f}; {feats}"
                    else:
                        conf = f"mode {answer.mode} (not the quoted sentences)"
                    unanswered.append((name, collection or "-", q.id, conf, _cell(q.question)))
    if args.save:
        args.save.write_text("".join(json.dumps(r) + "\n" for r in saved))
    print(totals(saved))
    if args.before:
        before = [json.loads(line) for line in args.before.read_text().splitlines()]
        print("\n" + by_collection(before, saved))
    print("\n## A: answerable questions answered wrong, by stage\n")
    print("| set | collection | id | stage | detail | question |\n|---|---|---|---|---|---|")
    for cells in sorted(table, key=lambda c: (c[3], c[0], c[1], c[2])):
        print("| " + " | ".join(cells) + " |")
    print("\n| stage | " + " | ".join(sorted({c[1] for c in table})) + " | all |")
    print("|---" * (len({c[1] for c in table}) + 2) + "|")
    stages = Counter(c[3] for c in table)
    columns = sorted({c[1] for c in table})
    for where in sorted(stages):
        per = Counter(c[1] for c in table if c[3] == where)
        print(f"| {where} | " + " | ".join(str(per[col]) for col in columns) + f" | {stages[where]} |")
    print("\n## A: unanswerable questions answered\n")
    print("| set | collection | id | confidence and best sentence's features | question |\n|---|---|---|---|---|")
    for cells in sorted(unanswered):
        print("| " + " | ".join(cells) + " |")


def totals(rows: list[dict]) -> str:
    """Fact hit, false abstention, abstention recall and talk hit@1 per set and half."""
    out = [
        "| set · half | n | fact hit | false abstention | abstention recall | talk hit@1 | citations per answer |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in dict.fromkeys(r["set"] for r in rows):
        for h in ("A", "B"):
            sub = [r for r in rows if r["set"] == name and r["half"] == h]
            ans = [r for r in sub if r["answerable"]]
            una = [r for r in sub if not r["answerable"]]
            hits = [r["hit@1"] for r in ans if r["hit@1"] is not None]
            cells = [f"{name} · {h}", str(len(sub)), _rate(ans, "fact_hit")]
            cells += [f"{sum(r['abstained'] for r in ans) / len(ans):.3f}", _rate(una, "abstained")]
            cells += [f"{sum(hits) / len(hits):.3f}", f"{_per_answer(sub):.2f}"]
            out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def by_collection(before: list[dict], after: list[dict]) -> str:
    """Per collection (both halves together: totals only), before -> after."""
    out = [
        "| collection | questions | fact hit | false abstention | abstention recall |",
        "|---|---|---|---|---|",
    ]
    for collection in sorted({r["collection"] or "-" for r in after}):
        cells = []
        for key, answerable in (("fact_hit", True), ("abstained", True), ("abstained", False)):
            pair = [
                _rate(
                    [r for r in rows if (r["collection"] or "-") == collection and r["answerable"] == answerable], key
                )
                for rows in (before, after)
            ]
            cells.append(" -> ".join(p.split(" ")[0] for p in pair))
        n = sum((r["collection"] or "-") == collection for r in after)
        out.append(f"| {collection} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def _rate(rows: list[dict], key: str) -> str:
    if not rows:
        return "-"
    n = sum(bool(r[key]) for r in rows)
    return f"{n / len(rows):.3f} ({n}/{len(rows)})"


def _per_answer(rows: list[dict]) -> float:
    answered = [r["citations"] for r in rows if not r["abstained"]]
    return sum(answered) / len(answered) if answered else 0.0


if __name__ == "__main__":
    main()
