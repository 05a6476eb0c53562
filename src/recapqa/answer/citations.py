"""Checking an LLM's [n] citations against the passages it was given.

A claim (one sentence of the reply) keeps citation [n] only when source n supports it:
some sentence of source n shares at least half of the claim's content words (stemmed, at
least two of them), or is close in embedding space (cosine >= EMBED_SUPPORT). The quote
shown to the user is that supporting sentence, verbatim from the notes, so a citation can
never quote text the notes do not hold. Claims left without a valid citation are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from recapqa.answer.text import terms
from recapqa.chunking import sentence_spans

MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_TRAILING_MARKERS = re.compile(r"([.!?])\s*((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)")
LEXICAL_SUPPORT = 0.5
EMBED_SUPPORT = 0.75


@dataclass
class Claim:
    text: str  # without markers
    cited: list[int]  # 1-based source numbers as written


@dataclass
class SupportedClaim:
    text: str
    sources: list[tuple[int, int, float]]  # (source number, sentence row, support)


def split_claims(reply: str) -> list[Claim]:
    """Sentences of the reply with the markers they carry. A marker standing alone after a
    sentence ("... production. [1]") belongs to that sentence."""
    claims: list[Claim] = []
    # "... production. [1] Next" -> "... production [1]. Next": markers before the full stop
    reply = _TRAILING_MARKERS.sub(lambda m: f" {m.group(2).strip()}{m.group(1)} ", reply).strip()
    for start, end in sentence_spans(reply):
        piece = reply[start:end]
        numbers = [int(n) for group in MARKER.findall(piece) for n in re.split(r"[,;]", group)]
        text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(MARKER.sub("", piece).split()))
        if not re.search(r"\w", text):
            if claims:
                claims[-1].cited.extend(numbers)
            continue
        claims.append(Claim(text, numbers))
    return claims


def support(
    claim: str, candidates: list[tuple[int, str]], vectors: np.ndarray | None, claim_vector: np.ndarray | None
) -> tuple[int, float] | None:
    """Best supporting (row, score) among candidate (row, sentence) pairs, or None."""
    claim_terms = set(terms(claim))
    best: tuple[int, float] | None = None
    for i, (row, sentence) in enumerate(candidates):
        shared = claim_terms & set(terms(sentence))
        lexical = len(shared) / len(claim_terms) if claim_terms else 0.0
        ok = lexical >= LEXICAL_SUPPORT and len(shared) >= min(2, len(claim_terms))
        score = lexical
        if vectors is not None and claim_vector is not None:
            cosine = float(vectors[i] @ claim_vector)
            ok = ok or cosine >= EMBED_SUPPORT
            score = max(score, cosine)
        if ok and (best is None or score > best[1]):
            best = (row, score)
    return best


def check(
    reply: str,
    source_sentences: list[list[tuple[int, str]]],
    sentence_vectors: np.ndarray,
    embed: Callable[[str], np.ndarray] | None,
) -> list[SupportedClaim]:
    """Keep the claims with at least one supported citation, each with its support."""
    kept = []
    for claim in split_claims(reply):
        claim_vector = embed(claim.text) if embed else None
        sources = []
        for number in dict.fromkeys(claim.cited):
            if not 1 <= number <= len(source_sentences) or not source_sentences[number - 1]:
                continue
            rows = [row for row, _ in source_sentences[number - 1]]
            found = support(claim.text, source_sentences[number - 1], sentence_vectors[rows], claim_vector)
            if found:
                sources.append((number, found[0], found[1]))
        if sources:
            kept.append(SupportedClaim(claim.text, sources))
    return kept
