"""Rule (e) of the support check (answer/citations.py): a talk's header answers what it says.

Notes put some answers only in a talk's header, which the prompt shows with every source as
"[n] Title (Speakers)": who gave it ("Puzzle Sprint (Opal Reyes)"), the speaker's
company ("Marta (Fenwick labs) Packet Replay Engine"), a figure in the title ("Porting 150+
Services to Stormline"). No sentence of the notes says it, so rules (b) and (c) find
nothing. The header counts as the claim's support when

- the question names the cited talk: every name of the question is in the talk's header (its
  title, speakers and company) and the header holds at least `share` of the question's content
  words (a header is only an answer about the talk the question is about), and
- the question asks for what a header gives (who, which company, which talk) or the claim
  adds a number, and
- the header says what the claim says, by the word rules of answer/support.py, with its title,
  speakers and company as the sentence; for who / which company questions the words the claim
  adds must be among the names the header gives (its speakers, company, and what the title puts
  in brackets after a name), not in the rest of the title ("Replacing NGINX with Envoy" does not
  say its speaker works for Envoy).

The citation then quotes the header (`HEADER_ROW` in place of a sentence row).
"""

from __future__ import annotations

import re

from recapqa.answer.claims import Claim
from recapqa.answer.support import ClaimWords, added_numbers, text_support
from recapqa.answer.verdicts import Verdict
from recapqa.models import Hit, Talk
from recapqa.text import terms, words

_BRACKETS = re.compile(r"\(([^()]+)\)")
HEADER_ROW = -1  # a Verdict source resting on the cited talk's header, not on a sentence of its notes


def header_names(talk: Talk) -> str:
    """Who the header names: the speakers, their companies, and what the title puts in brackets
    ("Marta (Fenwick labs) Packet Replay Engine": Fenwick labs). The rest of a title names
    what the talk is about ("Replacing Halvard with Stormline" is not where its speaker works)."""
    return " ".join([*_BRACKETS.findall(talk.title), *talk.speaker_names, *_companies(talk)])


def _companies(talk: Talk) -> list[str]:
    """The talk's company and its speakers' (each once)."""
    found = [talk.company, *(s.company for s in talk.speakers)]
    return list(dict.fromkeys(c for c in found if c))


def header_text(talk: Talk) -> str:
    """The talk's header as the prompt shows it, with the companies: "Title (Speaker, Company)"."""
    names = [*talk.speaker_names, *_companies(talk)]
    return f"{talk.title} ({', '.join(names)})" if names else talk.title


def names_talk(question: str, names: frozenset[str], talk: Talk, share: float) -> bool:
    """The question is about `talk`: each of its `names` (lower case) is in the talk's header,
    and the header holds at least `share` of its content words."""
    header = header_text(talk)
    if share <= 0 or not names <= set(words(header)):
        return False
    asked = set(terms(question))
    return bool(asked) and len(asked & set(terms(header))) / len(asked) >= share


def header_support(
    claim: str, known: set[str], question: str, talk: Talk, names: frozenset[str], share: float, by_names: bool
) -> float | None:
    """Support of `talk`'s header for the claim (module doc), or None; `known`: the words that
    are not new (the question's, the names of the talks shown), `names`: the question's names,
    `by_names`: only the names the header gives may say what the claim adds."""
    new = set(terms(claim)) - known
    if not (new or added_numbers(claim, question)) or not names_talk(question, names, talk, share):
        return None
    header = header_text(talk)
    said = header_names(talk) if by_names else header
    return text_support(ClaimWords.of(claim, new, question, None), said, frozenset(terms(header)), None)


def header_verdict(
    claim: Claim, hits: list[Hit], known: set[str], question: str, names: frozenset[str], by_names: bool, share: float
) -> Verdict | None:
    """The claim kept on the header of a cited talk the question names, when that header says
    what the claim says (`header_support`; `share`: settings.llm_header_share)."""
    for number in [n for n in claim.cited if 1 <= n <= len(hits)]:
        score = header_support(claim.text, known, question, hits[number - 1].talk, names, share, by_names)
        if score is not None:
            return Verdict(claim.text, claim.cited, "supported by its talk's header", [(number, HEADER_ROW, score)])
    return None
