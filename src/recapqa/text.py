"""The one text-normalisation module: words, stemmed content terms, IDF, and the folded
forms names are compared in (`squash`: letters and digits only; `normalize`: words
separated by single spaces). Every stage that compares text uses these."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache

_STOPWORDS_TEXT = """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers him his how i if in into is it its itself just me more
    most my no nor not now of off on once only or other our out over own same she should so
    some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours according said say says tell talk mention mentioned speaker speakers notes
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_GENERIC_NAMES_TEXT = """
    ml ai mlops llm llms genai api ui ux ceo ci cd ds mle i what which who how why when where much many
    is are does did do the a an in on for
"""
GENERIC_NAMES = frozenset(_GENERIC_NAMES_TEXT.split())
# Months and weekdays: capitalised, but a date, which notes also write in digits ('12/04/2004').
_DATE_NAMES_TEXT = """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
"""
DATE_NAMES = frozenset(_DATE_NAMES_TEXT.split())
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+'’.-]*[A-Za-z0-9+]|[A-Za-z0-9]")


# Numbers written as words, with their digits: 'two-pizza teams' gives the number 2.
NUMBER_WORD_VALUES = {
    w: str(n)
    for n, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
    )
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORD_VALUES) + r")\b", re.I)


def spelled_numbers(text: str) -> set[str]:
    """The numbers written as words in `text`, each as the word and as digits."""
    found = {m.group(1).lower() for m in _NUMBER_WORD.finditer(text)}
    return found | {NUMBER_WORD_VALUES[w] for w in found}


def with_digits(text: str) -> str:
    """`text` with each number written as a word followed by its digits ("Nine patterns":
    "Nine 9 patterns"), so a figure a claim gives in digits is found where notes spell it."""
    return _NUMBER_WORD.sub(lambda m: f"{m.group(1)} {NUMBER_WORD_VALUES[m.group(1).lower()]}", text)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer("english")


def words(text: str) -> list[str]:
    return [_no_possessive(w.strip(".'’").lower()) for w in WORD.findall(text)]


def _no_possessive(word: str) -> str:
    """`re.sub(r"['’]s$", "", word)` without a regex call per word (a word has no newline)."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def terms(text: str) -> list[str]:
    """Stemmed content words; hyphenated words count as their parts too ('multi-cloud'
    matches 'multi cloud')."""
    out: list[str] = []
    for word in words(text):
        parts = [word, *word.split("-")] if "-" in word else [word]
        out.extend(_stem(p) for p in parts if p not in STOPWORDS and len(p) > 1)
    return out


class Idf:
    def __init__(self, documents: list[str]) -> None:
        counts: Counter[str] = Counter()
        for doc in documents:
            counts.update(set(terms(doc)))
        self.n = max(1, len(documents))
        self._idf = {t: math.log(1 + self.n / c) for t, c in counts.items()}
        self.unknown = math.log(1 + self.n)

    def __call__(self, term: str) -> float:
        return self._idf.get(term, self.unknown)

    def known(self, term: str) -> bool:
        """Does the term occur in any of the documents?"""
        return term in self._idf


# letters of scripts without capitals where a name is written without spaces (Han, Hangul),
# and kana (next to them: not a name)
CJK_LETTERS, KANA = "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3", "\u3040-\u30ff"
_CJK_NAME = re.compile(f"[{CJK_LETTERS}]{{2,4}}")


def is_cjk_name(text: str) -> bool:
    """Two to four Han or Hangul characters: how a name is written in Chinese, Japanese or
    Korean, family and given name together ('王小明', '김민수')."""
    return bool(_CJK_NAME.fullmatch(text))


def fold(text: str, other: str | None = None, marks: bool = False) -> str:
    """Each letter with an ASCII form written in it ('Núñez' -> 'Nunez'), each letter or digit
    without one (Cyrillic, Greek, CJK) kept (`marks`: without its accents, 'Νίκος' -> 'Νικος',
    as names are often typed). Other characters: kept (`other` None), or their ASCII form,
    else `other`."""
    if text.isascii():
        return text
    found = _NON_ASCII if other is not None else _NON_ASCII_WORD  # other None: only letters and digits change
    return found.sub(lambda m: _fold_char(m.group(0), other, marks), unicodedata.normalize("NFC", text))


_NON_ASCII, _NON_ASCII_WORD = re.compile(r"[^\x00-\x7f]"), re.compile(r"[^\W\x00-\x7f]")
# Latin letters Unicode does not decompose, as they are typed without them ('Ødegård', 'Łukasz')
_LATIN_LETTERS = dict(zip("øłđðħı", "olddhi", strict=True)) | {"ß": "ss", "æ": "ae", "œ": "oe", "þ": "th"}


@lru_cache(maxsize=4096)
def _fold_char(ch: str, other: str | None, marks: bool) -> str:
    if other is None and not ch.isalnum():
        return ch
    decomposed = unicodedata.normalize("NFKD", ch)
    ascii_form = decomposed.encode("ascii", "ignore").decode()
    if ascii_form:
        return ascii_form
    if marks and ch.lower() in _LATIN_LETTERS:
        return _LATIN_LETTERS[ch.lower()]
    base = "".join(c for c in decomposed if not unicodedata.combining(c)) if marks else ch
    return base if base.isalnum() else ch if ch.isalnum() else other or ""


def squash(text: str) -> str:
    """Lower case, letters and digits only: 'Blue Harbor' and 'BlueHarbor' compare equal
    (letters folded as `fold` does: 'Núñez' and 'Nunez' too)."""
    text = fold(text, marks=True).lower()
    return re.sub(r"[^a-z0-9]+", "", text) if text.isascii() else re.sub(r"[\W_]+", "", text)


# English plural endings and what a name keeps of itself to match both its singular and its
# plural (as a part of squashed text): 'policy'/'policies' -> 'polic', 'boxes' -> 'box',
# 'widgets' -> 'widget'; first ending that fits; 'ss', 'us', 'is' are no plurals ('class', 'status').
_NUMBER_ENDINGS: tuple[tuple[str, int], ...] = (
    ("ies", 3), ("ches", 2), ("shes", 2), ("sses", 2), ("xes", 2), ("ss", 0), ("us", 0), ("is", 0), ("s", 1), ("y", 1),
)  # fmt: skip


def number_stem(name: str, least: int = 5) -> str | None:
    """The part of a squashed name its singular and plural share, when it differs from the name
    and keeps `least` letters."""
    cut = next((n for end, n in _NUMBER_ENDINGS if name.endswith(end)), 0)
    return name[:-cut] if cut and len(name) - cut >= least else None


def normalize(text: str) -> str:
    """Lower case words (letters, digits, '+') separated by single spaces; letters folded as
    `fold` does ('josé núñez' -> 'jose nunez'), those of other scripts kept ('анна петрова')."""
    text = fold(text, marks=True).lower()
    if text.isascii():
        return re.sub(r"[^a-z0-9+]+", " ", text).strip()
    return re.sub(r"(?:[^\w+]|_)+", " ", text).strip()


def cased_words(text: str) -> tuple[set[str], set[str]]:
    """The words a text writes capitalised past the first word of a sentence or line, and
    the stems it writes in lower case: what tells names from words (a title-case line, 'What's
    Possible with eBPF', capitalises every word and says nothing of names)."""
    upper: set[str] = set()
    lower: set[str] = set()
    for sentence in re.split(r"(?<=[.!?:])\s+|\n", text):
        tokens = WORD.findall(sentence)
        title_case = _title_case(tokens)
        for i, token in enumerate(tokens):
            if token[0].isupper() and i > 0 and not title_case:
                upper.add(re.sub(r"['’]s$", "", token.lower()))
            elif token[0].islower():
                lower.update(terms(token.lower()))
    return upper, lower


def _title_case(tokens: list[str], least: int = 3) -> bool:
    """Every word longer than four letters capitalised (a title leaves 'with', 'from' in lower
    case; 'eBPF' has its capitals inside), at least `least` of them."""
    long = [t for t in tokens if t[0].isalpha() and (len(t) > 4 or not t.islower())]
    return len(long) >= least and all(not t.islower() for t in long)


def proper_nouns(upper: Iterable[str], lower_stems: AbstractSet[str]) -> frozenset[str]:
    """Of the words written capitalised mid-sentence, those whose stem is never written in
    lower case and that are no generic name."""
    return frozenset(w for w in upper if not set(terms(w)) & lower_stems and w not in GENERIC_NAMES and len(w) > 2)


def cased_words_of(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    """`cased_words` over several texts: every word written capitalised, every stem written
    in lower case."""
    upper: set[str] = set()
    lower_stems: set[str] = set()
    for text in texts:
        words_up, stems_low = cased_words(text)
        upper |= words_up
        lower_stems |= stems_low
    return upper, lower_stems


def corpus_proper_nouns(texts: Iterable[str]) -> frozenset[str]:
    """Words written capitalised mid-sentence whose stem is never written in lower case
    ('Initech' is one; 'Language', from "Large Language Models", is not: 'languages' is)."""
    return proper_nouns(*cased_words_of(texts))


# a word with a letter that has no ASCII form (Cyrillic, Greek, CJK), which WORD does not see
_OTHER_SCRIPT_WORD = re.compile(r"[^\W\d_]*[^\x00-\x7f\W\d_][^\W\d_]*")


def other_script_names(question: str) -> set[str]:
    """Words in another script past the first that are capitalised, or written in a script
    without capitals ('Анна Петрова', '山田太郎'): names, folded as `squash` folds them."""
    found = list(_OTHER_SCRIPT_WORD.finditer(question))
    return {
        squash(m.group(0))
        for m in found
        if m.start() > 0
        and (m.group(0)[0].isupper() or m.group(0).lower() == m.group(0).upper())
        and not squash(m.group(0)).isascii()
    }
