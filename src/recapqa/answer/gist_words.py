"""Word tables of the gist answerer (answer/gist.py): what a gist question asks with, what
is never a theme, and the cues of a takeaways passage."""

from __future__ import annotations

import re

from recapqa.ingest.wordlists import ROLE_WORDS
from recapqa.text import terms

# Words of a gist question that say what is asked, not what it is about.
ASKING_WORDS = frozenset(
    terms(
        """summarize summarise summary recap overview gist takeaway takeaways lesson lessons learned learning
        key main point points theme themes topic topics trend trends conference event talk talks session
        sessions presentation keynote speaker speakers mention mentions mentioned discuss discussed cover
        covered say said think thought share shared view views opinion compare comparison differ difference
        versus contrast tell told about which what how present presents presented describe described explain
        explained introduce introduced bring brings brought raise raised touch touched"""
    )
)
# Labels of links and roles of people: never what a theme is about.
_LABELS = "video videos slides text pdf link links here blog post photo thing things lot way"
NOT_THEMES = frozenset(terms(_LABELS)) | frozenset(terms(" ".join(ROLE_WORDS)))
LINKS = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|https?://\S+|\bwww\.\S+")
TAKEAWAY_CUE = re.compile(r"\b(takeaways?|lessons?|learnings?|conclusions?|key points?|advice|recommend\w*)\b", re.I)
# How notes say what a talk is about: "The presentation emphasized ...", "We discussed ...".
ABOUT_CUE = re.compile(
    r"\b(talks?|talked|presentation|presented|session|keynote|focus\w*|discuss\w*|emphasi\w*|highlight\w*"
    r"|covered|main|mainly|about)\b",
    re.I,
)
