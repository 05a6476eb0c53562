"""The question-set format (eval/README.md documents it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recapqa.errors import RecapqaError


@dataclass
class Question:
    id: str
    question: str
    answers: list[str]
    talks: list[str]
    answerable: bool
    split: str = "all"
    type: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    collection: str | None = None  # a subfolder of the corpus: the notes this question is about
    answers_all: list[str] = field(default_factory=list)  # all must appear (compound and list questions)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.extra,
            "id": self.id,
            "question": self.question,
            "answers": self.answers,
            "talks": self.talks,
            "answerable": self.answerable,
            "split": self.split,
            "type": self.type,
            "collection": self.collection,
            "answers_all": self.answers_all,
        }


_FIELDS = {"id", "question", "answers", "talks", "answerable", "split", "type", "collection", "answers_all"}


def load_questions(path: Path) -> list[Question]:
    if not path.is_file():
        raise RecapqaError(f"question file {path} not found", "pass --questions FILE (JSONL)")
    out, ids = [], set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q = Question(
                id=str(row["id"]),
                question=str(row["question"]),
                answers=[str(a) for a in row.get("answers", [])],
                talks=[str(t) for t in row.get("talks", [])],
                answerable=bool(row["answerable"]),
                split=str(row.get("split", "all")),
                type=str(row.get("type", "")),
                collection=str(row["collection"]) if row.get("collection") else None,
                answers_all=[str(a) for a in row.get("answers_all", [])],
                extra={k: v for k, v in row.items() if k not in _FIELDS},
            )
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise RecapqaError(
                f"{path}:{n}: not a valid question ({exc})",
                "each line needs id, question, answers, talks, answerable (see eval/README.md)",
            ) from exc
        if q.id in ids:
            raise RecapqaError(f"{path}:{n}: duplicate id {q.id}", "give every question its own id")
        gist = "key_points" in row or row.get("shape") == "which_talks"
        if q.answerable and not (q.answers or q.answers_all or gist):
            raise RecapqaError(f"{path}:{n}: answerable question without answers", "list acceptable answers")
        ids.add(q.id)
        out.append(q)
    if not out:
        raise RecapqaError(f"{path} holds no questions", "add one JSON object per line")
    return out
