"""Questions that the talks' metadata answers: who gave a talk, and whom a speaker works for.

Notes often say who spoke only where the talk starts (a heading "Title (Jane Doe)", a
"by Jane Doe, Acme" line), so no sentence of the talk holds the name and the fact answerer
cannot quote it. Ingestion has put the speakers and companies on the talk; this answers from
them, quoting the first source line of the talk that holds the name (verbatim, like every
citation), and says so when a talk the question clearly names has no speaker in the notes.

- "Who gave/presented <talk>?": the retrieved talk whose title, company and speakers hold
  most of what the question says about it (at least `metadata_talk_share` of the question's
  content words, rarer words counting more).
- "Which company does <speaker> work for?": the talk whose speakers include the person named;
  answered only when a company is known for them.
- "How many X …?" that no sentence answers, when a retrieved talk's title counts X ("Migrating 150+ Microservices to
  Kubernetes") and the talk's title, company and speakers hold every name the question gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from recapqa.answer.kinds import GIST_KINDS
from recapqa.answer.question import QuestionInfo, counted_as
from recapqa.answer.sentence_kinds import number_near
from recapqa.answer.targets import TalkTargets
from recapqa.gist_text import label
from recapqa.ingest import SkipFile, load_document
from recapqa.models import CANNOT_ANSWER, Answer, Citation, Speaker, Talk, quote_list
from recapqa.retrieve import Retrieval
from recapqa.settings import Settings
from recapqa.text import squash, terms

# Words that ask who spoke or whom they work for, not what the talk is about.
ASKING = frozenset(
    terms(
        """who whom whose gave give given giving presented present presenting presenter presenters speaker
        speakers spoke speak talk talks keynote session presentation panel moderated moderator host hosted
        work works worked working company companies employer organisation organization firm from"""
    )
)
_ASKS_COMPANY = re.compile(r"\b(work(s|ed|ing)? (for|at)|compan(y|ies)|employer|organi[sz]ation|firm)\b", re.I)
# A question asking who wrote the notes of a talk ('(report by X)' in its heading), and its words
# that are not about which talk.
_ASKS_WRITER = re.compile(
    r"\bwho (wrote|writes|reported|took (the )?notes|summari[sz]ed|blogged)\b|\b(report|write-?up|notes) by\b"
    r"|\bnote[- ]?taker\b",
    re.I,
)
WRITING = frozenset(
    terms("wrote write writes written writing up report reported notes took summarised summarized discussion blog post")
)
# A question asking for a person's job: "What is X's job/role/title?", "What does X do at Y?"
_ASKS_ROLE = re.compile(r"\b(job|role|position)\b|['’]s? (job )?title\b|\bwhat does .+ do (at|for)\b", re.I)
_EVENT = re.compile(r"\b(at|during)\s+(the\s+)?([A-Z][\w'’.:-]*\s*)+(\d{4}\b)?")
_MARKUP = re.compile(r"^[\s#>*\-+=]+")
_TALK_KINDS = frozenset(terms("keynote panel workshop tutorial fireside"))


class MetadataAnswerer:
    def __init__(self, targets: TalkTargets, settings: Settings) -> None:
        self.targets = targets
        self.settings = settings

    def answer(self, retrieval: Retrieval, info: QuestionInfo) -> Answer | None:
        """The speaker or company from the talks' metadata, or None (the fact answerer goes on)."""
        if _ASKS_WRITER.search(info.text) and info.kind not in GIST_KINDS:
            return self._writer(retrieval, info)
        if _ASKS_ROLE.search(info.text) and info.kind not in GIST_KINDS:  # else the sentences may say it
            role = self._of_person(retrieval, info, lambda person, talk: person.role)
            if role:
                return role
        if not (info.asks_speaker or info.kind == "company") or info.kind in GIST_KINDS:
            return None  # 'Where does X work?' asks for a speaker's company too
        if info.kind == "company" or _ASKS_COMPANY.search(info.text):  # 'Where does X work?' is kind company
            return self._company(retrieval, info)
        return self._speaker(retrieval, info)

    def _speaker(self, retrieval: Retrieval, info: QuestionInfo) -> Answer | None:
        talk = self._named_talk(retrieval, info)
        return None if talk is None else self.speakers_of(retrieval, info, talk)

    def speakers_of(
        self, retrieval: Retrieval, info: QuestionInfo, talk: Talk, evidence: list[Citation] | None = None
    ) -> Answer | None:
        """Who gave `talk`, quoted from its notes; `evidence`: citations saying why it is the
        talk asked about (a sentence on the topic the question gives), kept after the speakers'."""
        if not talk.speakers:
            if talk.kind != "talk":
                return None
            text = f"{CANNOT_ANSWER} The notes on {talk.title} do not say who gave it."
            return Answer(retrieval.question, text, True, "extractive", closest_talks=[talk])
        people = talk.speakers
        # "Who is the serverless VP of the panel?": the speaker whose name or role holds the rest
        rest = info.terms - ASKING - self.targets.label_terms[talk.talk_id] | (info.terms & _role_terms(talk))
        chosen = [p for p in people if rest & set(terms(f"{p.name} {p.role or ''}"))] or people
        lines = self._lines(talk)
        found = [self._line_with(retrieval, talk, lines, p.name, []) for p in chosen]
        citations = list({c.start_line: c for c in found if c}.values())
        if any(c is None for c in found):  # a name the notes do not write: nothing to quote it from
            return None
        cited = {c.start_line for c in citations}
        return self._answer(retrieval, citations + [c for c in evidence or [] if c.start_line not in cited])

    def _writer(self, retrieval: Retrieval, info: QuestionInfo) -> Answer | None:
        """Who wrote the notes of the talk asked about, quoted from the line naming them (a
        section's '(report by X)'); None when the notes name no one for it."""
        talk = self._named_talk(retrieval, info, WRITING)
        who = talk and (talk.meta.get("note_taker_of_talk") or talk.meta.get("note_taker"))
        if not talk or not isinstance(who, str):
            return None
        citation = self._line_with(retrieval, talk, self._lines(talk), who, [])
        return self._answer(retrieval, [citation]) if citation else None

    def _company(self, retrieval: Retrieval, info: QuestionInfo) -> Answer | None:
        return self._of_person(retrieval, info, lambda person, talk: person.company or talk.company)

    def _of_person(
        self, retrieval: Retrieval, info: QuestionInfo, known: Callable[[Speaker, Talk], str | None]
    ) -> Answer | None:
        """What the notes give of the speaker the question names (`known`: their company, their
        role), quoted from the line that says it; None when they give nothing."""
        asked = {squash(n) for n in info.names}
        talks = [h.talk for h in retrieval.hits] + self.targets.named(retrieval)  # named: by a speaker's name
        for talk in {t.talk_id: t for t in talks}.values():
            for person in talk.speakers:
                value = known(person, talk)
                if value and _same_person(person.name, asked):
                    lines = self._lines(talk)
                    citation = self._line_with(retrieval, talk, lines, value, [person.name.split()[-1]])
                    return self._answer(retrieval, [citation]) if citation else None
        return None

    def company_of(self, retrieval: Retrieval, talk: Talk, evidence: list[Citation]) -> Answer | None:
        """The company of `talk`'s speakers, quoted from its notes, then `evidence` (why it is
        the talk asked about); None when the notes give no company for it."""
        company = next((p.company for p in talk.speakers if p.company), None) or talk.company
        if not company:
            return None
        citation = self._line_with(retrieval, talk, self._lines(talk), company, [])
        if citation is None:
            return None
        return self._answer(retrieval, [citation, *[c for c in evidence if c.start_line != citation.start_line]])

    def count_in_title(self, retrieval: Retrieval, info: QuestionInfo) -> Answer | None:
        """A count a talk's title gives, for a count question no sentence answers."""
        if not info.focus or info.kind != "number":
            return None
        nouns = info.counted or counted_as(info.focus or "")
        for talk in {hit.talk.talk_id: hit.talk for hit in retrieval.hits}.values():
            named = squash(label(talk))
            if not number_near(talk.title, nouns, info.numbers, self.settings.count_noun_window):
                continue
            if all(any(f in named for f in forms) for forms in info.name_forms()):
                citation = self._line_with(retrieval, talk, self._lines(talk), talk.title, [])
                return self._answer(retrieval, [citation]) if citation else None
        return None

    def _named_talk(
        self, retrieval: Retrieval, info: QuestionInfo, asking: frozenset[str] = frozenset()
    ) -> Talk | None:
        """The retrieved talk whose label holds enough of the question's own words (not those
        asking who, nor the further ones `asking` what about it)."""
        events = {x for h in retrieval.hits for x in terms(str(h.talk.meta.get("conference") or ""))}
        asked = set(terms(_EVENT.sub(" ", info.text))) - ASKING - asking - events  # "at PyCon 2019": where
        if not asked:
            return self._only_talk_of_kind(retrieval, info)
        best, best_share = None, 0.0
        for hit in retrieval.hits:
            # what the question says names the talk (title, company, a speaker's role), not the
            # speaker asked for
            known = set(terms(f"{hit.talk.title} {hit.talk.company or ''}")) | _role_terms(hit.talk)
            share = self.targets.weight(asked & known) / self.targets.weight(asked)
            if share > best_share:
                best, best_share = hit.talk, share
        return best if best_share >= self.settings.metadata_talk_share else None

    def _only_talk_of_kind(self, retrieval: Retrieval, info: QuestionInfo) -> Talk | None:
        """'Who gave the keynote at SomeCon 2019?': the one retrieved talk titled as the kind the
        question names, of the event it names (the talk's conference or notes file)."""
        kinds = set(terms(info.text)) & _TALK_KINDS
        event = _EVENT.search(info.text)
        wanted = set(terms(event.group(0))) if event else set()
        found = {
            h.talk.talk_id: h.talk
            for h in retrieval.hits
            if kinds & set(terms(h.talk.title))
            and wanted <= set(terms(re.sub(r"[\W_]+", " ", f"{h.talk.meta.get('conference') or ''} {h.talk.source}")))
        }
        return next(iter(found.values())) if kinds and len(found) == 1 else None

    def _lines(self, talk: Talk) -> list[tuple[int, str]]:
        """The talk's source lines, numbered (none when its file cannot be read now)."""
        try:
            doc = load_document(self.settings.corpus_dir, talk.source)
        except (SkipFile, OSError):
            return []
        return [(n, doc.text_between(n, n).strip()) for n in range(talk.start_line, talk.end_line + 1)]

    def _line_with(
        self, retrieval: Retrieval, talk: Talk, lines: list[tuple[int, str]], text: str, also: list[str]
    ) -> Citation | None:
        """The first of the talk's `lines` holding `text` (and, preferably, `also`)."""
        wanted = squash(text)
        holding = [
            (not all(a.lower() in line.lower() for a in also), number, line)
            for number, line in lines
            if wanted and wanted in squash(line)
        ]
        if not holding:
            return None
        _, number, line = min(holding)
        quote = _MARKUP.sub("", line).strip()
        chunks = [h.chunk for h in retrieval.hits if h.talk.talk_id == talk.talk_id]
        covering = [c for c in chunks if c.span.start_line <= number <= c.span.end_line]
        return Citation(
            chunk_id=(covering or chunks)[0].chunk_id if chunks else "",
            talk=talk,
            source=talk.source,
            start_line=number,
            end_line=number,
            quote=quote,
            score=1.0,
        )

    def _answer(self, retrieval: Retrieval, citations: list[Citation]) -> Answer:
        return Answer(retrieval.question, quote_list([c.quote for c in citations]), False, "extractive", citations)


def _role_terms(talk: Talk) -> set[str]:
    return {x for p in talk.speakers for x in terms(p.role or "")}


def _same_person(name: str, asked: set[str]) -> bool:
    """'Jane Doe' is asked for by her surname ('doe' among the question's names) or her
    whole name, not by 'Jane' alone."""
    words = [squash(w) for w in name.split()]
    return bool(words) and (words[-1] in asked or "".join(words) in asked)
