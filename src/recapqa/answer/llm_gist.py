"""LLM answers to gist questions (summary, takeaways, a speaker on a topic, themes, two talks
compared, which talks mention Y): the model rewords the sentences the extractive gist answer
selected (answer/gist.py), and every word it says must stand on one of them.

- Sources: one per selected sentence, numbered in the gist's order, each with its talk's
  title and speakers (prompt: answer/prompt.py, GIST_PROMPT_VERSION).
- Check: the reply is read into claims (answer/claims.py); an uncited line that ends with
  ":" is a lead-in ("Here is a summary:") and is dropped, as it states nothing. Every other
  claim must cite only sources it was given and be supported by the sentence of one of them
  (`check_selected`, with SupportChecker.supports: content words in proportion, numbers,
  negation; not the question-relevance rule, as the sentences were selected for the
  question). A claim naming a speaker or company of another talk than its sentence's is
  unsupported. For "which talks / speakers mention Y" the talk is the answer: a claim that
  gives only the cited sentence's talk (title, speakers, company) and words of the question
  is supported by that sentence, selected as the talk's mention of Y. A claim that repeats
  an earlier one is dropped. One uncited or unsupported claim, a declining reply, or
  nothing left, and the whole reply is refused with LLMError: the assistant then gives the
  extractive gist answer with the reason. A summary that is partly right is not shown.
- Answer: the gist's own head line ("Summary of <talk> (<speakers>):", made by the
  extractive answerer, not the model), then "- claim [n]" per claim; citations are the
  supporting sentences, verbatim, numbered in the order the claims first use them.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from recapqa.answer.citations import SupportChecker, base_terms
from recapqa.answer.claims import Claim, split_claims
from recapqa.answer.kinds import GIST_KINDS
from recapqa.answer.prompt import build_gist_messages, is_abstention
from recapqa.answer.question import analyse
from recapqa.answer.verdicts import Verdict, repeats
from recapqa.chunking import LIST_MARKER
from recapqa.errors import LLMError
from recapqa.models import Answer, Citation
from recapqa.retrieve import Retrieval
from recapqa.sentences import Sentence
from recapqa.text import terms

if TYPE_CHECKING:
    from recapqa.answer.llm import LLMAnswerer

REPEATED = "repeats an earlier claim"
NOT_SUPPORTED = "no cited sentence supports it"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def selected_gist(llm: LLMAnswerer, retrieval: Retrieval) -> Answer | None:
    """The extractive gist answer whose sentences the LLM gets, or None when the question is
    not a gist question or the gist answerer abstains or does not take it."""
    extractive = llm.extractive
    info = analyse(retrieval.question, extractive.proper_nouns)
    if info.kind not in GIST_KINDS:
        return None
    gist = extractive.gist.answer(retrieval, info)
    if gist is None or gist.abstained or not gist.citations:
        return None
    return gist


def answer_gist(llm: LLMAnswerer, retrieval: Retrieval, gist: Answer) -> Answer:
    """The LLM's wording of `gist`, every claim supported, or LLMError (with the reply)."""
    started = time.perf_counter()
    reply = llm.complete(build_gist_messages(retrieval.question, gist.citations))
    try:
        answer = from_gist_reply(llm, reply, retrieval, gist, started)
    except LLMError as exc:
        exc.reply = reply
        raise
    answer.llm_reply = reply
    return answer


def sentence_rows(llm: LLMAnswerer, citations: list[Citation]) -> list[int]:
    """The index row of each cited sentence (the gist answer quotes them verbatim)."""
    index, by_talk = llm.index, llm.extractive.gist.rows
    out = []
    for c in citations:
        rows = by_talk.get(c.talk.talk_id) or range(len(index.sentences))
        found = [r for r in rows if index.sentences[r].text == c.quote and index.sentences[r].source == c.source]
        if not found:  # a lead-in quoted with its items: its first item (the check reads one sentence)
            held = [r for r in rows if _holds(c, index.sentences[r])]
            found = held[1:2] or held[:1]
        exact = [r for r in found if index.sentences[r].span.start_line == c.start_line]
        if not found:
            raise LLMError("a sentence of the gist answer is not in the index", "rebuild the index")
        out.append((exact or found)[0])
    return out


def _held(llm: LLMAnswerer, citation: Citation) -> list[int]:
    """The sentence rows a quote of several sentences (a lead-in with its items) holds."""
    if "\n" not in citation.quote:
        return []
    rows = llm.extractive.gist.rows.get(citation.talk.talk_id, [])
    return [r for r in rows if _holds(citation, llm.index.sentences[r])]


def _holds(citation: Citation, sentence: Sentence) -> bool:
    span = sentence.span
    lines = citation.start_line <= span.start_line and span.end_line <= citation.end_line
    return sentence.source == citation.source and lines and sentence.text in citation.quote


def from_gist_reply(llm: LLMAnswerer, reply: str, retrieval: Retrieval, gist: Answer, started: float) -> Answer:
    """The answer a reply makes from the gist's sentences, or LLMError naming the first claim
    that fails the check."""
    if is_abstention(reply):
        raise LLMError("the LLM declined to answer, but the notes have sentences on this (the extractive summary)")
    claims = [c for c in split_claims(reply) if c.cited or not c.text.endswith(":")]
    if not claims:
        raise LLMError("the LLM reply had no claim to check")
    rows = sentence_rows(llm, gist.citations)
    held = [_held(llm, c) or [row] for c, row in zip(gist.citations, rows, strict=True)]
    verdicts = check_selected(llm.checker, claims, retrieval.question, rows, held)
    failed = [v for v in verdicts if not v.kept and v.reason != REPEATED]
    if failed:
        first = failed[0]
        text = first.text if len(first.text) <= 80 else first.text[:77] + "..."
        raise LLMError(f"{len(failed)} of the LLM's {len(verdicts)} claims failed the check: {text!r} {first.reason}")
    kept = [v for v in verdicts if v.kept]
    if not kept:
        raise LLMError("the LLM reply had no supported claim")
    return _answer(retrieval.question, gist, kept, started)


def check_selected(
    checker: SupportChecker,
    claims: list[Claim],
    question: str,
    rows: list[int],
    held: list[list[int]] | None = None,
) -> list[Verdict]:
    """A verdict per claim, whose [n] is the sentence rows[n - 1] alone (module docstring),
    or any one of held[n - 1] (a lead-in quoted with its items)."""
    asked = base_terms(question) | set(terms(question))
    talks = [checker.index.talks[checker.index.sentences[row].talk_id] for row in rows]
    people = [set(terms(" ".join([t.company or "", *t.speaker_names]))) for t in talks]
    labels = [p | set(terms(t.title)) for p, t in zip(people, talks, strict=True)]
    known = asked | set().union(*labels)
    names_answer = analyse(question, checker.extractive.proper_nouns).kind == "which_talks"
    verdicts: list[Verdict] = []
    for claim in claims:
        said = base_terms(claim.text) - asked
        if not claim.cited:
            verdict = Verdict(claim.text, claim.cited, "cites no source")
        elif any(not 1 <= n <= len(rows) for n in claim.cited):
            verdict = Verdict(claim.text, claim.cited, "cites a source it was not given")
        elif names_answer and said and all(said <= labels[n - 1] for n in claim.cited):
            verdict = Verdict(claim.text, claim.cited, "supported", [(n, rows[n - 1], 1.0) for n in claim.cited])
        elif not said - known or not set(terms(claim.text)) - known:
            verdict = Verdict(claim.text, claim.cited, "says nothing beyond the question and talk names")
        else:
            others = set().union(*people) - asked
            sources = []
            for n in claim.cited:
                if set(terms(claim.text)) & (others - people[n - 1]):  # "Jane said X [2]", [2] is John's talk
                    continue
                among = held[n - 1] if held else [rows[n - 1]]
                scored = [(checker.supports(claim.text, r, known, question), r) for r in among]
                supported = [(score, r) for score, r in scored if score is not None]
                if supported:
                    score, row = max(supported)
                    sources.append((n, row, score))
            verdict = Verdict(claim.text, claim.cited, "supported" if sources else NOT_SUPPORTED, sources)
        if verdict.kept and repeats(verdict, [v for v in verdicts if v.kept]):
            verdict = Verdict(claim.text, claim.cited, REPEATED)
        verdicts.append(verdict)
    return verdicts


def _answer(question: str, gist: Answer, kept: list[Verdict], started: float) -> Answer:
    citations: list[Citation] = []
    lines = [gist.answer.splitlines()[0]] if gist.answer.splitlines()[0].endswith(":") else []
    for verdict in kept:
        found = [replace(gist.citations[n - 1], score=score) for n, _row, score in verdict.sources]
        lines.append(f"- {verdict.text.rstrip('.')} {markers(citations, found)}")
    return llm_answer(question, "\n".join(lines), citations, started)


def markers(citations: list[Citation], found: list[Citation]) -> str:
    """'[1][3]': the numbers of `found` in the answer's citations (1-based), each added at the
    end when no citation quotes the same sentence yet."""
    quotes = [c.quote for c in citations]
    for citation in found:
        if citation.quote not in quotes:
            citations.append(citation)
            quotes.append(citation.quote)
    return "".join(f"[{n}]" for n in sorted({1 + quotes.index(c.quote) for c in found}))


def llm_answer(question: str, text: str, citations: list[Citation], started: float) -> Answer:
    return Answer(question, text, False, "llm", citations, timings_ms={"answer": (time.perf_counter() - started) * 1e3})


def gist_doubt(answer: Answer, gist: Answer) -> str | None:
    """Why `auto` should prefer the extractive gist over this LLM gist, or None.

    The extractive gist is already short, cited and verbatim: what an LLM gist can add is
    wording, what it can lose is every selected sentence it leaves out, and the figures in
    them (gist.py ranks sentences with a number up: "a number says what happened"; they are
    what a summary's key points most often are). Its claims all passed the check, so it adds
    nothing false; `auto` keeps it only when it also loses none of that: it cites every
    sentence the extractive gist selected and keeps every number they hold. Measured on the
    summary dev questions (eval/llm/README.md), no LLM gist of a small model raised key-point
    recall over the extractive one, so `auto` errs on the extractive side. (Mode `llm` keeps
    any LLM gist that passes the check.)"""
    if answer.abstained:
        return "the LLM declined, but the notes have sentences on this"
    cited = {c.quote for c in answer.citations}
    missing = [c for c in gist.citations if c.quote not in cited]
    if missing:
        n = len(gist.citations)
        return f"the LLM summary leaves out {len(missing)} of the {n} sentences the extractive summary gives"
    said = set(_NUMBER.findall(re.sub(r"\[\d+\]", " ", answer.answer)))  # not the [n] markers
    quoted = [LIST_MARKER.sub("", line) for c in gist.citations for line in c.quote.splitlines()]  # "1." is no figure
    dropped = [n for line in quoted for n in _NUMBER.findall(line) if n not in said]
    if dropped:
        return f"the LLM summary drops figures the extractive summary gives ({', '.join(dict.fromkeys(dropped))})"
    return None
