"""Whether a sentence speaks of another time than the question asks about (an eligibility
rule, answer/eligibility.py 'other_time')."""

from __future__ import annotations

import re

# A question about how something started, and a sentence about how it is now.
_THEN = re.compile(
    r"\b(at (its |their )?launch|(when|as) (it|they) (first )?launched|first launched|initially|originally"
    r"|in the beginning|at the (start|outset))\b",
    re.I,
)
_NOW = re.compile(r"\b(today|nowadays|currently|these days|right now)\b", re.I)


# A rate or a span measured in a unit of time: 'per week', 'every day', 'a month', 'weekly',
# '6 months ago', 'than a year ago'.
_UNIT = r"(second|minute|hour|day|week|month|quarter|year|decade)s?"
_PERIOD = re.compile(
    rf"\b(?:per|each|every|a|an)\s+{_UNIT}\b(?!\s*(?:ago|later|before|after|of)\b)"
    rf"|\b(?:\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|several)\s+{_UNIT}\s+ago\b"
    r"|\b(hour|dai|week|month|quarter|year)ly\b|\bannually\b",
    re.I,
)
_ADVERB_UNIT = {"dai": "day", "annual": "year"}


def _periods(text: str) -> set[str]:
    """The units of time rates and spans are measured in ('per week': 'week'; '6 months ago': 'month')."""
    out = set()
    for m in _PERIOD.finditer(text):
        unit = next((g for g in m.groups() if g), "year")
        out.add(_ADVERB_UNIT.get(unit.lower(), unit.lower()))
    return out


def other_time(text: str, question: str) -> bool:
    """Does the sentence speak of another time than the question asks about: how things are
    now when it asks how they started ('today it has 235 microservices' for 'how many did it
    have when it first launched'), or a rate or span in another unit of time ('thousands of
    jobs per week' for 'how many per day'; 'than 3 months ago' for 'than a year ago')?"""
    if _THEN.search(question) and _NOW.search(text) and not _THEN.search(text):
        return True
    asked, said = _periods(question), _periods(text)
    return bool(asked and said and not asked & said)
