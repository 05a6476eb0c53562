"""Word tables of the gist answerer (answer/gist.py): what a gist question asks with, what
is never a theme, and the cues of a takeaways passage."""

from __future__ import annotations

import re

from recapqa.gist_text import LINKS, NOT_THEMES
from recapqa.text import terms

__all__ = [
    "ABOUT_CUE",
    "ASIDE_CUE",
    "ASKING_WORDS",
    "CONCLUDING_CUE",
    "GENERIC_WORDS",
    "LINKS",
    "NOT_THEMES",
    "QUOTED_LINE",
    "SESSION_KINDS",
    "SUMMARY_LABEL",
    "TAKEAWAY_CUE",
]

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
# Kinds of session: asking words in "what did the keynote cover", but they point at notes too
# when a file's title names them ("the themes of the keynotes": the notes titled "The Keynotes").
SESSION_KINDS = frozenset(terms("keynote keynotes panel panels workshop workshops session sessions talk talks"))
# Words of how people talk, not of what about: a pair holding one is not a theme ("good
# amount", "make sense", "feels like", "really like").
GENERIC_WORDS = frozenset(
    terms(
        """good great nice bad big small little lot lots much many more most less one two first last next new
        old real really very quite pretty well just also still even like likes liked feel feels felt make makes
        made sense way ways thing things kind bit amount number due sure able whole same different other"""
    )
)
# NOT_THEMES (labels of links, roles of people) and LINKS: gist_text.py, which the index build shares
TAKEAWAY_CUE = re.compile(r"\b(takeaways?|lessons?|learnings?|conclusions?|key points?|advice|recommend\w*)\b", re.I)
# How notes say a talk's conclusion in the sentence itself ("She concluded his talk with ...",
# "In the end they reached ..."): the point the talk ends on.
CONCLUDING_CUE = re.compile(r"\b(conclu\w*|in the end|to sum up|summ\w+ up|wrap\w* up)\b", re.I)
# A line quoted word for word (Markdown '> '): someone's one-liner, not a point the notes make.
QUOTED_LINE = re.compile(r"^\s*>", re.M)
# How notes say what a talk is about: "The presentation emphasized ...", "We discussed ...".
ABOUT_CUE = re.compile(
    r"\b(talks?|talked|presentation|presented|session|keynote|focus\w*|discuss\w*|emphasi\w*|highlight\w*"
    r"|covered|main|mainly|about)\b",
    re.I,
)
# The note-taker's asides, not the talk's points: a pointer for the reader to something else
# ("Check out the video series", "If you're curious to learn more ...", "look out for the talk") or
# the writer's own doing or liking, said in the first person singular ("I really liked how ...").
ASIDE_CUE = re.compile(
    r"\b(?:check out|look out for|to learn more|if you(?:['’]re| are) (?:curious|interested)|if this is interesting)\b"
    r"|^\W*I\b(?!['’]?[.)])",
    re.I,
)
# The labels notes put before the line saying what a talk is about ("**Summary:** The talk
# explains ...", "TL;DR: ...", "Abstract: ..."): a common convention of notes, not of one corpus.
SUMMARY_LABELS = ("summary", "tl;dr", "tldr", "tl dr", "abstract", "synopsis", "overview", "in short", "in a nutshell")
SUMMARY_LABEL = re.compile(
    r"^[\W_]*(?:" + "|".join(re.escape(label) for label in SUMMARY_LABELS) + r")[*_\s]*:[*_]*\s*\S",
    re.I,
)
