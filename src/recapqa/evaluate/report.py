"""Evaluation outputs: results.jsonl, summary.json, report.md and two PNG plots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from recapqa.evaluate.metrics import mean, wilson

_GROUPS = ("retrieval", "citations", "answers", "abstention")
# The figures a side-by-side table shows: (group, metric, column title)
KEY_METRICS = (
    ("counts", "questions", "questions"),
    ("retrieval", "hit@1", "talk hit@1"),
    ("citations", "first_citation_accuracy", "first citation"),
    ("answers", "fact_hit", "fact hit"),
    ("abstention", "recall", "abstention recall"),
    ("abstention", "false_abstention_rate", "false abstention"),
    ("citations", "verbatim_rate", "verbatim"),
)


def key_table(rows: dict[str, dict[str, Any]], first: str) -> list[str]:
    """One row per named summary, the KEY_METRICS as columns."""
    out = [f"| {first} | " + " | ".join(t for _, _, t in KEY_METRICS) + " |", "|---" * (len(KEY_METRICS) + 1) + "|"]
    for name, s in rows.items():
        out.append(f"| {name} | " + " | ".join(_fmt(s[g][k]) for g, k, _ in KEY_METRICS) + " |")
    return out


# A rate and the count it is a share of: (group, metric, count, column title)
RATES = (
    ("retrieval", "hit@1", "with_gold_talks", "talk hit@1"),
    ("answers", "fact_hit", "answerable", "fact hit"),
    ("abstention", "recall", "unanswerable", "abstention recall"),
    ("abstention", "false_abstention_rate", "answerable", "false abstention"),
)


def interval_table(rows: dict[str, dict[str, Any]]) -> list[str]:
    """Each rate of RATES with its 95% Wilson interval, on the questions it counts."""
    out = ["| set · split | " + " | ".join(t for *_, t in RATES) + " |", "|---" * (len(RATES) + 1) + "|"]
    for name, s in rows.items():
        cells = []
        for group, metric, count, _ in RATES:
            rate, n = s[group].get(metric), s["counts"].get(count, 0)
            low, high = wilson(rate, n) if rate is not None else (None, None)
            cells.append("–" if rate is None else f"{rate:.3f} [{low:.2f}–{high:.2f}] (n={n})")
        out.append(f"| {name} | " + " | ".join(cells) + " |")
    return out


GIST_METRICS = (
    ("counts", "questions", "questions"),
    ("gist", "key_point_recall", "key-point recall"),
    ("gist", "sentences", "sentences"),
    ("citations", "precision", "citation precision"),
    ("citations", "verbatim_rate", "verbatim"),
    ("gist", "talk_precision", "talk precision"),
    ("gist", "talk_recall", "talk recall"),
    ("abstention", "recall", "abstention recall"),
)


def gist_markdown(summary: dict[str, Any]) -> str:
    """The gist question set: per split, then per question shape."""
    rows = {"all": summary["overall"], **summary.get("by_split", {}), **summary.get("by_shape", {})}
    out = [
        "| split / shape | " + " | ".join(t for _, _, t in GIST_METRICS) + " |",
        "|---" * (len(GIST_METRICS) + 1) + "|",
    ]
    for name, s in rows.items():
        out.append(f"| {name} | " + " | ".join(_fmt(s[g].get(k)) for g, k, _ in GIST_METRICS) + " |")
    return "\n".join(out) + "\n"


def sets_markdown(summaries: dict[str, dict[str, Any]]) -> str:
    """Question sets side by side: each set per split, then per collection."""
    rows: dict[str, dict[str, Any]] = {}
    for name, summary in summaries.items():
        for split, s in {"all": summary["overall"], **summary.get("by_split", {})}.items():
            rows[f"{name} · {split}"] = s
    out = key_table(rows, "set · split")
    out += ["", "95% intervals (Wilson) of the splits' rates: how far each may move by chance alone.", ""]
    out += interval_table({k: v for k, v in rows.items() if not k.endswith(" · all")})
    for name, summary in summaries.items():
        if summary.get("by_collection"):
            out += ["", f"Per collection ({name} set, all splits):", ""]
            out += key_table(summary["by_collection"], "collection")
    return "\n".join(out) + "\n"


def _fmt(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def failures(rows: list[dict[str, Any]], limit: int = 10) -> list[dict[str, Any]]:
    """Answerable questions missed (no fact, wrong first talk) and unanswerable ones answered."""

    def badness(row: dict[str, Any]) -> int:
        s = row["scores"]
        if not row["answerable"]:
            return 0 if row["abstained"] else 2
        return (0 if s["fact_hit"] else 2) + (1 if s["first_citation_correct"] is False else 0)

    bad = [r for r in rows if badness(r)]
    return sorted(bad, key=lambda r: (-badness(r), r["id"]))[:limit]


def by_talk(rows: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """Fact hit and first-citation accuracy per gold talk key ('general' when none)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["answerable"]:
            for key in row["talks"] or ["general"]:
                groups.setdefault(key, []).append(row)
    return {
        key: {
            "questions": len(group),
            "fact_hit": mean([float(bool(r["scores"]["fact_hit"])) for r in group]),
            "first_citation_accuracy": mean(
                [
                    float(r["scores"]["first_citation_correct"])
                    for r in group
                    if r["scores"]["first_citation_correct"] is not None
                ]
            ),
        }
        for key, group in sorted(groups.items())
    }


def report_markdown(rows: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    sections = {"overall": summary["overall"], **summary.get("by_split", {})}
    out = ["# recapqa evaluation", "", f"{len(rows)} questions.", ""]
    for group in _GROUPS:
        keys = list(summary["overall"][group])
        out += [f"## {group.capitalize()}", "", "| split | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
        out += [f"| {name} | " + " | ".join(_fmt(s[group][k]) for k in keys) + " |" for name, s in sections.items()]
        out.append("")
    out += ["## Latency (ms)", "", "| split | stage | p50 | p95 |", "|---|---|---|---|"]
    for name, s in sections.items():
        for stage, values in s["latency_ms"].items():
            out.append(f"| {name} | {stage} | {_fmt(values['p50'])} | {_fmt(values['p95'])} |")
    if summary.get("by_collection"):
        out += ["", "## By collection", "", *key_table(summary["by_collection"], "collection")]
    out += [
        "",
        "## By talk (answerable questions)",
        "",
        "| gold talk | questions | fact hit | first citation |",
        "|---|---|---|---|",
    ]
    for key, v in by_talk(rows).items():
        out.append(f"| {key} | {v['questions']} | {_fmt(v['fact_hit'])} | {_fmt(v['first_citation_accuracy'])} |")
    out += ["", "## Worst failures", ""]
    for row in failures(rows):
        expected = "abstain" if not row["answerable"] else " / ".join(row["answers"])
        out += [
            f"- **{row['id']}** ({row['split']}) {row['question']}",
            f"  - expected: {expected}; gold talks: {', '.join(row['talks']) or '–'}",
            f"  - answered: {row['answer'][:200]!r}",
            f"  - retrieved talks: {', '.join(row['retrieved_talks'][:5])}",
        ]
    out.append("")
    return "\n".join(out)


def _plots(output: Path, rows: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    talks = by_talk(rows)
    fig, ax = plt.subplots(figsize=(8, 4))
    names = list(talks)
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], [talks[n]["fact_hit"] or 0 for n in names], 0.4, label="fact hit")
    ax.bar(
        [x + 0.2 for x in xs],
        [talks[n]["first_citation_accuracy"] or 0 for n in names],
        0.4,
        label="first citation correct",
    )
    ax.set_xticks(list(xs), names, rotation=30, ha="right", fontsize=8)
    ax.set_ylim(0, 1.25)
    ax.set_title("Answer quality by gold talk")
    ax.legend(loc="upper right", ncol=2)
    fig.tight_layout()
    fig.savefig(output / "metric_by_talk.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 3.5))
    totals = [r["timings_ms"]["total"] for r in rows if "total" in r.get("timings_ms", {})]
    ax.hist(totals, bins=30)
    ax.set_xlabel("total latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency distribution")
    fig.tight_layout()
    fig.savefig(output / "latency.png", dpi=100)
    plt.close(fig)


def write_outputs(output: Path, rows: list[dict[str, Any]], summary: dict[str, Any]) -> None:
    output.mkdir(parents=True, exist_ok=True)
    with (output / "results.jsonl").open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    (output / "summary.json").write_text(json.dumps(summary, indent=2))
    (output / "report.md").write_text(report_markdown(rows, summary), encoding="utf-8")
    _plots(output, rows)
