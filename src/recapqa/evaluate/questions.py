"""The question-set format (eval/README.md documents it)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recapqa.errors import QuestionSetError


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


def _texts(row: dict[str, Any], key: str) -> list[str]:
    """A list-of-strings field (absent: empty); a bare string would be read letter by letter."""
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ValueError(f"'{key}' must be a list of strings, not {json.dumps(value)[:40]}")
    return [str(v) for v in value]


def _question(row: Any) -> Question:
    if not isinstance(row, dict):
        raise ValueError(f"a JSON object is needed, not {type(row).__name__}")
    missing = [k for k in ("id", "question", "answerable") if k not in row]
    if missing:
        raise ValueError(f"missing {', '.join(repr(k) for k in missing)}")
    if not isinstance(row["question"], str):
        raise ValueError("'question' must be a string")
    return Question(
        id=str(row["id"]),
        question=row["question"],
        answers=_texts(row, "answers"),
        talks=_texts(row, "talks"),
        answerable=bool(row["answerable"]),
        split=str(row.get("split", "all")),
        type=str(row.get("type", "")),
        collection=str(row["collection"]) if row.get("collection") else None,
        answers_all=_texts(row, "answers_all"),
        extra={k: v for k, v in row.items() if k not in _FIELDS},
    )


def load_questions(path: Path) -> list[Question]:
    fix = "each line needs id, question, answers, talks, answerable (see eval/README.md)"
    if path.is_dir():
        raise QuestionSetError(f"question file {path} is a folder", "pass --questions a JSONL file")
    if not path.is_file():
        what = "is not a regular file" if path.exists() else "not found"  # /dev/null, a pipe: not a question set
        raise QuestionSetError(f"question file {path} {what}", "pass --questions FILE (JSONL)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise QuestionSetError(f"{path} is not UTF-8 text (byte {exc.start})", "save it as UTF-8 JSONL") from exc
    except OSError as exc:
        raise QuestionSetError(
            f"question file {path} cannot be read ({exc.strerror})", "check its permissions"
        ) from exc
    out, ids = [], set()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            q = _question(row)
        except ValueError as exc:  # json.JSONDecodeError is one
            raise QuestionSetError(f"{path}:{n}: not a valid question ({exc})", fix) from exc
        if q.id in ids:
            raise QuestionSetError(f"{path}:{n}: duplicate id {q.id}", "give every question its own id")
        gist = "key_points" in row or row.get("shape") == "which_talks"
        if q.answerable and not (q.answers or q.answers_all or gist):
            raise QuestionSetError(f"{path}:{n}: answerable question without answers", "list acceptable answers")
        ids.add(q.id)
        out.append(q)
    if not out:
        raise QuestionSetError(f"{path} holds no questions", "add one JSON object per line")
    return out
