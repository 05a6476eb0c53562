"""Check a question file over ../shared/corpora without running the answerer.

    .venv/bin/python eval/check_questions.py [--file eval/corpora_questions.jsonl] [--ids REGEX]

For every row (or the rows whose id matches --ids): every answer string (and gist key point, as in
eval/summary_questions.jsonl, whose rows name no source: any notes file of the collection) occurs in its source
file (case and whitespace folded; a row with no collection, as in eval/questions.jsonl, is
checked against the notes of the default corpus, `corpus/`); every gold talk key matches a talk of its collection the
way the evaluator matches it (`metrics.talk_key` / `talk_matches`) (a note when it matches
several talks, or talks of other files only); unanswerable rows carry no answers. The file is loaded with
`load_questions` first (JSON, required fields, unique ids). Exit status 1 on any problem.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from recapqa.evaluate.metrics import talk_key, talk_matches
from recapqa.evaluate.questions import load_questions
from recapqa.ingest import load_corpus
from recapqa.models import Talk

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT = REPO / "corpus"  # the default corpus: rows with no collection


def folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def check_row(row: dict, talks: list[Talk]) -> list[str]:
    if row.get("collection") and "source" not in row:  # a gist row: any notes file of its collection
        where = f"{row['collection']}/"
        files = sorted(p for p in (CORPORA / row["collection"]).rglob("*") if p.is_file() and p.name != "LICENSE")
        text = folded(" ".join(p.read_text(encoding="utf-8", errors="replace") for p in files))
    elif row.get("collection"):
        source = CORPORA / row["collection"] / row["source"]
        if not source.is_file():
            return [f"{row['id']}: no source file {source}"]
        where, text = row["source"], folded(source.read_text(encoding="utf-8"))
    else:  # the default set: any notes file of corpus/
        where = f"{DEFAULT.name}/"
        text = folded(" ".join(p.read_text(encoding="utf-8") for p in sorted(DEFAULT.glob("*.txt"))))
    problems = [
        f"{row['id']}: answer {a!r} not in {where}"
        for a in row.get("answers", []) + row.get("answers_all", []) + row.get("key_points", [])
        if folded(a) not in text
    ]
    for key in row["talks"]:
        hits = [t for t in talks if talk_matches(key, *talk_key(t.talk_id, t.title, t.speaker_names))]
        if not hits:
            problems.append(f"{row['id']}: talk key {key!r} matches no talk of {row.get('collection') or where}")
        elif row.get("source", hits[0].source) not in {t.source for t in hits}:  # allowed: the talk listed elsewhere
            print(f"note {row['id']}: talk key {key!r} matches talks of other files only: {[t.source for t in hits]}")
        elif len(hits) > 1:
            print(f"note {row['id']}: talk key {key!r} matches {len(hits)} talks: {[t.talk_id for t in hits]}")
    if not row["answerable"] and (row.get("answers") or row.get("answers_all")):
        problems.append(f"{row['id']}: unanswerable with answers")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=REPO / "eval" / "corpora_questions.jsonl")
    parser.add_argument("--ids", default=".*", help="check only the rows whose id matches this regex")
    args = parser.parse_args()
    load_questions(args.file)
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if re.fullmatch(args.ids, r["id"])]
    talks: dict[str, list[Talk]] = {}
    problems = []
    for row in rows:
        collection = row.get("collection") or ""
        if collection not in talks:
            talks[collection] = load_corpus(CORPORA / collection if collection else DEFAULT).talks
        problems += check_row(row, talks[collection])
    print("\n".join(problems))
    print(f"{len(rows)} rows checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
