"""Ingestion against expected outlines written by people (tests/ingest/outlines/).

Per file and per collection: talk-boundary precision/recall/F1 (a found talk matches an
expected one when it starts within `LINE_TOLERANCE` lines of it; one to one, in order),
title match among matched talks, speaker precision/recall by name and the share of
expected companies found, and content lines lost: lines dropped that the outline does not
call noise (markup-only drops such as heading underlines excepted), and lines in no
section and not dropped at all.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recapqa.ingest import ParsedDocument, parse_document
from recapqa.ingest.readers import read_document

LINE_TOLERANCE = 3
TITLE_MATCH = 0.5  # word overlap (of the shorter title) for a title to count as right
MARKUP_REASONS = {
    "heading underline",
    "thematic break",
    "separator line",
    "document title",
    "grouping heading",
    "directive marker",
}


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _words(text: str) -> set[str]:
    return set(norm(text).split())


def title_matches(found: str, expected: str) -> bool:
    a, b = _words(found), _words(expected)
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= TITLE_MATCH


def _company_matches(found: str | None, expected: str | None) -> bool:
    a, b = norm(found), norm(expected)
    return bool(a and b) and (a in b or b in a)


@dataclass
class Score:
    talks_expected: int = 0
    talks_found: int = 0
    talks_matched: int = 0
    titles_right: int = 0
    speakers_expected: int = 0
    speakers_found: int = 0
    speakers_right: int = 0
    companies_expected: int = 0
    companies_right: int = 0
    content_dropped: int = 0
    unaccounted: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name, value in vars(other).items():
            if name == "misses":
                self.misses.extend(value)
            else:
                setattr(self, name, getattr(self, name) + value)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    def figures(self) -> dict[str, float | int]:
        p = self._ratio(self.talks_matched, self.talks_found)
        r = self._ratio(self.talks_matched, self.talks_expected)
        sp = self._ratio(self.speakers_right, self.speakers_found)
        sr = self._ratio(self.speakers_right, self.speakers_expected)
        return {
            "talk_precision": p,
            "talk_recall": r,
            "talk_f1": 2 * p * r / (p + r) if p + r else 0.0,
            "title_match": self._ratio(self.titles_right, self.talks_matched),
            "speaker_precision": sp,
            "speaker_recall": sr,
            "speaker_f1": 2 * sp * sr / (sp + sr) if sp + sr else 0.0,
            "company_recall": self._ratio(self.companies_right, self.companies_expected),
            "content_lines_dropped": self.content_dropped,
            "lines_unaccounted": self.unaccounted,
            "talks_expected": self.talks_expected,
        }


def _match(found: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[tuple[dict, dict]]:
    pairs, used = [], set()
    for exp in expected:
        best = None
        for n, talk in enumerate(found):
            distance = abs(talk["start_line"] - exp["line"])
            rank = (not title_matches(talk["title"], exp["title"]), distance)
            if n not in used and distance <= LINE_TOLERANCE and (best is None or rank < best[0]):
                best = (rank, n)
        if best is not None:
            used.add(best[1])
            pairs.append((found[best[1]], exp))
    return pairs


def score_file(parsed: ParsedDocument, gold: dict[str, Any], source: str) -> Score:
    score = Score()
    found = [s.talk.to_dict() for s in parsed.sections if s.talk.kind == "talk"]
    expected = [t for t in gold.get("talks") or [] if t.get("kind", "talk") == "talk"]
    score.talks_found, score.talks_expected = len(found), len(expected)
    pairs = _match(found, expected)
    score.talks_matched = len(pairs)
    matched_found = {id(f) for f, _ in pairs}
    matched_expected = {id(e) for _, e in pairs}
    for talk in found:
        if id(talk) not in matched_found:
            score.speakers_found += len(talk["speakers"])
            score.misses.append(f"{source}:{talk['start_line']} extra talk {talk['title']!r}")
    for exp in expected:
        people = exp.get("speakers") or []
        score.companies_expected += sum(1 for p in people if p.get("company"))
        if id(exp) not in matched_expected:
            score.speakers_expected += len(people)
            score.misses.append(f"{source}:{exp['line']} missed talk {exp['title']!r}")
    for talk, exp in pairs:
        if title_matches(talk["title"], exp["title"]) or title_matches(talk["meta"].get("heading", ""), exp["title"]):
            score.titles_right += 1
        else:
            score.misses.append(f"{source}:{exp['line']} title {talk['title']!r} != {exp['title']!r}")
        gold_people = {norm(p["name"]): p.get("company") for p in exp.get("speakers") or []}
        got = {norm(s["name"]): s.get("company") for s in talk["speakers"]}
        score.speakers_expected += len(gold_people)
        score.speakers_found += len(got)
        right = set(gold_people) & set(got)
        score.speakers_right += len(right)
        score.companies_right += sum(_company_matches(got[n], gold_people[n]) for n in right if gold_people[n])
        if set(gold_people) != set(got):
            score.misses.append(f"{source}:{exp['line']} speakers {sorted(got)} != {sorted(gold_people)}")
    _lines(parsed, gold, score, source)
    return score


def _lines(parsed: ParsedDocument, gold: dict[str, Any], score: Score, source: str) -> None:
    doc = parsed.document
    noise: set[int] = set()
    for item in gold.get("noise") or []:
        first, last = item["lines"]
        noise.update(range(first, last + 1))
    covered: set[int] = set()
    for section in parsed.sections:
        covered.update(range(section.talk.start_line, section.talk.end_line + 1))
    dropped_source: set[int] = set()
    for index, reason in doc.dropped.items():
        first, last = doc.source_lines(index, index)
        lines = set(range(first, last + 1))
        dropped_source |= lines
        if reason not in MARKUP_REASONS and not lines <= noise:
            score.content_dropped += 1
            score.misses.append(f"{source}:{first} dropped ({reason}) {doc.lines[index].strip()[:50]!r}")
    if doc.line_spans is None:
        for index, line in enumerate(doc.lines):
            if line.strip() and index + 1 not in covered and index + 1 not in dropped_source:
                score.unaccounted += 1
                score.misses.append(f"{source}:{index + 1} in no section: {line.strip()[:50]!r}")


def load_gold(outlines_dir: Path) -> dict[str, dict[str, Any]]:
    """source (relative to the corpora folder) -> expected outline."""
    gold = {}
    for path in sorted(outlines_dir.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("source"):
            gold[data["source"]] = data
    return gold


def score_corpora(corpora_dir: Path, outlines_dir: Path) -> dict[str, Score]:
    """Score per collection (the first folder of each source), plus 'all'."""
    scores: dict[str, Score] = {"all": Score()}
    for source, expected in load_gold(outlines_dir).items():
        if expected.get("skipped"):
            continue
        path = corpora_dir / source
        collection = source.split("/")[0]
        doc = read_document(path, source)
        parsed, _ = parse_document(doc, path, set())
        file_score = score_file(parsed, expected, source)
        scores.setdefault(collection, Score()).add(file_score)
        scores["all"].add(file_score)
    return scores
