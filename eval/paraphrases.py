"""Rewording fragility: does a dev question's rewording get the same outcome as the question?

    .venv/bin/python eval/paraphrases.py [--work DIR] [--save FILE] [--before FILE] [--show A]

Asks every dev question of both sets (extractive mode), and for every row of the paraphrase
batch (`notes` beginning "paraphrase of <id>", eval/README.md "Paraphrase batch p") compares its
outcome with its original's: right, wrong (answered without a gold string) or abstained; for a
near miss, abstained or answered. A pair flips when the two differ. Pairs are halved by the
original's id (`calibrate.half`): `--show A` prints half A's flips (questions and answers); half
B is totals only. `--save` writes one JSON line a question; `--before` is such a file of an
earlier run, printed beside this one. Dev only: test is never asked here.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from calibrate import SETS, WORK, half

from recapqa.evaluate import metrics as m
from recapqa.evaluate.questions import Question, load_questions
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

ORIGINAL = re.compile(r"paraphrase of (\w+)")


def outcomes(work: Path) -> tuple[dict[str, dict], dict[str, Question]]:
    """Per dev question id: set, collection, outcome and answer; and the questions by id."""
    rows: dict[str, dict] = {}
    asked: dict[str, Question] = {}
    for name, (questions_path, corpus) in SETS.items():
        questions = [q for q in load_questions(questions_path) if q.split == "dev"]
        for collection in dict.fromkeys(q.collection for q in questions):
            folder = corpus / collection if collection else corpus
            settings = Settings(corpus_dir=folder, index_dir=work / name / (collection or "all"))
            assistant = Assistant.open(settings, notify=lambda _m: None)
            for q in (q for q in questions if q.collection == collection):
                answer, _ = assistant.ask(q.question, mode="extractive")
                if answer.abstained:
                    outcome = "abstained"
                elif not q.answerable:
                    outcome = "answered"
                else:
                    outcome = "right" if m.fact_hit(answer.answer, q.answers, q.answers_all) else "wrong"
                rows[q.id] = {"set": name, "collection": collection or "default", "outcome": outcome}
                rows[q.id]["answer"] = answer.answer
                asked[q.id] = q
    return rows, asked


def pairs(rows: dict[str, dict], notes: dict[str, str]) -> list[tuple[str, str]]:
    """(original id, paraphrase id) for every paraphrase row whose original was asked."""
    found = ((ORIGINAL.match(notes.get(pid) or ""), pid) for pid in rows)
    return [(match.group(1), pid) for match, pid in found if match and match.group(1) in rows]


def flip_table(rows: dict[str, dict], pairs_: list[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """(group, 'n' / 'flips' / 'a->b') counts; groups: set, set · collection, half, all."""
    table: Counter[tuple[str, str]] = Counter()
    for original, paraphrase in pairs_:
        before, after = rows[original]["outcome"], rows[paraphrase]["outcome"]
        name, collection = rows[original]["set"], rows[original]["collection"]
        for group in (name, f"{name} · {collection}", f"half {half(original)}", "all"):
            table[group, "n"] += 1
            if before != after:
                table[group, "flips"] += 1
                table[group, f"{before}->{after}"] += 1
    return table


def render(table: Counter[tuple[str, str]], before: Counter[tuple[str, str]] | None) -> str:
    groups = sorted({g for g, _ in table}, key=lambda g: (g == "all", g.startswith("half"), g))
    kinds = sorted({k for _, k in table if "->" in k} | {k for _, k in (before or {}) if "->" in k})
    out = ["| group | pairs | flips | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 3) + "|"]
    for group in groups:
        cells = [
            f"{before[group, k]} -> {table[group, k]}" if before is not None else str(table[group, k])
            for k in ("flips", *kinds)
        ]
        out.append(f"| {group} | {table[group, 'n']} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=WORK, help="where the indexes are (as eval/calibrate.py)")
    parser.add_argument("--save", type=Path, help="one JSON line a question: id, set, collection, outcome, answer")
    parser.add_argument("--before", type=Path, help="a --save file of an earlier run")
    parser.add_argument("--show", choices=("A",), help="print the flips of half A")
    args = parser.parse_args()
    rows, asked = outcomes(args.work)
    raw = (json.loads(line) for path, _ in SETS.values() for line in path.read_text().splitlines() if line.strip())
    notes = {str(row["id"]): str(row.get("notes") or "") for row in raw}
    if args.save:
        args.save.write_text("".join(json.dumps({"id": qid, **row}) + "\n" for qid, row in rows.items()))
    found = pairs(rows, notes)
    before = None
    if args.before:
        earlier = {r["id"]: r for r in map(json.loads, args.before.read_text().splitlines())}
        before = flip_table(earlier, [p for p in found if p[0] in earlier and p[1] in earlier])
    print(render(flip_table(rows, found), before))
    for original, paraphrase in found if args.show else ():
        o, p = rows[original], rows[paraphrase]
        if half(original) == "A" and o["outcome"] != p["outcome"]:
            print(f"\n{original} -> {paraphrase}: {o['outcome']} -> {p['outcome']} ({o['collection']})")
            for qid, row in ((original, o), (paraphrase, p)):
                print(f"  {asked[qid].question}\n    {' '.join(row['answer'].split())[:200]}")


if __name__ == "__main__":
    main()
