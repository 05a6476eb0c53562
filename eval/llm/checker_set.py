"""The labelled checker set: (claim, cited source, question) triples from real model replies.

    .venv/bin/python eval/llm/checker_set.py extract eval/llm/runs/*.jsonl > /tmp/triples.jsonl
    .venv/bin/python eval/llm/checker_set.py hand eval/llm/hand_cases.jsonl > /tmp/hand.jsonl

`extract` turns every cited claim of the stored raw replies into a triple, with what a person
needs to label it (the expected answers, the cited talk, the best-matching sentence of the
passages shown) and the passages the model was shown, as (talk_id, first characters) so the
test can find them again in a rebuilt index. Labels are added by hand ("supported" when the
cited talk's passages say what the claim says AND it answers the question; "not supported"
otherwise) into eval/llm/checker_set.jsonl, with hand-written hard cases; the checker's own
verdict is never copied into a label. tests/answer/test_checker_set.py measures the checker
on that file, per split: every triple has a frozen `split` (`hash_split` for the triples that
existed when the split was made; triples from fresh replies to test questions are "test", new
batches written for tuning are "dev" with a `split_note` starting "new"; see
eval/llm/README.md). Improve the checker on dev errors only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
INDEX = Path(os.environ.get("RECAPQA_EVAL_INDEX", Path(tempfile.gettempdir()) / "recapqa-eval-llm-index"))
HEAD_CHARS = 80


def hash_split(question: str, claim: str) -> str:
    """The frozen dev/test split of a triple: sha256 of question, newline, claim; even -> dev.
    Triples added later from fresh model replies are written as "test" (see README)."""
    digest = hashlib.sha256(f"{question}\n{claim}".encode()).hexdigest()
    return "dev" if int(digest[:8], 16) % 2 == 0 else "test"


def source_refs(assistant: Any, chunk_ids: list[str]) -> list[dict[str, str]]:
    chunks = {c.chunk_id: c for c in assistant.index.chunks}
    return [{"talk_id": chunks[c].talk_id, "head": chunks[c].text[:HEAD_CHARS]} for c in chunk_ids if c in chunks]


def resolve(index: Any, refs: list[dict[str, str]]) -> list[Any] | None:
    """The chunks the refs name, in order; None if any is gone from the index."""
    out = []
    for ref in refs:
        found = [c for c in index.chunks if c.talk_id == ref["talk_id"] and c.text.startswith(ref["head"])]
        if not found:
            return None
        out.append(found[0])
    return out


def extract(paths: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from measure import open_assistant

    from recapqa.answer.claims import split_claims
    from recapqa.answer.text import terms

    assistants: dict[str | None, Any] = {}
    seen: set[tuple[str, str, int]] = set()
    for path in paths:
        lines = [json.loads(line) for line in Path(path).read_text().splitlines()]
        model = lines[0]["meta"]["model"]
        for row in lines[1:]:
            if not row["reply"]:
                continue
            collection = row.get("collection")
            if collection not in assistants:
                assistants[collection] = open_assistant(INDEX, collection)
            assistant = assistants[collection]
            refs = row["source_refs"]
            chunks = resolve(assistant.index, refs) or []
            for claim in split_claims(row["reply"]):
                for n in claim.cited[:2]:
                    key = (row["question"], claim.text, n)
                    if key in seen or not 1 <= n <= len(chunks):
                        continue
                    seen.add(key)
                    talk = chunks[n - 1].talk_id
                    sentences = [
                        s.text
                        for c in chunks
                        if c.talk_id == talk
                        for s in assistant.index.sentences
                        if s.talk_id == talk and s.text in c.text
                    ]
                    want = set(terms(claim.text))
                    best = max(sentences, key=lambda s: len(want & set(terms(s))), default="")
                    triple = {"origin": model, "qid": row["id"], "question": row["question"], "claim": claim.text}
                    triple |= {"collection": collection} if collection else {}
                    triple |= {"cited": n, "sources": refs, "answers": row["answers"], "talk": talk, "best": best}
                    print(json.dumps(triple, ensure_ascii=False))


def hand(path: str) -> None:
    """Hand-written cases (question, claim, talk, label; `collection` for a question on other
    people's notes) as triples: the sources are those the prompt would show for the question,
    the cited one the first passage of that talk."""
    sys.path.insert(0, str(Path(__file__).parent))
    from measure import open_assistant

    from recapqa.answer.prompt import fit_sources

    assistants: dict[str | None, Any] = {}
    for case in map(json.loads, Path(path).read_text().splitlines()):
        if "claim" not in case:  # the file's first line may say the rule its labels follow
            continue
        collection = case.get("collection")  # a case on other people's notes (../shared/corpora)
        if collection not in assistants:
            assistants[collection] = open_assistant(INDEX, collection)
        assistant = assistants[collection]
        settings = assistant.settings
        retrieval = assistant.retriever.retrieve(case["question"])
        hits = fit_sources(retrieval.hits, case["question"], settings.llm_context_tokens - settings.llm_max_tokens)
        numbers = [n for n, h in enumerate(hits, 1) if case["talk"] in h.talk.talk_id]
        if not numbers:
            print(f"no passage of {case['talk']} shown for {case['question']!r}", file=sys.stderr)
            continue
        refs = source_refs(assistant, [h.chunk.chunk_id for h in hits])
        triple = {"origin": case.get("origin", "hand"), "question": case["question"], "claim": case["claim"]}
        triple |= {"collection": collection} if collection else {}
        triple |= {"cited": numbers[0], "sources": refs, "label": case["label"], "note": case["note"]}
        print(json.dumps(triple, ensure_ascii=False))


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("extract", "hand"):
        sys.exit(__doc__)
    extract(sys.argv[2:]) if sys.argv[1] == "extract" else hand(sys.argv[2])
