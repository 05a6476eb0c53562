"""The dev table of abstention errors: every unanswerable dev question answered anyway and
every answerable one abstained on (both question sets), with what the answerer saw.

    .venv/bin/python eval/near_misses.py [--work DIR] [--ids REGEX] [--all] > table.md

Per question: the answer kind asked (answer/kinds.py) and whether the best eligible
sentence holds a value of that kind (its `kind` feature), that sentence and its talk, its
probability and the answer's confidence (what `abstain_threshold` is compared with), its
features (answer/features.py), and the question's terms that are in neither the sentence,
its lead-in and heading, nor its talk's metadata, with their IDF over the notes (rarest
first). Dev splits only: test failures are not read (eval/README.md). `--all` lists every
dev question, not only the errors (to compare the errors with the answers that held).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from calibrate import SETS, WORK

from recapqa.answer.features import NAMES
from recapqa.answer.question import analyse
from recapqa.evaluate import metrics as m
from recapqa.evaluate.questions import load_questions
from recapqa.pipeline import Assistant
from recapqa.settings import Settings

SHOWN = ("dense", "cover", "cover_text", "kind", "names_sentence", "names_talk", "terms_unknown")


def rows(work: Path, ids: str | None, everything: bool) -> list[str]:
    out = []
    for name, (questions_path, corpus) in SETS.items():
        questions = [
            q for q in load_questions(questions_path) if q.split == "dev" and (ids is None or re.match(ids, q.id))
        ]
        for collection in dict.fromkeys(q.collection for q in questions):
            folder = corpus / collection if collection else corpus
            settings = Settings(corpus_dir=folder, index_dir=work / name / (collection or "all"))
            assistant = Assistant.open(settings, notify=lambda _m: None)
            answerer = assistant.extractive
            for q in (q for q in questions if q.collection == collection):
                answer, retrieval = assistant.ask(q.question, mode="extractive")
                error = answer.abstained if q.answerable else not answer.abstained
                held = q.answerable and not answer.abstained and m.fact_hit(answer.answer, q.answers, q.answers_all)
                if not (error or everything):
                    continue
                info = analyse(q.question, answerer.proper_nouns)
                eligible = [c for c in answerer.candidates(retrieval, info) if c.eligible]
                cells = [name, collection or "-", q.id, "answerable" if q.answerable else "unanswerable"]
                cells += ["abstained" if answer.abstained else ("held" if held else "answered"), info.kind]
                cells.append(_cell(q.question))
                if not eligible:
                    out.append(" | ".join([*cells, "(no eligible sentence)", "", "", "", "", ""]))
                    continue
                best = eligible[0]
                values = dict(zip(NAMES, best.features, strict=True))
                sentence = answerer.index.sentences[best.row]
                missing = sorted(
                    (t for t in info.terms if t not in answerer.facts.sentences[best.row].terms),
                    key=lambda t: -answerer.idf(t),
                )
                cells += [
                    _cell(sentence.text),
                    _cell(answerer.index.talks[sentence.talk_id].title),
                    "yes" if values["kind"] > 0 else "no",
                    f"{best.score:.2f} / {answerer.confidence(eligible):.2f}",
                    " ".join(f"{k} {values[k]:.2f}" for k in SHOWN),
                    " ".join(f"{t} {answerer.idf(t):.1f}" for t in missing),
                ]
                out.append(" | ".join(cells))
    return out


def _cell(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=WORK, help="where the indexes are (one per set and collection)")
    parser.add_argument("--ids", help="regex of the question ids to look at (default: all dev questions)")
    parser.add_argument("--all", action="store_true", help="every dev question, not only the abstention errors")
    args = parser.parse_args()
    header = (
        "set | collection | id | gold | outcome | kind asked | question | best eligible sentence | its talk "
        "| holds the kind | p / confidence | features | question terms missing (IDF)"
    )
    print(header)
    print("|".join(["---"] * header.count("|")) + "|---")
    for line in rows(args.work, args.ids, args.all):
        print(line)


if __name__ == "__main__":
    main()
