"""What a sentence holds, per answer type: a count, an amount, a time, a place, an
organisation beside the person asked about, a reason, a name, a definition. The question
side (which type a question asks for) is the KINDS table in answer/question.py."""

from __future__ import annotations

import re

from recapqa.answer.affiliation import ORG_WORD, beside
from recapqa.answer.question import QuestionInfo, is_speaker_line
from recapqa.ingest.speakers import NAME_RE
from recapqa.text import GENERIC_NAMES, STOPWORDS, squash, terms, words

# A named place: 'in Denver', 'at the Venetian', '@ Harborview' ('@' apart from the word: not a
# handle), 'Location: Lisbon' (not 'in June', 'on Monday').
_PLACE = re.compile(
    r"(?i:\b(location|venue|place|city|where))\s*:\s*[A-Z]"
    r"|(\b(in|at)|(?<!\S)@(?=\s))\s+(the\s+)?(?!(January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)[A-Z][\w'’-]+"
)
# A role line: a few words, then 'at' or '@' and a capitalised name ('Principal at Cartwheel Web').
_AFFILIATION = re.compile(r"^\W*(?:[\w-]+\s+){1,4}(?:at|@)\s+[A-Z]")
_REASON = re.compile(r"\b(because|due to|reason|since|so that|comes from|in order to|as they|thus)\b", re.I)
_TIME = re.compile(
    r"\b(19|20)\d\d\b|\b(years?|months?|weeks?|weekly|daily|ago|before|after|january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.I,
)
_NUMBER_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?|billions?)\b", re.I
)
_VERSION = re.compile(r"\bv?\d+(\.\d+|\.x)+\b|\bv\d+\b|\b(version|release)\s+\d", re.I)
# A date: a month or weekday name, '11/29', '14th', 'day 2'.
_DATE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b\.?\s*\d"
    r"|\b\d{1,2}(st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(january|february|march|april|june|july|august|september|october|november|december)\b"
    r"|\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d{1,2}[/.]\d{1,2}\b"
    r"|\b\d{1,2}(st|nd|rd|th)\b|\bday\s*\d\b",
    re.I,
)
# The basic colour terms (Berlin & Kay) and the metals medals are named by.
_COLOUR = re.compile(
    r"\b(red|orange|yellow|green|blue|purple|violet|pink|brown|black|white|gr[ae]y|gold|silver|bronze)\b", re.I
)
# An e-mail address or a web address ('jane@example.org', 'https://…', 'www.…', 'example.com/x').
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\bhttps?://|\bwww\.|\b[\w-]+\.(com|org|net|io|dev)\b", re.I)
# A length of time: an amount (or 'a', 'a few') beside a unit of time.
# Or a range of units alone ('weeks to months', 'days to weeks').
_DURATION = re.compile(
    r"\b(\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|several|many|couple of)"
    r"[\s-]+(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|decades?)\b"
    r"|\b(seconds|minutes|hours|days|weeks|months|years)\s+(to|or)\s+(minutes|hours|days|weeks|months|years|decades)\b",
    re.I,
)
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b")  # a time stamp or a time of day, not an amount
# A share written: a percentage, a fraction word, 'one in five'; and what a percentage is
# 'of' ('3% of contributors').
_NUMBER_WORD = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)"
_SHARE = re.compile(
    rf"%|\bpercent|\b(half|third|quarter|fifth|tenth|majority)s?\b|\b{_NUMBER_WORD} (in|out of) {_NUMBER_WORD}\b",
    re.I,
)
_SHARE_OF = re.compile(r"(?:%|\bpercent)\s+of\s+(?:the\s+|all\s+)?([a-z][\w-]*)", re.I)
_MONEY = re.compile(r"[$€£¥]|\b(usd|eur|dollars?|euros?|pounds?)\b", re.I)
_YEAR = re.compile(r"^(19|20)\d\d$")
_YEARS = re.compile(r"(?<![\w.,])(?:19|20)\d\d(?!\d|[.,]\d)")  # 'in 2017', '2014-2016', not '2,019'
# Digits that are an amount: not glued to a letter before them, directly, by a hyphen or by an
# apostrophe ('S3', 'EC2', 'IPv6', 'GPT-4', 'COVID-19' are names; "DevConf'21" an edition).
_AMOUNT_DIGITS = re.compile(r"(?<![^\W_])(?<![^\W\d_][-'’])\d+")
# A count: not a number hyphenated to the word after it ('2-pizza teams' does not count teams).
_COUNT_DIGITS = re.compile(r"(?<![^\W_])(?<![^\W\d_][-'’])\d+(?![\d.,]*-[^\W\d_])")


# A link's target counts nothing: '([slides](https://…/2015-talks/Go%20kit.pdf))'.
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)|<?https?://[^\s)>]+>?")


def _amounts(text: str, asked: frozenset[str], counting: bool) -> set[str]:
    text = _CLOCK.sub(" ", _LINK_TARGET.sub("] ", text))  # '`38:20` - Sampling' counts nothing
    numbers = set((_COUNT_DIGITS if counting else _AMOUNT_DIGITS).findall(text)) - asked
    return {n for n in numbers if not _YEAR.match(n)} if counting else numbers


def _years(text: str) -> set[str]:
    return set(_YEARS.findall(text))


def _new_number_word(word: str, asked: frozenset[str]) -> bool:
    """Is `word` a number written as a word ('two', 'dozens') that the question did not give?"""
    return bool(_NUMBER_WORDS.fullmatch(word)) and word.lower() not in asked


def has_number(text: str, asked: frozenset[str], counting: bool = False) -> bool:
    """A number the question did not give; for counts, years do not count."""
    return bool(
        _amounts(text, asked, counting)
        or any(_new_number_word(m.group(0), asked) for m in _NUMBER_WORDS.finditer(text))
    )


# An ordinal counting occurrences: 'for the third year in a row', 'the 5th edition', 'for the
# first time'. It answers how many times (years, editions) something happened.
_REPEAT = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(st|nd|rd|th))\s+"
    r"(consecutive\s+|straight\s+|annual\s+)?(time|year|edition|iteration|installment)s?\b",
    re.I,
)
_OCCURRENCES = frozenset(terms("times years editions iterations installments occasions"))


def counts_repeats(text: str, nouns: frozenset[str]) -> bool:
    """Does the text count occurrences by an ordinal, and does the question count those?"""
    return bool(nouns & _OCCURRENCES) and bool(_REPEAT.search(text))


# A head count written as who came, whatever the notes call them: an amount, a few words, an active
# verb of coming together ('200 developers from six countries attended'; not 'was attended by').
_ATTENDANCE = re.compile(
    r"(?<![\w.,])(?!(?:19|20)\d\d\b)"  # not a year
    r"(?:\d[\d,.]*k?|one|two|three|four|five|six|seven|eight|nine|ten|a dozen|dozens|hundreds|thousands)\b"
    r"(?:\W+[\w'’-]+){0,10}?\W+(?<!\bwas )(?<!\bwere )(?<!\bis )(?<!\bbeen )"  # not 'was attended by'
    r"(?:attended|came|showed up|turned up|turned out|got together|gathered|joined|registered|signed up"
    r"|were there|were in attendance)\b",
    re.I,
)
_PEOPLE = frozenset(terms("people persons folks attendees participants"))


def counts_attendance(text: str, nouns: frozenset[str]) -> bool:
    """Does the question count people and the text say how many came?"""
    return bool(nouns & _PEOPLE) and bool(_ATTENDANCE.search(_LINK_TARGET.sub("] ", text)))


def same_noun(stem: str, nouns: frozenset[str]) -> bool:
    """'membership' counts 'members': a noun's stem of five letters or more opening the word's."""
    return stem in nouns or any(len(n) >= 5 and stem.startswith(n) for n in nouns)


def number_near(text: str, nouns: frozenset[str], asked: frozenset[str], window: int) -> bool:
    """Is an amount within `window` words of one of the counted `nouns` (stems)? A count
    belongs to the noun it is written beside: '8 microservices', 'models: 5.3k', not
    'two days' for talks."""
    tokens = words(_LINK_TARGET.sub("] ", text))
    at_noun = [  # '2.5 years ago' is a point in time, not an amount of years
        i
        for i, w in enumerate(tokens)
        if any(same_noun(t, nouns) for t in terms(w)) and tokens[i + 1 : i + 2] != ["ago"]
    ]
    at_amount = [i for i, w in enumerate(tokens) if _amounts(w, asked, True) or _new_number_word(w, asked)]
    return any(abs(i - j) <= window for i in at_noun for j in at_amount)


# The note-taker saying they were not there: "I wasn't at the keynote", "I missed this talk".
_NOT_THERE = re.compile(
    r"\b(I|we)\s+(have not been|haven'?t been|had not been|hadn'?t been)\s+(to|at)\s+"
    r"(the|this|that|his|her|their)\s+(talk|keynote|session|presentation|panel)s?\b"
    r"|\b(I|we)\s+(wasn'?t|was not|weren'?t|were not|didn'?t|did not|couldn'?t|could not)\s+"
    r"(at|attend|make it|(see|catch)\s+(the|this|that|his|her|their)\s+(talk|keynote|session|presentation|panel))\b"
    r"|\b(I|we)\s+(missed|skipped)\s+(the|this|that|it|most|part)\b",
    re.I,
)


def note_taker_absent(text: str) -> bool:
    """Does the sentence say the note-taker was not at the talk? It says nothing of what was said."""
    return bool(_NOT_THERE.search(text.replace("’", "'")))


_HANDLE = re.compile(r"(?<![\w.])@\w+")  # '@dwhitlock': a speaker's name again, not news
# A one-digit amount (`terms` drops one-character words): alone before a word ('2 days'), not a
# label's number ('3. Shared cache', '2) …', 'Point #2', 'S3', '3-6').
_LONE_DIGIT = re.compile(r"(?<![\w#.,'’/:-])\d(?=\s+[^\W\d_])")


def says_more(text: str, known: frozenset[str]) -> bool:
    """Does the text say anything beyond the words `known` (the question's words and numbers,
    and for most questions its talk's title and speakers)? '`11:05` - Bytecode checker' does not
    (a time stamp a link target or an @handle says nothing); '5,000 models' and '2 days' do."""
    text = _HANDLE.sub(" ", _CLOCK.sub(" ", _LINK_TARGET.sub("] ", text)))
    return bool(set(terms(text)) - known) or bool(set(_LONE_DIGIT.findall(text)) - known)


_NEGATION = re.compile(r"\b(no|not|never|none|without|cannot)\b|n['’]t\b", re.I)


def says_only_no(text: str, known: frozenset[str], question: str) -> bool:
    """Does the text only say 'no' to what a question without 'no' asks, nothing beyond the
    words `known` ('NO egress fees' for 'which option comes with egress fees')?"""
    return not says_more(text, known) and bool(_NEGATION.search(text)) and not _NEGATION.search(question)


def _holds_share(text: str, whole: frozenset[str]) -> bool:
    """A share, and when both the question and the text say what it is of, of the same thing
    ('3% of contributors' is no answer to 'what share of attendees'; '70% was single table'
    or 'Keep 10% of traces' for 'what sampling percentage' may be)."""
    if not _SHARE.search(text):
        return False
    wholes = [set(terms(m.group(1))) for m in _SHARE_OF.finditer(text)]
    return not whole or not wholes or any(w & whole for w in wholes)


def has_money(text: str) -> bool:
    return bool(_MONEY.search(text))


# Kinds a list item's label may hold for it (a label is quoted with its item).
_LABEL_KINDS = frozenset({"date", "year", "time", "duration", "place"})


def kind_score(info: QuestionInfo, text: str, context: str, list_item: bool) -> float:
    """0..2: how well a sentence holds what the question asks for."""
    speaker_line = is_speaker_line(text, context)
    if list_item and info.kind in _LABEL_KINDS and context and not context.rstrip().endswith(":"):
        text = f"{context}: {text}"  # '12/04/2004' above its items: the date they are about (quoted with them)
    if info.kind == "money":
        return 1.0 if has_money(text) and has_number(text, info.given_numbers) else 0.0
    if info.kind == "number":
        if info.share_of is not None:  # 'what share of attendees': a share, of attendees or of a whole
            return 1.0 if _holds_share(text, info.share_of) else 0.0
        counting = info.focus is not None
        if counting and counts_repeats(text, info.counted | {info.focus or ""}):
            return 1.0
        return 1.0 if has_number(text, info.given_numbers, counting=counting) else 0.0
    if info.kind == "year":
        return 1.0 if _amounts(text, info.numbers, False) & _years(text) else 0.0
    if info.kind == "version":  # '5.3', 'v2', 'version 4', 'Python 3.2'
        return 1.0 if _VERSION.search(text) else 0.0
    if info.kind == "date":
        return 1.0 if _DATE.search(text) or _years(text) - info.numbers else 0.0
    if info.kind == "duration":
        return 1.0 if _DURATION.search(text) else 0.0
    if info.kind == "colour":
        return 1.0 if _COLOUR.search(text) else 0.0
    if info.kind == "contact":
        return 1.0 if _CONTACT.search(text) else 0.0
    if info.kind == "time":
        return 1.0 if _TIME.search(text) else 0.0
    if info.kind == "place":  # a place the question does not name ('at the Contributors Summit' is not)
        places = (m.group(0).split()[-1] for m in _PLACE.finditer(text))
        asked = {squash(w) for w in words(info.text)}
        return 1.0 if any(squash(p) not in asked for p in places) else 0.0
    if info.kind == "company":  # the person asked about, beside an organisation
        if _AFFILIATION.match(text):
            return 2.0  # 'Principal at Cartwheel Web': a role line (whose talk is the person's: eligibility)
        if info.names:  # an organisation beside the person: 'Jane Roe, CTO, Acme', not any capitalised word
            return 1.0 if beside(text, info.names - STOPWORDS) else 0.0
        return 1.0 if _names_beyond(text, info.names) else 0.0
    if info.kind == "reason":
        return 1.0 if _REASON.search(text) else 0.0
    if info.kind == "person":  # a person the question does not name already
        named = any(set(re.findall(r"\w+", m.group(0).lower())) - info.names for m in NAME_RE.finditer(text))
        return (1.0 if named else 0.0) + (1.0 if speaker_line else 0.0)
    if info.kind == "list":
        return 1.0 if list_item or "," in text else 0.0
    if info.kind == "definition" and _spells_out(info, text):
        return 2.0  # 'What does FAIL stand for?': 'First Attempt In Learning'
    if info.kind == "definition":
        if info.subject and squash(context) == squash(info.subject):
            return 2.0  # '* Design thinking' then '  * "iterative process of …"': an item under the term
        if info.subject and re.match(
            rf"^(the |a |an )?{re.escape(info.subject)}s?\b.*?\b(is|are|means)\b|^{re.escape(info.subject)}\s*:"
            rf"|^(the |a |an )?{re.escape(info.subject)}s?\s*(\(|[-–—=]\s)",  # 'Vitess (database …)', 'UNC - …'
            text.strip(),
            re.I,
        ):
            return 2.0
        return 0.5 if re.search(r"\b(is|are|means)\b|:", text) else 0.0
    return 0.0


def _names_beyond(text: str, asked: frozenset[str]) -> bool:
    """A capitalised word, not opening the text, that is not a name the question gives (an
    organisation beside the person asked about)."""
    return any(word.lower() not in asked and word.lower() not in STOPWORDS for word in ORG_WORD.findall(text))


# A name written in the text: capitalised after its first word, letters with digits ('S3'), or
# a capital inside a word, also first ('DynamoDB was…').
_NAME_TOKEN = re.compile(r"(?<=\S\s)[A-Z][\w'’-]*|\b[A-Za-z]+\d[\w-]*|\b[A-Z][a-z]+[A-Z][\w'’-]*")


def names_other(text: str, asked: frozenset[str]) -> bool:
    """Does the text name something the question does not ('When S3 launched …' asked about
    another service)?"""
    return any(
        not _asked(token.lower(), asked) and token.lower() not in GENERIC_NAMES for token in _NAME_TOKEN.findall(text)
    )


def _asked(token: str, asked: frozenset[str]) -> bool:
    """Is the token a word the question gives, also as its possessive or plural ('Acme's',
    'APIs'; 'AWS' is not 'aw')?"""
    base = re.sub(r"['’]s?$", "", token)
    return base in asked or (base.endswith("s") and base[:-1] in asked)


def _spells_out(info: QuestionInfo, text: str) -> bool:
    """Does the text hold the spelled-out form of an abbreviation the question names?"""
    squashed = squash(text)
    return any(form != squash(name) and form in squashed for name, forms in info.forms for form in forms)
