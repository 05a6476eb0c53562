"""Settings of the gist answers (answer/gist*.py, themes*.py): summaries, takeaways, a speaker
on a topic, themes and which talks mention a topic. Part of `recapqa.settings.Settings`, read
from the same RECAPQA_* environment variables."""

from __future__ import annotations

from pydantic import BaseModel, Field


class GistSettings(BaseModel):
    gist_sentences: int = Field(5, ge=1, le=10, description="Sentences quoted in a summary or an answer on a topic.")
    gist_min_terms: int = Field(
        4, ge=1, description="Content words a sentence needs to be more than filler in a summary ('Code reviews.')."
    )
    mmr_lambda: float = Field(
        0.7, ge=0, le=1, description="Summaries: weight of centrality against redundancy (maximal marginal relevance)."
    )
    gist_takeaway_boost: float = Field(
        0.2,
        ge=0,
        description="Summaries, takeaways: added to the relevance of units under a lead-in or section title saying "
        "takeaways/lessons/conclusion (the notes' own summary).",
    )
    gist_conclusion_boost: float = Field(
        0.2,
        ge=0,
        description="Summaries, takeaways: added to the relevance of a unit saying the talk concluded "
        "('She concluded his talk with ...', 'In the end ...': `CONCLUDING_CUE`). Helper h70: dev summary "
        "0.531 -> 0.541 (one key point on the tuned half, the other unchanged).",
    )
    gist_quoted_penalty: float = Field(
        0.1,
        ge=0,
        description="Summaries, takeaways: taken from the relevance of a unit quoting a line word for word ('> ...'): "
        "someone's one-liner, not a point the notes make. Helper h70: dev summary 0.541 -> 0.550 with the "
        "conclusion boost (one key point on the tuned half, the other unchanged).",
    )
    gist_fact_boost: float = Field(
        0.1, ge=0, description="Summaries: added to the centrality of sentences that give a number (a year, a count)."
    )
    gist_density_boost: float = Field(
        0.4, ge=0, description="Summaries: added to the centrality of a sentence times how much it says (0..1)."
    )
    gist_aside_penalty: float = Field(
        0.3,
        ge=0,
        description="Summaries, comparisons: taken from the relevance of a note-taker's aside (a pointer for the "
        "reader to something else, 'Check out ...'; the writer's own 'I ...'), not a point of the talk.",
    )
    gist_dense_words: int = Field(
        40, ge=1, description="Summaries: words at which a sentence says the most it can (its density is 1)."
    )
    gist_item_words: int = Field(
        12,
        ge=0,
        description="Gist answers: list items of at most this many words are quoted as a run under their lead-in "
        "(one bullet), not one by one (0: never). 10 until h52: a list of rules or checks ('All images must come "
        "from an approved repository') has items of 10 to 12 words; dev key-point recall 0.515 -> 0.530 with "
        "`gist_group_words` 50 (flat from 12 to 15 words and 50 to 70).",
    )
    gist_group_words: int = Field(
        50,
        ge=1,
        description="Gist answers: words of a lead-in with its run of short items (30 until h52: it cut a list "
        "after its third or fourth item).",
    )
    gist_lead_items: int = Field(
        1,
        ge=1,
        description="Gist answers: a lead-in ('...:') is quoted with its run of short items when at least this many "
        "fit ('Preferred solution:' with its one item 'Use VPC peering'; a lead-in alone is filler). 2 until h61: "
        "1 gave dev key-point recall 0.555 -> 0.559 (one key point more, s003; no dev answer lost one).",
    )
    gist_title_words: int = Field(
        6, ge=1, description="A line alone, with at most this many words and no sentence end, titles a section."
    )
    gist_about_boost: float = Field(
        0.2,
        ge=0,
        description="Themes: added to the score of a talk's sentence that frames it ('The presentation emphasized').",
    )
    gist_early_boost: float = Field(
        0.2,
        ge=0,
        description="Themes: added to the score of a talk's sentence times how early in the talk it is (0..1).",
    )
    gist_max_talks: int = Field(8, ge=1, description="Talks listed for 'which talks mention...'.")
    gist_initials_words: int = Field(
        3,
        ge=2,
        description="Which talks mention Y: a topic of at least this many words is also mentioned by its initials "
        "in capitals ('ORE' for Open Rule Engine); not tuned: fewer letters name too many things.",
    )
    gist_themes: int = Field(4, ge=1, description="Themes named across talks.")
    gist_theme_talks: int = Field(4, ge=1, description="Talks cited under one theme.")
    gist_theme_sections: int = Field(
        3,
        ge=0,
        description="Themes: a talk's line names up to this many of its sections, as the notes title them ('Storage "
        "Internals (Write path; Compaction; ...)'): the topics the notes give it. Helper h87: dev themes "
        "key-point recall 0.180 -> 0.232 at 3 (0.214 at 2, flat above 3).",
    )
    gist_summary_sections: int = Field(
        6,
        ge=0,
        description="Summaries: the head names up to this many of the talk's sections, as the notes title them "
        "(its outline: 'Summary of Storage Internals — sections: Write path; ...'). Helper h87: dev summary "
        "key-point recall 0.532 -> 0.557 at 6 (tuned half 0.531 -> 0.547, flat above 6; 3: no change).",
    )
    gist_theme_min_sentences: int = Field(
        3, ge=1, description="Talks with fewer sentences (a line in a list of sessions) are left out of themes."
    )
    gist_theme_max_share: float = Field(
        0.5, gt=0, le=1, description="A term in more than this share of the talks is too common to be a theme."
    )
    gist_theme_max_sentence_share: float = Field(
        0.03, gt=0, le=1, description="A theme's term is in at most this share of all sentences (else it is filler)."
    )
    gist_topic_cosine: float = Field(
        0.35,
        ge=-1,
        le=1,
        description="A sentence is on the asked topic when it shares a topic word or has this cosine.",
    )
    gist_topic_near_cosine: float = Field(
        0.25,
        ge=-1,
        le=1,
        description="A speaker on a topic: when their talk holds it, its other units with this cosine to the topic "
        "(acronyms expanded as the notes expand them) are candidates too; when it never names it, the block of "
        "the closest unit, if this close, is quoted as the closest, said as such (else it abstains).",
    )
    gist_terms_per_talk: int = Field(12, ge=1, description="Top TF-IDF terms per talk that themes are drawn from.")
