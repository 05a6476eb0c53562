"""Text conventions the support check (answer/citations.py) applies to one claim and one
sentence, with no index: what a claim adds, what its negations and numbers bear on, and
whether it holds the kind of answer the question asks for.

- `base_terms`: content terms with English irregular verbs in their base form, so "the author
  found X" restates "what did the author find";
- `negated_terms` / `negation_matches`: a negated claim must negate what its sentence negates
  ("not build one but buy one" supports "do not build", not "do not buy");
- `gives_asked_quantity`: a question asking how many / how much / what share, or when / which
  year, is answered only by a claim holding a number or a date the question does not (a true
  fragment of the sentence that holds the year, without the year, answers nothing);
- `numbers_bound`: a number the claim adds counts the same thing in the sentence: the word
  right after it in the claim ("137 million *cities*"), when the sentence has that word at
  all, must stand within `scope` words of that number in the sentence ("137 millions monthly
  active users in 10 000 cities" counts users, not cities);
- `names_someone`: the claim holds a capitalised word the question does not (who questions);
- `contrast_matches`: a comparison keeps its sides: what the claim puts after "than" /
  "different from" / "unlike" is what the sentence puts there, and nothing the claim puts before
  it stands only after it in the sentence ("Circus is faster than Gunicorn" does not support
  "Gunicorn is faster than Gunicorn"; "different from a hybrid cloud" does not support
  "different from a multi-cloud");
- `number_values`: what the figures of a text are worth, so "23,000" in a claim is the "23
  thousand" of its sentence;
- `HEDGES`: words a model hedges a figure with ("approximately", "roughly"): the sentence need
  not hold them;
- `attached_clauses`: what a claim hangs on a fact with "which", "because", "so", "leading to"
  (a reason, a consequence, a judgement) is a fact of its own: the support check needs a word
  of it in the sentence ("the jobs are YAML files, which made the team drop it" joins a
  description to the question's own words);
- `answers_no`: a claim that negates a yes / no question answers it, though it adds no word;
- `names_counted_items`: a question that says how many things it asks for ("what are the three
  levels", "which two compilers") asks for the things: a claim repeating that count without
  naming them ("the model is three levels") says only how many there are.
"""

from __future__ import annotations

import re

from recapqa.answer.question import QuestionInfo
from recapqa.text import NUMBER_WORD_VALUES, STOPWORDS, WORD, terms, words

NEGATION_SCOPE = 3  # content words after a negation that it bears on (to a clause break)
NUMBER_SCOPE = 3  # words either side of a number that say what it counts (to a clause break or another number)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|without|cannot)\b|n['’]t\b", re.I)
CLAUSE_BREAK = re.compile(r"[,;:.!?()\[\]—–]|\b(?:but|rather|instead|whereas|while|although|though)\b", re.I)
# English irregular past forms, so "the author found X" restates "what did the author find"
_IRREGULAR_TEXT = """
    began:begin brought:bring built:build chose:choose chosen:choose did:do done:do drew:draw drove:drive
    fell:fall felt:feel found:find gave:give given:give got:get gotten:get grew:grow grown:grow had:have
    held:hold kept:keep knew:know known:know led:lead left:leave lost:lose made:make meant:mean met:meet
    paid:pay ran:run said:say saw:see seen:see sent:send set:set showed:show shown:show sold:sell
    spoke:speak spoken:speak spent:spend stood:stand taught:teach thought:think told:tell took:take
    taken:take understood:understand went:go gone:go won:win wrote:write written:write
"""
_IRREGULAR = dict(pair.split(":") for pair in _IRREGULAR_TEXT.split())
_IRREGULAR_WORD = re.compile(r"\b(" + "|".join(_IRREGULAR) + r")\b", re.I)
# English number words, scale words and date words: what a count or a date may be written as
_NUMBER_WORDS_TEXT = """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds
    thousand thousands million millions billion billions trillion dozen dozens half quarter third thirds percent
"""
_SCALE_WORDS_TEXT = "k m b bn mn x hundred hundreds thousand thousands million millions billion billions"
_DATE_WORDS_TEXT = """
    january february march april may june july august september october november december spring
    summer autumn fall winter monday tuesday wednesday thursday friday saturday sunday daily weekly
    monthly yearly annually hourly nightly every ago decade decades century
"""
# words a model hedges a figure with ("approximately 5 write operations"): they add no fact
_HEDGES_TEXT = "approximately approx roughly nearly around almost circa estimated"
HEDGES = frozenset(terms(_HEDGES_TEXT))
_NUMBER_WORDS = frozenset(_NUMBER_WORDS_TEXT.split())
_SCALE_WORDS = frozenset(_SCALE_WORDS_TEXT.split())
_DATE_WORDS = frozenset(_DATE_WORDS_TEXT.split())
# what sets two things side by side: the claim must keep each on its side
# ("more than 23,000" is a figure, not a comparison)
CONTRAST = re.compile(r"\b(?:than(?!\s*[~\d])|differ(?:s|ent)? from|unlike|compared (?:with|to)|versus|vs)\b", re.I)
CONTRAST_SCOPE = 2  # content words after a contrast that name what is contrasted (to a clause break)
# a count of the things asked, given in the question: "which two compilers", "what are the three
# levels", "name the four phases"
_COUNT = r"(?P<count>\d{1,2}|" + "|".join(w for w, n in NUMBER_WORD_VALUES.items() if int(n) >= 2) + ")"
_ASKS_ITEMS = re.compile(
    rf"\b(?:(?:which|what)\s+(?:(?:are|were)\s+(?:the|his|her|their|its|[\w'’]+['’]s?)\s+)?|(?:list|name)\s+(?:the\s+)?)"
    rf"{_COUNT}\b(?![-.,]\w)",  # not 'two-pizza teams', '2.0'
    re.I,
)
_ITEM_BREAK = re.compile(r"[,;]|\b(?:and|or|plus)\b", re.I)  # between the items a claim names
# what attaches a reason, a consequence or a judgement to a fact ("..., which made them drop it")
_ATTACHES = re.compile(
    r"\b(?:which|because|so that|so|therefore|thus|hence|leading to|causing|resulting in|that is why|why)\b", re.I
)
_CLAUSE_END = re.compile(r"[,;:.!?()\[\]—–]")
ATTACHED_MIN_TERMS = 2  # content words an attached clause needs before it is judged on its own (not "which helps")
_YES_NO = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|can|could|should|will|would|has|have|had|may|might|must)\b", re.I
)
_ASKS_DATE = re.compile(r"^\s*(?:since |until |by )?when\b|\b(?:what|which) (?:year|month|date|day)\b", re.I)


def base_terms(text: str) -> set[str]:
    """Content terms with irregular verbs in their base form."""
    return set(terms(_IRREGULAR_WORD.sub(lambda m: _IRREGULAR[m.group(1).lower()], text)))


def names_someone(claim: str, question: str) -> bool:
    """The claim holds a capitalised word (a person, a company) the question does not."""
    asked = {w.lower() for w in WORD.findall(question)}
    return any(w[0].isupper() and w.lower() not in asked and w.lower() not in STOPWORDS for w in WORD.findall(claim))


def negated_terms(text: str, scope: int = NEGATION_SCOPE) -> list[list[str]]:
    """For each negation in `text`, the content terms it bears on: up to `scope` of them after
    it, stopping at a clause break ("not build one but buy one": build, one)."""
    out = []
    for match in NEGATION.finditer(text):
        rest = text[match.end() :]
        stop = CLAUSE_BREAK.search(rest)
        out.append(terms(rest[: stop.start()] if stop else rest)[:scope])
    return out


def negation_matches(claim: str, sentence: str, scope: int = 1) -> bool:
    """Every negation of the claim bears on a word that a negation of the sentence bears on:
    its first content word, or one of its first `scope` ones (a "no" answer to a yes / no
    question negates the question's own verb first: "he does not think every system needs X"
    on "not every system needs X")."""
    theirs = {t for found in negated_terms(sentence) for t in found}
    return all(not mine or bool(set(mine) & theirs) for mine in negated_terms(claim, scope))


def answers_no(claim: str, question: str) -> bool:
    """The question asks yes or no (it opens with an auxiliary verb) and the claim negates where
    the question does not: the "no" is what it says, though every other word is the question's."""
    return bool(_YES_NO.match(question)) and bool(NEGATION.search(claim)) and not NEGATION.search(question)


_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9, "billion": 1e9}
_FIGURE = re.compile(r"(\d+(?:[.,]\d+)*)(?:\s*(thousand|million|billion|bn|mn|[kmb])s?\b)?", re.I)


def number_values(text: str) -> dict[str, float]:
    """Each figure of `text` (as written, digits only) and what it is worth with its scale word
    ("23 thousand", "23,000", "23k": 23000); a comma between digit groups groups thousands."""
    out: dict[str, float] = {}
    for match in _FIGURE.finditer(text):
        digits, scale = match.group(1), (match.group(2) or "").lower()
        try:
            value = float(digits.replace(",", ""))
        except ValueError:
            continue
        out[digits] = value * _SCALES.get(scale, 1.0)
    return out


def _sides(text: str, match: re.Match[str]) -> tuple[list[str], list[str]]:
    """The content terms of the clause before a contrast and of the one after it."""
    before = re.split(r"[,;:.!?()\[\]—–]", text[: match.start()])[-1]
    after = text[match.end() :]
    stop = re.search(r"[,;:.!?()\[\]—–]", after)
    return terms(before), terms(after[: stop.start()] if stop else after)


def contrast_matches(claim: str, sentence: str, scope: int = CONTRAST_SCOPE) -> bool:
    """Each contrast of the claim ("faster than", "different from") sets two different things
    side by side, and has one of the same kind in the sentence with the claim's first `scope`
    content words after it in the sentence's clause after it ("a data lake" is not "a data
    warehouse"), and no word only on one side of the claim only on the other side there.
    True when the sentence sets nothing side by side in those words (word overlap decides)."""
    for mine in CONTRAST.finditer(claim):
        before_terms, after_terms = _sides(claim, mine)
        before, after, named = set(before_terms), set(after_terms), set(after_terms[:scope])
        if after and after <= before:
            return False  # "Gunicorn is faster than Gunicorn" compares a thing with itself
        kind = mine.group(0).split()[0].lower()[:6]
        theirs = [m for m in CONTRAST.finditer(sentence) if m.group(0).split()[0].lower()[:6] == kind]
        if not theirs:
            continue

        if not any(_keeps_sides(_sides(sentence, m), before, after, named) for m in theirs):
            return False
    return True


def _keeps_sides(theirs: tuple[list[str], list[str]], before: set[str], after: set[str], named: set[str]) -> bool:
    """The sentence's sides of a contrast (`theirs`) hold the claim's: what the claim names after
    it is after it there, and no word only on one side of the claim is only on the other there."""
    their_before, their_after = set(theirs[0]), set(theirs[1])
    swapped = (before - after) & (their_after - their_before) or (after - before) & (their_before - their_after)
    return not swapped and named <= their_after


def gives_asked_quantity(claim: str, question: str, info: QuestionInfo) -> bool:
    """A count, amount or share question ("how many", "what percentage", kinds number and
    money) needs a number in the claim that the question does not hold; a date question
    ("when", "which year") a number or a date word. Other questions: always True."""
    asks_count = info.kind in ("number", "money")
    if not asks_count and not _ASKS_DATE.search(question):
        return True
    if set(NUMBER.findall(claim)) - set(NUMBER.findall(question)):
        return True
    added = _word_parts(claim) - _word_parts(question)
    return bool(added & (_NUMBER_WORDS if asks_count else _NUMBER_WORDS | _DATE_WORDS))


def names_counted_items(claim: str, question: str) -> bool:
    """When the question says how many things it asks for (`_ASKS_ITEMS`) and the claim repeats
    that count, the claim names them: as many items as the count, at least (count - 1) breaks
    between items (commas, "and", "or"). "The ladder is three levels, suited to many
    teams" and "he compared it with two other compilers" only say how many there are.
    Other questions and claims: always True."""
    asked = _ASKS_ITEMS.search(question)
    if asked is None:
        return True
    word = asked.group("count").lower()
    count = int(NUMBER_WORD_VALUES.get(word, word))
    said = {w.lower() for w in words(claim)}
    if not 2 <= count <= 12 or not {word, str(count)} & said:
        return True
    return len(_ITEM_BREAK.findall(claim)) >= count - 1


def _word_parts(text: str) -> set[str]:
    """Lower-case words and the parts of hyphenated ones ("mid-November": mid, november)."""
    return {part for word in words(text) for part in [word, *word.split("-")]}


def _clause_words(text: str, scope: int) -> list[str]:
    """Up to `scope` words of `text` (lower case, scale words skipped), stopping at a clause
    break or a number."""
    stop = CLAUSE_BREAK.search(text)
    out: list[str] = []
    for word in words(text[: stop.start()] if stop else text):
        if NUMBER.fullmatch(word) or len(out) == scope:
            break
        if word not in _SCALE_WORDS:
            out.append(word)
    return out


def _occurrences(number: str, text: str) -> list[re.Match[str]]:
    """Where `number` stands as a whole number in `text` ("5" is not in "65" nor in "5.3")."""
    return list(re.finditer(rf"(?<![\d.,]){re.escape(number)}(?![\d]|[.,]\d)", text))


def counted_word(claim: str, number: str) -> str | None:
    """The stemmed word right after `number` in the claim, in the same clause (scale words and
    "of" skipped), when it is a content word: what the claim says the number counts. A number
    that ends its clause ("By 2017, modern ...") counts nothing, as in the sentence."""
    for match in _occurrences(number, claim):
        following = [w for w in _clause_words(claim[match.end() :], NUMBER_SCOPE + 1) if w != "of"][:1]
        if following and following[0] not in STOPWORDS and not NUMBER.fullmatch(following[0]):
            stems = terms(following[0])
            return stems[0] if stems else None
    return None


def numbers_bound(claim: str, sentence: str, numbers: set[str], scope: int = NUMBER_SCOPE) -> bool:
    """Each number of `numbers` counts in the sentence what it counts in the claim: when the
    sentence holds the claim's counted word at all, it stands within `scope` words after or
    before one occurrence of that number there (to a clause break or another number; a
    label before a colon, "Users: 40", counts as before it)."""
    own = set(terms(sentence))
    for number in numbers:
        counted = counted_word(claim, number)
        if counted is None or counted not in own:
            continue
        near: set[str] = set()
        for match in _occurrences(number, sentence):
            before = re.split(r"[,;.!?()\[\]—–]|\d", sentence[: match.start()])[-1]  # "Users: 40" binds
            near |= set(terms(" ".join(_clause_words(sentence[match.end() :], scope))))
            near |= set(terms(" ".join(words(before)[-scope:])))
        if counted not in near:
            return False
    return True


def attached_clauses(claim: str) -> list[set[str]]:
    """The content terms of each clause the claim attaches with a connective ("which put the
    team off", "because it scales"), up to a clause break; only those of ATTACHED_MIN_TERMS
    terms or more (a shorter one says too little to judge on its own)."""
    out = []
    for match in _ATTACHES.finditer(claim):
        rest = claim[match.end() :]
        stop = _CLAUSE_END.search(rest)
        clause = set(terms(rest[: stop.start()] if stop else rest))
        if len(clause) >= ATTACHED_MIN_TERMS:
            out.append(clause)
    return out
