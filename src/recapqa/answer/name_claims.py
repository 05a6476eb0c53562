"""Questions whose answer is a name, for the support check (answer/citations.py), and the
claim a talk's own names support.

Three kinds of question take names as their answer: who / which company (speaker and company
names count as new words, for which company the words of talk titles too, as a title may name
it: "Building database applications using Aerospike"; and the claim must name someone; the cited talk's "Speaker:" lines
count among its sentences, as they do for the extractive answerer, and for which company
they are eligible answers too: a person's employer is said there), which talk / session (a
claim that gives only a shown talk's title and names is supported by that talk's most
relevant sentence when it passes (c)) and who / which speakers (the same for a claim naming
every speaker of a talk of at most settings.llm_names_max_speakers speakers).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from recapqa.answer.candidates import Candidate
from recapqa.answer.claims import Claim
from recapqa.answer.verdicts import Verdict
from recapqa.models import Hit
from recapqa.text import terms

_ASKS_COMPANY = re.compile(r"\b(which|what) (company|companies|organi[sz]ations?|firms?|employer)\b", re.I)
_ASKS_TALK = re.compile(r"\b(which|what) (talks?|sessions?|presentations?|keynotes?|panels?)\b", re.I)
# questions whose answer is who spoke: a talk's speakers answer them; "which" may take a few
# words that say which speaker ("which WidgetConf lightning talk speaker"), not a verb
# ("what did the speaker say" asks what was said)
_ASKS_WHO_SPOKE = re.compile(
    r"^\s*(who|whom)\b|\b(which|what) (?:(?!(?:did|does|do|is|are|was|were|has|have|had)\b)\S+ ){0,4}"
    r"(speakers?|presenters?|panelists?)\b",
    re.I,
)


def asks_who_spoke(question: str) -> bool:
    """Whether the question's answer is who spoke (a talk's speakers answer it)."""
    return bool(_ASKS_WHO_SPOKE.search(question))


def asks_which_company(question: str) -> bool:
    return bool(_ASKS_COMPANY.search(question))


def asks_which_talk(question: str) -> bool:
    return bool(_ASKS_TALK.search(question))


def names_a_relevant_talk(
    claim: Claim,
    hits: list[Hit],
    known: set[str],
    relevance: dict[int, Candidate],
    asks_talk: bool,
    rows: Callable[[int], list[tuple[int, int]]],
    max_speakers: int,
) -> Verdict | None:
    """For "which talk" questions (`asks_talk`), a claim that gives only the cited talk's
    title and names (and words of the question); for "who" / "which speakers" questions,
    one that gives only the cited talk's names and names every speaker of a talk given by
    at most `max_speakers` people (settings.llm_names_max_speakers; not a panel, whose
    members say different things): it is supported by that talk's most relevant sentence,
    among the (source number, row) pairs `rows` gives for a source number."""
    claim_terms = set(terms(claim.text))
    added = claim_terms - known
    for number in [n for n in claim.cited if 1 <= n <= len(hits)]:
        talk = hits[number - 1].talk
        names = set(terms(" ".join([talk.title, talk.company or "", *talk.speaker_names])))
        if not added or not added <= names:
            continue
        speakers = set(terms(" ".join(talk.speaker_names)))
        by_title = asks_talk and bool(set(terms(talk.title)) & added)
        by_speakers = bool(speakers) and speakers <= claim_terms and len(talk.speaker_names) <= max_speakers
        if not (by_title or by_speakers):
            continue
        ranked = sorted(((relevance[row].score, n, row) for n, row in rows(number) if row in relevance))
        if ranked:
            _, n, row = ranked[-1]
            return Verdict(claim.text, claim.cited, "supported", [(n, row, relevance[row].score)])
    return None
