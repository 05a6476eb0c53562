"""Which talks a question names: by company, speaker (full, first or last name), the
organisations in speakers' roles, or a distinctive word of the title ("the recsys panel")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from recapqa.models import Chunk, Speaker, Talk
from recapqa.text import STOPWORDS, is_cjk_name, normalize

# Generic words that never name a talk by themselves (function words, talk words, titles).
_COMMON_TEXT = """
the and for with from talk talks what how who which why when where keynote panel session presentation
speaker speakers company companies conference day track dr mr ms mrs prof
"""
_COMMON = frozenset(_COMMON_TEXT.split()) | STOPWORDS
# An alias found in the notes of more than this share of talks is too common to name one.
MAX_ALIAS_TALK_SHARE = 0.25
# An alias other than a person's full name (a company, one word of a name, a word of a title)
# found in the notes of more than this share of talks, and of more than MAX_WORD_TALKS, is an
# ordinary word of the collection ("scale", "compiler", "lambda" in notes on serverless): it
# still names its talk, but does not rank it first (retrieve.py). Corpora set, dev half A:
# talk hit@1 166 -> 171 of 183 (the share 0.1: 169, 0.25: 168; full names held to the same
# limit lose a question naming a speaker); half B 198 of 208 and the default set unchanged.
# On collections under 60 talks it is MAX_WORD_TALKS that binds.
MAX_WORD_TALK_SHARE = 0.05
MAX_WORD_TALKS = 2
_ORG_IN_ROLE = re.compile(r"\b(?:at|from|of|@)\s+([A-Z][\w&'’]*(?:\s+[A-Z][\w&'’]*){0,3})")


def _with_joined(name: str) -> set[str]:
    """'blue harbor' is also written 'blueharbor'."""
    return {name, name.replace(" ", "")}


def full_name(speaker: Speaker) -> str:
    """The speaker's name, normalized, without an honorific."""
    return normalize(re.sub(r"^(dr|prof|mr|ms|mrs)\.?\s+", "", speaker.name, flags=re.I))


def speaker_aliases(speaker: Speaker) -> set[str]:
    """Full name, distinctive first or last name, surname particles ('del balso'), and the
    organisations named in the role ('at Blue Harbor Games')."""
    name = full_name(speaker)
    parts = name.split()
    aliases = {name, " ".join(parts[1:])}
    aliases.update(p for p in parts if len(p) >= 4)
    for org in [*_ORG_IN_ROLE.findall(speaker.role or ""), speaker.company or ""]:
        if org.strip():
            aliases |= _with_joined(normalize(org))
    return {a for a in aliases if a and a not in _COMMON}


def talk_names(talk: Talk) -> set[str]:
    """The names a talk goes by: its company, its speakers' (and a report's writer's) names
    and organisations."""
    names: set[str] = set()
    if talk.kind != "talk":
        return names
    for company in re.split(r"[/,&]", talk.company or ""):
        if company.strip():
            names |= _with_joined(normalize(company))
    for speaker in _people_of(talk):
        names |= speaker_aliases(speaker)
    return {a for a in names if a and a not in _COMMON}


def _people_of(talk: Talk) -> list[Speaker]:
    """Its speakers, and the writer of a report ('Enterprise Use (report by X)': the section is
    X's report, named by X)."""
    taker = talk.meta.get("note_taker_of_talk")
    return [*talk.speakers, *([Speaker(str(taker))] if taker else [])]


def people(talk: Talk) -> set[str]:
    """The full names (two words or more, or a CJK name: `is_cjk_name`) of a talk's speakers and of its report's writer:
    what names the talk beyond doubt, where one word (a first name, a company, a title word)
    may name something else."""
    if talk.kind != "talk":
        return set()
    return {n for n in map(full_name, _people_of(talk)) if (" " in n or is_cjk_name(n)) and n not in _COMMON}


def title_words(talk: Talk) -> set[str]:
    """The distinctive words of a talk's title ("the recsys panel")."""
    if talk.kind != "talk":
        return set()
    words = set(normalize(talk.title).split()) - _COMMON
    return {w for w in words if len(w) >= 5 or w == "panel"}


def talk_aliases(talk: Talk) -> set[str]:
    """Everything a question may name a talk by: its names and its title's words."""
    return talk_names(talk) | title_words(talk)


def _by_alias(talks: Iterable[Talk]) -> dict[str, set[str]]:
    by_alias: dict[str, set[str]] = {}
    for talk in talks:
        for alias in talk_aliases(talk):
            by_alias.setdefault(alias, set()).add(talk.talk_id)
    return by_alias


def talk_notes(chunks: Iterable[Chunk]) -> dict[str, str]:
    """Each talk's notes, its chunks joined: what `alias_use` looks in."""
    notes: dict[str, list[str]] = {}
    for chunk in chunks:
        notes.setdefault(chunk.talk_id, []).append(chunk.text)
    return {t: " ".join(parts) for t, parts in notes.items()}


def alias_use(talks: Iterable[Talk], texts: dict[str, str]) -> Counter[str]:
    """How many talks' notes use each alias. An alias is words (`normalize`d), so it is in a
    talk's notes when it is one of their runs of as many consecutive words: one pass over each
    talk's words, not one search per alias and talk. An index counts them when it is built
    (store/corpus_words.py), not each time it is loaded."""
    finder = AliasFinder(_by_alias(talks))
    talks_using: Counter[str] = Counter()
    for text in texts.values():
        talks_using.update(finder.found(text))
    return talks_using


def common_of(talks_using: Mapping[str, int], talks_with_notes: int) -> frozenset[str]:
    """The aliases the notes of more than MAX_ALIAS_TALK_SHARE of the talks use (`talks_using`:
    `alias_use`): they name none of them."""
    return frozenset(a for a, count in talks_using.items() if count > alias_limit(talks_with_notes))


def ordinary_of(talks_using: Mapping[str, int], talks: Iterable[Talk], talks_with_notes: int) -> frozenset[str]:
    """The aliases other than a person's full name used by the notes of more talks than
    MAX_WORD_TALKS and than MAX_WORD_TALK_SHARE of them: ordinary words of the collection."""
    full = {name for talk in talks for name in people(talk)}
    limit = max(MAX_WORD_TALKS, MAX_WORD_TALK_SHARE * talks_with_notes)
    return frozenset(a for a, count in talks_using.items() if count > limit and a not in full)


def alias_limit(talks_with_notes: int) -> float:
    """An alias used by the notes of more talks than this is common (`common_of`)."""
    return max(3, MAX_ALIAS_TALK_SHARE * talks_with_notes)


def all_aliases(talks: Iterable[Talk]) -> frozenset[str]:
    """Every alias of the talks (what `alias_use` looks for in their notes)."""
    return frozenset(_by_alias(talks))


class AliasFinder:
    """Which of a set of aliases a text uses: an alias is words (`normalize`d), so it is in
    a text when it is one of its runs of as many consecutive words."""

    def __init__(self, aliases: Iterable[str]) -> None:
        self.singles: set[str] = set()
        self.longer: set[str] = set()
        self.lengths: dict[str, set[int]] = {}  # first word of a longer alias -> its word counts
        for alias in aliases:
            words = alias.split(" ")
            if len(words) == 1:
                self.singles.add(alias)
            else:
                self.longer.add(alias)
                self.lengths.setdefault(words[0], set()).add(len(words))

    def found(self, text: str) -> set[str]:
        words = normalize(text).split()
        found = self.singles.intersection(words)
        lengths, longer = self.lengths, self.longer
        for i in [i for i, w in enumerate(words) if w in lengths]:
            found.update(run for n in lengths[words[i]] if (run := " ".join(words[i : i + n])) in longer)
        return found


@dataclass(frozen=True)
class Mentions:
    """The talks a question names, and those of them it names by a person's full name: a full
    name names its talk beyond doubt, where one word (a first name, a company, a word of the
    title) may mean something else."""

    talks: frozenset[str] = frozenset()
    by_full_name: frozenset[str] = frozenset()
    # named only by ordinary words of the collection (`ordinary_of`): not ranked up for it
    by_ordinary_word: frozenset[str] = frozenset()


class TalkMatcher:
    def __init__(
        self,
        talks: Iterable[Talk],
        texts: dict[str, str] | None = None,
        common: frozenset[str] | None = None,
        ordinary: frozenset[str] | None = None,
    ) -> None:
        """`texts`: each talk's notes; an alias most talks' notes use names none of them.
        `common`: those aliases, already found (`common_of`); then `texts` is not read;
        `ordinary`: the aliases that name a talk without ranking it first (`ordinary_of`;
        found in `texts` when not given)."""
        talks = list(talks)
        by_alias = _by_alias(talks)
        if common is None or ordinary is None:
            use = alias_use(talks, texts) if texts else Counter[str]()
            common = common_of(use, len(texts or ())) if common is None else common
            ordinary = ordinary_of(use, talks, len(texts or ())) if ordinary is None else ordinary
        self._ordinary = ordinary
        full = {t.talk_id: people(t) for t in talks}
        # an alias of more than two talks says little, but a person giving three talks names them
        most = alias_limit(len(talks))
        self._alias_to_talks = {
            a: t
            for a, t in by_alias.items()
            if a not in common and (len(t) <= 2 or (len(t) <= most and all(a in full[i] for i in t)))
        }
        self._full_names = {a: {i for i in t if a in full[i]} for a, t in self._alias_to_talks.items()}
        self._twins = same_recording(talks)
        alternatives = "|".join(sorted(map(re.escape, self._alias_to_talks), key=len, reverse=True))
        self._pattern = re.compile(rf"\b({alternatives})\b") if alternatives else None

    def mentioned(self, question: str) -> set[str]:
        return set(self.mentions(question).talks)

    def mentions(self, question: str) -> Mentions:
        if self._pattern is None:
            return Mentions()
        found: set[str] = set()
        in_full: set[str] = set()
        ranked: set[str] = set()
        for match in self._pattern.finditer(normalize(question)):
            alias = match.group(1)
            found |= self._alias_to_talks[alias]
            in_full |= self._full_names[alias]
            if alias not in self._ordinary:
                ranked |= self._alias_to_talks[alias]
        found = self._with_twins(found)
        return Mentions(
            frozenset(found), frozenset(self._with_twins(in_full)), frozenset(found - self._with_twins(ranked))
        )

    def _with_twins(self, talks: set[str]) -> set[str]:
        return talks | {twin for talk in talks for twin in self._twins.get(talk, ())}


def same_recording(talks: Iterable[Talk], most: int = 3) -> dict[str, set[str]]:
    """Talks whose notes link the same recording or slides (ingest/links.py) are one talk
    written up twice (a listing and a write-up): naming one names the others. A link shared by
    more than `most` talks (a playlist, a conference's page) says nothing."""
    by_link: dict[str, set[str]] = {}
    for talk in talks:
        for link in talk.meta.get("recordings") or ():
            by_link.setdefault(link, set()).add(talk.talk_id)
    twins: dict[str, set[str]] = {}
    for sharing in by_link.values():
        if 1 < len(sharing) <= most:
            for talk_id in sharing:
                twins.setdefault(talk_id, set()).update(sharing - {talk_id})
    return twins


# Document metadata that names what a talk is about (ingest/docmeta.py keys).
TALK_METADATA = (
    "conference",
    "track",
    "title",
    "date",
    "description",
    "tags",
    "code",
    "note_taker",
    "note_taker_of_talk",
)


def _flat(value: object) -> str:
    return " ".join(map(str, value)) if isinstance(value, list) else str(value or "")


def talk_text(talk: Talk) -> str:
    """Everything known about a talk besides its notes: title, company, speakers with their
    roles and companies, and the document's metadata (conference, track, file title, note-taker)."""
    people = " ".join(f"{s.name} {s.role or ''} {s.company or ''}" for s in talk.speakers)
    meta = " ".join(_flat(talk.meta.get(k)) for k in TALK_METADATA)
    return f"{talk.title} {talk.company or ''} {people} {talk.talk_id.replace('-', ' ')} {meta}"
