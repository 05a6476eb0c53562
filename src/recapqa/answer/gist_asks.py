"""How people ask for the gist of talks: the question shapes of the gist kinds in the
question-kind table (answer/question.py), one pattern per kind, matched on the lowered
question; the table's order decides between them (which talks, themes, compare, takeaways,
summary, speaker on a topic).

Each pattern is a wording convention, not a phrase list of one question set: a talk is
named by any of its nouns (talk, keynote, session, presentation, panel, breakout,
workshop, discussion); an event by conference, event, summit, meetup, day, track, or the
talks, sessions, keynotes of it; a view by what people do with one (say, think, argue,
explain, describe, see ...).
"""

from __future__ import annotations

import re

_TALK = r"(?:talks?|keynotes?|sessions?|presentations?|panels?|breakouts?|workshops?|discussions?|write-?ups?)"
_ONE_TALK = r"(?:talk|keynote|session|presentation|panel|breakout|workshop|discussion|write-?up)"  # one, not several
_EVENT = r"(?:conference|event|summit|meetup|day|track|talks|sessions|keynotes|presentations|panels|speakers|across)"
# a whole event, not its talks one by one
_WHOLE = r"(?:conference|event|summit|meetup|convention|symposium)"
# what people keep of something: its ideas, points, takeaways, lessons, highlights
_KEEP = r"(?:main|key|big|central|major|core) (?:ideas|points|messages|themes)|take ?aways|lessons|highlights|learnings"
_SAYS = (
    r"(?:say|said|think|thinks|share|shared|mention|mentioned|tell|told|talk|explain|explained|argue|argued|claim"
    r"|note|noted|stress|stressed|suggest|suggested|recommend|recommended|propose|proposed|have to say)"
)
_VIEW = r"(?:advice|views?|take|opinion|position|stance|thoughts|perspective|message|point|argument|verdict)"

GIST_ASKS: dict[str, re.Pattern[str]] = {
    "which_talks": re.compile(
        r"\b(which|what) (talks|sessions|presentations|speakers|keynotes)\b.*\b(mention|discuss|cover|talk"
        r"|touch|address|deal|about|present|describ|explain|introduc|bring|brought|rais)"
        r"|\b(which|what) (talks|sessions|speakers) (were )?(on|about)\b"
    ),
    # "what themes ran through the keynotes", "what did the talks have in common"; what to keep
    # of a whole event ("the main ideas of the conference", "takeaways from the summit") is its
    # themes, not one talk's takeaways
    "themes": re.compile(
        rf"\b(themes?|topics|trends|threads|big ideas|subjects)\b.*\b{_EVENT}\b|\bwhat (themes|trends)\b"
        rf"|^(?!.*\b{_ONE_TALK}\b).*\b({_KEEP}) (of|from|at) (the )?(?:[\w().&'’-]+ ){{0,3}}{_WHOLE}\b"
        r"|\bacross (the|all|these) (talks|sessions|keynotes|presentations)\b.*\b(themes?|topics|trends|threads)\b"
        r"|\b(most|many|all) (of the )?(speakers|talks|sessions|keynotes) (talk|talked|discuss|discussed) about\b"
        r"|\b(the|these|those|all) (talks|sessions|keynotes|presentations|speakers) have\b.*\bin common\b"
        rf"|\bwhat (was|were|is|are) the {_WHOLE} (all |mostly |mainly )?(about|like|focused on)\b"
        rf"|\bwhat did the {_WHOLE} (cover|discuss|focus on|talk about)\b"
        # "what topics came up at <an event's name>", "the main themes of <it>": not of one talk
        rf"|^(?!.*\b{_ONE_TALK}\b)\s*what (were |are )?(the )?(main |key |big |common )?(themes|topics|trends)\b"
    ),
    # two talks side by side: "compare", "differ", "in common", "similar", "A vs B", "how do A and B approach X";
    # "compared with/to" qualifies a fact ("what share of X, compared with Y?"), it does not ask for two talks
    "compare": re.compile(
        r"^(?=.*\b(compare[s]?|compared(?!\s+(?:with|to)\b(?![^,?]*(?:\btalks?\b|['’]s\b)))|comparison|differ\w*|versus|vs|contrast\w*|similar\w*"
        r"|in common|disagree\w*)\b)"
        r"(?=.*(\btalks?\b|\band\b|\bvs\b|['’]s\b))"
        r"|^\s*how (do|did|does) .+ and .+ (talk about|approach|handle|treat|see|view|deal with|discuss)\b"
    ),
    # what to keep from a talk: takeaways, lessons, highlights, conclusions, what to remember
    "takeaways": re.compile(
        r"\b(key |main )?(take ?aways?|lessons? learned|learnings|key points|main points|main messages?|main ideas)\b"
        r"|\bwhat came out of\b|\b(outcomes?|conclusions?|lessons?|highlights?) (of|from)\b"
        r"|\bmost important (points|things|ideas|lessons)\b|\bwhat should (i|we|you) (remember|take away|know)\b"
        r"|\bwhat did .+ conclude\b|\b(key |main )?insights\b|\bthings to (remember|know|take away)\b"
        r"|\bwhat lessons\b"
    ),
    # a whole talk: "summarize", "what was X's / this talk about", "what did X say/talk about/cover/present?",
    # "what was covered in the X session", "tell me about / describe / walk me through the X talk"
    "summary": re.compile(
        r"\b(summari[sz]e|summary|recap|overview|gist|tl;?dr|sum up|short version|in a nutshell)\b"
        r"|\bwhat happened in\b|\bwhat did (i|we) miss\b|\b(i|we) missed\b"
        rf"|\bwhat (was|is) (the |this |that |(?:[\w.&-]+ ){{0,3}}[\w.&-]+['’]s? ).*\b{_TALK} (all )?about\b"
        rf"|\bwhat (was|is) (the |(?:[\w.&-]+ ){{0,3}}[\w.&-]+['’]s? ).*\b{_TALK} on\s*\??\s*$"
        rf"|\bwhat (was|is) (the |(?:[\w.&-]+ ){{0,3}}[\w.&-]+['’]s? )(?:[\w-]+ ){{0,2}}{_TALK} (on|about) "
        r".+ about\s*\??\s*$"
        r"|\bwhat did .+ (say|talk about|present|discuss|cover|go over)\s*\??\s*$"
        rf"|\bwhat (was|were) (covered|discussed|presented)\b.*\b{_TALK}\b"
        rf"|\b(tell me about|describe|walk me through|brief me on)\b.*\b{_TALK}\s*\??\s*$"
    ),
    # a speaker or company on a topic: "what did X say/think/argue about Y", "X's view of Y", "how does X see Y"
    "speaker_topic": re.compile(
        rf"\bwhat (did|does|do) .+ {_SAYS}(?: (?:the )?\w+)? (about|on|regarding)\b|\bwhat (did|does|do) .+ think of\b"
        rf"|\b{_VIEW} (of|from) .+ (on|about)\b|\bwhat (was|is|were|are) .+['’]s? {_VIEW} (on|about|regarding)\b"
        r"|\bwhat points? did .+ make (about|on|regarding)\b"
        r"|^\s*how (does|did|do) .+ (see|view|think about|feel about|talk about|approach) "
        rf"|^\s*(did|does|do) .+ {_SAYS} (anything |something )?(about|on|regarding)\b"
    ),
}
