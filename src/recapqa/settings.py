"""One settings object for every stage, read from RECAPQA_* environment variables.

Tests and users redirect data directories through it instead of patching modules.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from recapqa.errors import ConfigError
from recapqa.settings_gist import GistSettings
from recapqa.settings_llm import LLMSettings

AnswerMode = Literal["auto", "llm", "extractive"]
EmbedPrecision = Literal["fp32", "int8"]


class Settings(BaseSettings, GistSettings, LLMSettings):
    """Defaults are tuned on the dev split of eval/questions.jsonl (see eval/BASELINE.md)."""

    model_config = SettingsConfigDict(env_prefix="RECAPQA_", extra="ignore")

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    cache_dir: Path = Path.home() / ".cache" / "recapqa"  # the exported query encoder, shared by indexes

    # embedding
    embed_model: Literal["all-MiniLM-L6-v2", "all-mpnet-base-v2"] = Field(
        "all-MiniLM-L6-v2",
        description="Sentence-embedding model of chunks, sentences and queries. all-MiniLM-L6-v2 (384 dimensions, "
        "bundled, with the fast ONNX query encoder) or all-mpnet-base-v2 (768 dimensions, files in "
        "<RECAPQA_CACHE_DIR>/models/all-mpnet-base-v2; sentence-transformers only, slower). Recorded in the index "
        "manifest: an index built with another model is refused until it is rebuilt (bench/EMBED_MODELS.md "
        "compares the two).",
    )

    embed_batch_tokens: int = Field(
        256,
        ge=32,
        le=65_536,
        description="Indexing with the ONNX export: tokens per run (texts x padded length), texts sorted by "
        "length, one single-threaded run per core. Small runs are fastest on CPU (cache-resident activations): "
        "on 2 cores 256 gave 3.0x sentence-transformers' chunks/s against 1.8x at 4096 (bench/SCALE.md, quiet "
        "machine). The vectors do not depend on it.",
    )
    embed_precision: EmbedPrecision = Field(
        "fp32",
        description="Arithmetic of the ONNX encoder that indexes: fp32, or int8 (weights quantized per channel, "
        "each layer's FFN output projection kept fp32; all-MiniLM-L6-v2 only). int8 indexed 1.7x faster than "
        "fp32; eval figures within 1-3 questions of fp32's (fact hit a little lower), the same ranked hits for "
        "47-60% of questions (bench/SCALE.md). Recorded in "
        "the manifest: queries use the encoder of the index's precision whatever this says; `recapqa index` after "
        "a change embeds everything again.",
    )

    # storage
    store: Literal["file", "postgres"] = Field(
        "file",
        description="Where the index lives: 'file' (the index folder: FAISS and bm25s; one machine) or 'postgres' "
        "(RECAPQA_DATABASE_URL: pgvector and BM25 postings; one index shared by many replicas).",
    )
    database_url: str | None = Field(
        None,
        description="PostgreSQL with the pgvector extension, for RECAPQA_STORE=postgres "
        "(postgresql://user:password@host:5432/dbname; libpq options such as sslmode=require are passed on).",
    )
    database_schema: str = Field(
        "recapqa",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL schema holding the index tables: several indexes can share one database.",
    )
    ann_threshold: int = Field(
        200_000,
        ge=0,
        description="Chunks from which dense search uses an approximate HNSW index instead of exact search "
        "(FAISS IndexHNSWFlat, or pgvector HNSW); 0 keeps it exact at any size. Recorded in the manifest.",
    )
    dense_search_threads: int = Field(
        0,
        ge=0,
        description="Threads scanning an exact dense search's segments for one query (0: one per core). The "
        "result does not depend on it; at 10k files a single scan is most of a warm ask (bench/SCALE.md).",
    )
    index_segment_documents: int = Field(
        128,
        ge=1,
        description="Documents per segment of an index, on average (store/segments.py): a build rewrites the "
        "segments holding changed notes files and hard-links the others from the live index (PostgreSQL: inserts "
        "only those segments' rows). Smaller: less written per edit, more files. Measured at 10k files in "
        "bench/SCALE.md.",
    )
    ann_ef_search: int = Field(
        192,
        ge=10,
        le=1000,  # pgvector's hnsw.ef_search maximum
        description="HNSW efSearch: candidates kept per dense query when the index is approximate (FAISS and "
        "pgvector). Higher gives better recall and slower queries; applied at load, so no rebuild is needed. "
        "The default is the smallest value of the sweep with recall@10 >= 0.98 against exact search at 1M "
        "embedding-like vectors, M=32 (0.985; 128 gave 0.960): bench/scale.py, bench/SCALE.md. Recorded in the "
        "manifest of an approximate index.",
    )
    build_lock_timeout: float = Field(
        600.0,
        gt=0,
        description="Seconds a build (`recapqa index`, or the refresh of a server) waits for another process "
        "building the same index before it gives up with an error saying so (the other build goes on). "
        "`ask` and `eval` do not wait when an index as last built loads: they answer from it, saying so. "
        "A first build of a large corpus can take longer: raise it for such waits.",
    )

    # chunking
    chunk_max_tokens: int = Field(180, ge=32, le=512)
    chunk_overlap_tokens: int = Field(40, ge=0, le=256)

    # retrieval
    top_k: int = Field(6, ge=1, le=50)
    candidate_pool: int = Field(30, ge=5, le=500)
    rrf_k: int = Field(60, ge=1)
    talk_boost: float = Field(
        0.5,
        ge=0.0,
        description="Added to the fused score of a talk the question names (a company, a first or last name, a "
        "distinctive title word), in units of a first rank's reciprocal-rank share. Not for a word the notes of "
        "several talks use (talk_mentions.MAX_WORD_TALKS): it names the talk without ranking it first.",
    )
    full_name_boost: float = Field(
        1.0,
        ge=0.0,
        description="The same for a talk the question names by a speaker's (or report writer's) full name, which "
        "names it beyond doubt. On the corpora set's dev split 1.0 and 1.5 tie (talk hit@1 0.927 vs 0.912 at "
        "0.5); a talk_boost above 1 lets one title word outrank the talk the question is about.",
    )
    max_chunks_per_talk: int = Field(3, ge=1)

    # answering
    mode: AnswerMode = "auto"
    abstain_threshold: float = Field(
        0.275,
        ge=0,
        le=1,
        description="Probability (answer/features.py model) the best sentence must reach, else the answer is "
        "'not covered'. Chosen on the dev splits of both question sets by eval/calibrate.py.",
    )
    answer_weights: tuple[float, ...] = Field(
        (
            -4.515,
            2.569,
            6.1,
            2.382,
            1.477,
            1.602,
            0.155,
            0.462,
            0.068,
            0.666,
            0.571,
            -1.446,
            0.561,
            -0.0,
            0.0,
            0.0,
            0.0,
        ),
        description="Logistic weights of answer/features.py FEATURES (the extractive answerer's ranking), fitted on "
        "the dev splits by eval/calibrate.py but the last three (features.CONFIDENCE_ONLY: kind_missing, "
        "talk_words, topic_cover), set to 0 (the confidence model reads them).",
    )
    talk_rank_share: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="How far the rank a sentence's chunk lends it (the answerer's 'rank' feature) moves toward the "
        "rank of its talk's first retrieved chunk: 0 the chunk's own, 1 the talk's. 0 until 2026-11-28; 0.5 chosen "
        "on dev half A (eval/FAILURES.md, helper session h109): 1 answered two more near misses there.",
    )
    confidence_weights: tuple[float, ...] = Field(
        (-0.577, 0.546, 0.66, -0.839, 0.047, 0.4, -0.687, -0.345, -4.0, -1.011, 0.781),
        description="Logistic weights of answer/features.py CONFIDENCE_FEATURES: the probability that the "
        "extractive answer holds, compared with abstain_threshold; refitted with talk_words and topic_cover on all "
        "of dev, the ranking kept (eval/calibrate.py --loco --confidence-only: the fit on all eight groups; "
        "kind_missing's weight chosen from 0 to -6 with the threshold, by fact hit + abstention recall - 3 x false "
        "abstentions; eval/FAILURES.md, helper session h108).",
    )
    soft_rules: tuple[str, ...] = Field(
        (),
        description="Eligibility rules (answer/eligibility.py, by name: kind, count, speaker_line, says_nothing, "
        "denies, note_taker_absent, other_time, talk_name, name, number) not applied as filters; the "
        "calibrated features weigh what they check instead.",
    )
    talk_name_mentions: int = Field(
        3,
        ge=1,
        description="A name the question gives belongs to a talk whose notes mention it at least this many "
        "times (else only when it is in the talk's metadata or next to the answer sentence).",
    )
    antecedent_reach: int = Field(
        4,
        ge=0,
        description="A sentence that points back ('They use X for…') may take a name the question gives from "
        "at most this many sentences before it (under the same heading; from a list's lead-in for its items).",
    )
    count_noun_window: int = Field(
        5,
        ge=1,
        description="A sentence that names what a 'how many' question counts must hold an amount within "
        "this many words of that noun ('8 microservices', not 'two days' for talks).",
    )
    speaker_topic_cover: float = Field(
        0.25,
        ge=0.0,
        le=1.0,
        description="'Who gave the talk about X?' with no talk titled X: the sentence on X that picks the talk "
        "must hold at least this share of the question's words (IDF-weighted) itself.",
    )
    max_answer_sentences: int = Field(3, ge=1, le=10)
    read_spilled: bool = Field(
        True,
        description="Before abstaining, the extractive answerer also reads the top-k chunks the per-talk cap "
        "(max_chunks_per_talk) left out, ranked last: the answer may be a talk's fourth chunk (FAILURES.md, h107).",
    )
    talk_sentences: int = Field(
        1,
        ge=0,
        description="Extra candidate sentences per retrieved talk: its sentences closest to the question by "
        "sentence vector that no retrieved chunk holds, ranked after every retrieved chunk (0: only the retrieved "
        "chunks' sentences). Chosen on dev half A (eval/FAILURES.md): 1 and 2 tie, 3 answers a near miss.",
    )
    talk_sentence_talks: int = Field(
        2, ge=1, description="How many of the first retrieved talks give extra candidates (talk_sentences)."
    )
    metadata_talk_share: float = Field(
        0.6,
        ge=0,
        le=1,
        description="'Who gave <talk>?' is answered from a talk's speakers when its title, company and speakers "
        "hold at least this share of the question's own words (rarer words weigh more).",
    )
    # a runner-up sentence joins the answer when its score is at least this share of the best
    runner_up_ratio: float = Field(
        0.9,
        gt=0,
        le=1,
        description="A runner-up sentence of the same talk is quoted too when its probability is at least this "
        "share of the best one's (up to max_answer_sentences). 0.95 until 2026-11-28; 0.9 chosen on dev half A "
        "(eval/FAILURES.md): one more answer holds on A, three on B, for 0.1 to 0.3 more sentences an answer.",
    )
    multi_talk_ratio: float = Field(0.85, gt=0, le=1)
    max_question_chars: int = Field(4000, ge=10)
    query_cache_size: int = Field(2048, ge=0)  # query embeddings kept (LRU); 0 disables
    encoder_threads: int = Field(0, ge=0)  # ONNX query encoder threads; 0 = one per core

    # HTTP API
    api_key: str | None = None  # when set, every /v1/* route needs "Authorization: Bearer <key>"
    cors_origins: list[str] = Field(default_factory=list)  # JSON list, e.g. '["http://localhost:3000"]'
    max_request_bytes: int = Field(
        1_000_000, ge=1024, description="Largest request body the API reads, in bytes; larger ones get 413."
    )
    request_body_timeout: float = Field(
        30.0,
        gt=0,
        description="Seconds a client has to send a request body once its headers are in; a body still "
        "incomplete then (a stalled or deliberately slow client) gets 408 and the connection is closed.",
    )
    request_header_timeout: float = Field(
        20.0,
        gt=0,
        description="Seconds a client has, once connected (or once its previous reply on the connection is "
        "sent), to send the complete headers of a request; a client still sending them then gets 408 and the "
        "connection is closed (one that sent nothing is just closed). uvicorn has no such limit of its own: "
        "`recapqa serve` runs its HTTP protocol with it (api/http_protocol.py).",
    )
    max_chat_messages: int = Field(
        200, ge=1, description="Most messages one chat request may carry (the history included); more get 413."
    )
    max_message_chars: int = Field(
        20_000, ge=10, description="Longest single chat message, in characters; longer ones get 413."
    )

    @model_validator(mode="after")
    def _int8_model(self) -> Settings:
        if self.embed_precision != "fp32" and self.embed_model != "all-MiniLM-L6-v2":
            raise ValueError(f"RECAPQA_EMBED_PRECISION={self.embed_precision} is made for all-MiniLM-L6-v2 only")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"RECAPQA_{'_'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" if err["loc"] else err["msg"]
            for err in exc.errors()
        )
        raise ConfigError(f"invalid settings ({problems})", "fix or unset those environment variables") from exc
