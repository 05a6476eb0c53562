"""Checking an LLM's claims and their [n] citations against the passages it was given.

A claim (one sentence of the reply, see answer/claims.py) is kept with citation [n] only when
  (a) it says something beyond the question's own words and the names of the talks it was
      shown: a bare name, title or marker answers nothing (speaker and company names count
      as new when the question asks who or which company, and then the claim must name
      someone); irregular verbs count in their base form ("found" restates "find"); a
      question asking how many / what share, or when / which year, needs a number or a
      date in the claim (`gives_asked_quantity`); "which two X" the two named (`names_counted_items`);
      a claim negating a yes / no question says "no" (`answers_no`; in (d) its negation may bear
      on any of its first words: "does not think every X needs" on "not every X needs");
  (b) a sentence of source n supports it (or, since small models often cite the neighbouring
      passage, of another passage of the same talk they were shown; the citation then names
      the passage that holds it): the sentence, with its list lead-in and its talk's title,
      company and speakers, holds LEXICAL_SUPPORT of the claim's content words, and the
      sentence itself holds NEW_SUPPORT of the words the claim adds to the question; or it is
      close in embedding space (EMBED_SUPPORT) and still holds EMBED_NEW_SUPPORT of the added
      words. Either way every number the claim adds is in that sentence and counts there what
      it counts in the claim ("137 million cities" is not "137 million users in 10 000
      cities": claim_rules.numbers_bound; a figure may be written another way, "23,000" for
      "23 thousand": claim_rules.number_values), a negated claim needs a negated sentence,
      a comparison keeps its sides ("A is faster than B" does not support "B is faster than A":
      claim_rules.contrast_matches) and an abbreviation is spelled out as the sentence spells it
      (abbreviations.spelled_out_agrees; answer/support.py). A line with list items right below
      it says what they say too ("Design goals:" with "security": answer/list_lines.py);
  (c) that sentence is itself relevant to the question by the extractive answerer's own
      scoring: it is eligible (about every name and number the question requires) and scores
      at least RELEVANCE_FLOOR of the answerer's abstention threshold and RELATIVE_RELEVANCE
      of the best sentence shown, is within settings.llm_support_logit_gap log-odds of that
      best sentence and among the settings.llm_support_top best eligible sentences, or is an
      item hanging under a line that passes, or goes on about a sentence that passes
      (answer/relevance.py), or (with the items under it) a line whose items answer (one that
      restates the question above them);
      when that row holds several sentences, the one the claim rests on must hold a word of the
      question if another one does. A pasted paragraph, or a true sentence that is not the answer, is no support;
  (d) a negated claim must negate what its sentence negates: the first content word after
      each negation of the claim is among the words a negation of the sentence bears on
      (claim_rules.negation_matches), so "not build one but buy one" supports "do not build"
      and not "do not buy";
  (e) failing (b) and (c), the cited talk's header (title, speakers, companies) supports a
      claim about the talk the question names (answer/header.py; the quote is the header).
Three kinds of question take names as their answer (who / which company, which talk, who /
which speakers): answer/name_claims.py says how each is checked.
`supports` applies (a), (b) and (d) alone, to one sentence (gist answers: answer/llm_gist.py).
A claim that repeats an earlier kept one (same new words, or same support and nothing more)
is dropped. The quote shown to the user is the supporting sentence, verbatim from the notes.
The older thresholds were chosen on the hand cases and Qwen replies of
eval/llm/checker_set.jsonl, the logit gap, rule (d) and the rules of claim_rules.py on its
dev split only (precision and recall per split in eval/llm/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np

from recapqa.answer.candidates import Candidate
from recapqa.answer.claim_rules import (
    answers_no,
    base_terms,
    gives_asked_quantity,
    names_counted_items,
    names_someone,
    negated_terms,
    negation_matches,
)
from recapqa.answer.claims import Claim, split_claims
from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.answer.header import header_verdict
from recapqa.answer.list_lines import items_under, list_text
from recapqa.answer.name_claims import asks_which_company, asks_which_talk, asks_who_spoke, names_a_relevant_talk
from recapqa.answer.question import analyse
from recapqa.answer.relevance import log_odds, relevant_rows
from recapqa.answer.support import ClaimWords, added_numbers, sentence_support
from recapqa.answer.verdicts import Verdict, repeats
from recapqa.models import Hit
from recapqa.retrieve import Retrieval
from recapqa.text import terms

__all__ = ["SupportChecker", "Verdict", "base_terms", "log_odds", "negated_terms", "negation_matches"]

RELEVANCE_FLOOR = 0.6  # share of the extractive abstention threshold a supporting sentence scores, and...
RELATIVE_RELEVANCE = 0.8  # ...this share of the best score among the sentences shown
_PART_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")  # sentence ends inside one row of the notes


class SupportChecker:
    def __init__(
        self,
        extractive: ExtractiveAnswerer,
        embed: Callable[[str], np.ndarray] | None = None,
        logit_gap: float | None = None,
    ) -> None:
        """`logit_gap`: settings.llm_support_logit_gap unless given."""
        self.extractive = extractive
        self.index = extractive.index
        self.embed = embed
        self.logit_gap = extractive.settings.llm_support_logit_gap if logit_gap is None else logit_gap

    def check(self, reply: str, retrieval: Retrieval, hits: list[Hit]) -> list[Verdict]:
        """A verdict per claim of `reply`, whose [n] refers to hits[n - 1]."""
        return self.check_claims(split_claims(reply), retrieval, hits)

    def check_claims(self, claims: list[Claim], retrieval: Retrieval, hits: list[Hit]) -> list[Verdict]:
        question = retrieval.question
        info = analyse(question, self.extractive.proper_nouns)
        known = base_terms(question)
        asks_talk, asks_company = asks_which_talk(question), asks_which_company(question)
        for hit in hits:
            if not (asks_talk or asks_company):  # a title may name the answer
                known |= set(terms(hit.talk.title))
            if not (info.asks_speaker or asks_company):
                known |= set(terms(" ".join([hit.talk.company or "", *hit.talk.speaker_names])))
        if asks_company:  # "which company is X from" is said in X's "Speaker:" line
            info = replace(info, asks_speaker=True)
        shown = Retrieval(question, retrieval.query_vector, hits, retrieval.mentioned_talks)
        candidates = self.extractive.candidates(shown, info)
        best = max((c.score for c in candidates if c.eligible), default=0.0)
        settings = self.extractive.settings
        floor = max(RELEVANCE_FLOOR * settings.abstain_threshold, RELATIVE_RELEVANCE * best)
        sentences, items = self.index.sentences, settings.llm_list_items
        relevance = relevant_rows(candidates, sentences, floor, self.logit_gap, items, settings.llm_support_top)
        # a list's items, each ranked on its own, answer by the gap alone (`_items_answer`)
        items_relevance = relevant_rows(candidates, sentences, floor, self.logit_gap, items)
        verdicts: list[Verdict] = []
        asks_name = info.kind == "person" or asks_company
        asks_speakers = asks_who_spoke(question)
        most, share = settings.llm_names_max_speakers, settings.llm_header_share
        rows = partial(self._rows, hits=hits)  # the sentences a source number stands for
        for claim in claims:
            if asks_name and not names_someone(claim.text, question):
                verdicts.append(Verdict(claim.text, claim.cited, "names no one, and the question asks who"))
                continue
            verdict = self._check_claim(claim, hits, known, (relevance, items_relevance), question, info.asks_speaker)
            if not verdict.kept and (asks_talk or asks_speakers):
                verdict = names_a_relevant_talk(claim, hits, known, relevance, asks_talk, rows, most) or verdict
            if not verdict.kept and (asks_name or asks_talk or asks_speakers or added_numbers(claim.text, question)):
                by_names = (asks_name or asks_speakers) and not asks_talk
                verdict = header_verdict(claim, hits, known, question, info.names, by_names, share) or verdict
            if verdict.kept and not gives_asked_quantity(claim.text, question, info):
                verdict = Verdict(claim.text, claim.cited, "holds no number or date, and the question asks one")
            if verdict.kept and not names_counted_items(claim.text, question):
                verdict = Verdict(claim.text, claim.cited, "says how many, and the question asks which")
            if verdict.kept and repeats(verdict, [v for v in verdicts if v.kept]):
                verdict = Verdict(claim.text, claim.cited, "repeats an earlier claim")
            verdicts.append(verdict)
        return verdicts

    def supports(self, claim: str, row: int, known: set[str], question: str) -> float | None:
        """Support of sentence `row` alone for `claim` by rules (b) and (d), the words of
        `known` (the question's, the names of the talks shown) not counting as new; None when
        it does not support it, or when the claim says nothing beyond `known` (a). Rule (c),
        relevance to the question, is the caller's: for a gist answer the sentences were
        selected for the question already (answer/llm_gist.py)."""
        new = set(terms(claim)) - known if base_terms(claim) - known else set()
        if not new and not added_numbers(claim, question):
            return None
        return self._support(row, ClaimWords.of(claim, new, question, self.embed(claim) if self.embed else None))

    def _check_claim(
        self,
        claim: Claim,
        hits: list[Hit],
        known: set[str],
        relevances: tuple[dict[int, Candidate], dict[int, Candidate]],
        question: str,
        asks_speaker: bool = False,
    ) -> Verdict:
        """`relevances`: the rows that answer (rule (c)), and those that answer as a list's items."""
        relevance, items_relevance = relevances
        claim_terms = set(terms(claim.text))
        new = claim_terms - known
        if not base_terms(claim.text) - known:  # "the author found X" adds nothing to "what did the author find"
            new = set()
        polar = answers_no(claim.text, question)  # "no" answers "does X think ...?", as a number adds a fact
        if not new and not added_numbers(claim.text, question) and not polar:
            return Verdict(claim.text, claim.cited, "says nothing beyond the question and talk names")
        words = ClaimWords.of(claim.text, new, question, self.embed(claim.text) if self.embed else None, polar)
        valid = [n for n in claim.cited if 1 <= n <= len(hits)]
        if not valid:
            return Verdict(claim.text, claim.cited, "cites no source it was given")
        sources: list[tuple[int, int, float]] = []
        supported_somewhere = False
        for with_items in (False, True):  # a list's line with its items only when no one sentence will do
            for number in valid if not sources else []:
                best: tuple[int, int, float] | None = None
                for shown, row in self._rows(number, hits, asks_speaker):
                    score = self._support(row, words, with_items)
                    if score is None:
                        continue
                    supported_somewhere = True
                    answers = row in relevance or (with_items and self._items_answer(row, items_relevance))
                    if not answers or not self._part_answers(row, words, question):
                        continue
                    if best is None or score > best[2]:
                        best = (shown, row, score)
                if best and best[:2] not in [s[:2] for s in sources]:
                    sources.append(best)
        if sources:
            return Verdict(claim.text, claim.cited, "supported", sources)
        reason = "its support does not answer the question" if supported_somewhere else "no cited sentence supports it"
        return Verdict(claim.text, claim.cited, reason)

    def _items_answer(self, row: int, relevance: dict[int, Candidate]) -> bool:
        """A line that only introduces its list ("How do you write untestable code?" above
        the ways) answers through its items: a claim summing up the line with its items answers
        when most of those items do."""
        items = items_under(self.index.sentences, row, self.extractive.settings.llm_list_items)
        return bool(items) and 2 * sum(r in relevance for r in items) > len(items)

    def _part_answers(self, row: int, claim: ClaimWords, question: str) -> bool:
        """A row holding several sentences answers through the one the claim rests on: that
        sentence must hold a word of the question when another sentence of the row does
        ("X surpassed Meshwell in usage. It is the common choice ..." answers which
        project X surpassed with its first sentence, not its second)."""
        parts = [p for p in _PART_BREAK.split(self.index.sentences[row].text) if terms(p)]
        if len(parts) < 2:
            return True
        asked = set(terms(question))
        mine = max(parts, key=lambda p: len(claim.terms & set(terms(p))))
        return bool(asked & set(terms(mine))) or not any(asked & set(terms(p)) for p in parts)

    def _rows(self, number: int, hits: list[Hit], speaker_lines: bool = False) -> list[tuple[int, int]]:
        """(source number, sentence row) pairs source `number` stands for: its passage first,
        then the other passages of the same talk the model was shown (small models often
        cite the neighbouring passage of the right talk), then, with `speaker_lines`, the
        talk's "Speaker:" lines (said once, in a passage the question may not retrieve)."""
        talk_id = hits[number - 1].talk.talk_id
        order = [number] + [n for n in range(1, len(hits) + 1) if n != number and hits[n - 1].talk.talk_id == talk_id]
        rows = self.index.chunk_sentences
        out = [(n, row) for n in order for row in rows[self.extractive.chunk_row(hits[n - 1])]]
        if speaker_lines:
            seen = {row for _, row in out}
            out += [(number, row) for row in self.extractive.facts.talks[talk_id].speaker_rows if row not in seen]
        return out

    def _support(self, row: int, claim: ClaimWords, with_items: bool = False) -> float | None:
        """Support of sentence `row` (`with_items`: with the list items hanging under it) for
        the claim (answer/support.py), or None."""
        sentence = self.index.sentences[row]
        limit = self.extractive.settings.llm_list_items if with_items else 0
        items = list_text(self.index.sentences, row, limit)
        talk_terms = self.extractive.talk_terms(sentence.talk_id)
        return sentence_support(claim, sentence, items, talk_terms, self.index.sentence_vectors[row])
