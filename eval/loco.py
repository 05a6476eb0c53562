"""Leave-one-collection-out estimate of what eval/calibrate.py's fit gives on notes it never saw.

    .venv/bin/python eval/calibrate.py --loco [--l2 1] [--confidence-l2 1] [--drop names_sentence] ...

The dev questions fall in eight groups: the seven collections of ../shared/corpora and the
default corpus. For each group, the answer (ranking) weights, the confidence weights, the
weight of `kind_missing` (chosen with the threshold, as it was for settings.py) and the
abstention threshold are fitted on the other seven, and the held-out group is answered with
them (the extractive path only, as calibrate's figures). Reported per group and pooled over
every held-out question: fact hit, abstention recall, false abstention, their objective
(fact hit + abstention recall - 3 x false abstentions, the one the threshold is chosen by),
how often the top-ranked eligible sentence holds the answer (questions where one does) and
the confidence model's log-loss; then the weights of settings.py, of the fit on all eight
groups, and their range over the eight folds (a weight whose sign flips is marked).
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from calibrate import answered, fit, fit_ranking, group, label

from recapqa.answer.features import CONFIDENCE_NAMES, CONFIDENCE_ONLY, NAMES, probability
from recapqa.settings import Settings

THRESHOLDS = np.arange(0.1, 0.8, 0.025)
KIND_MISSING = (0.0, -1.0, -2.0, -2.5, -3.0, -4.0, -6.0)  # the grid settings.py's -2.5 was chosen from


@dataclass
class Fitted:
    ranking: np.ndarray
    confidence: np.ndarray
    threshold: float
    answers: list = field(repr=False)  # per row of the whole dev: (confidence features or None, holds)


def add_options(parser: argparse.ArgumentParser) -> None:
    """calibrate.py's --loco and the options that shape its fit."""
    parser.add_argument(
        "--loco",
        action="store_true",
        help="leave one collection out (eval/loco.py): fit on seven groups of dev, score the eighth; "
        "per group and pooled; the options below shape the fit",
    )
    parser.add_argument("--confidence-l2", type=float, default=1.0, help="--loco: the confidence model's L2")
    parser.add_argument("--drop", nargs="*", default=[], choices=NAMES[1:], help="--loco: ranking features left out")
    parser.add_argument(
        "--confidence-drop",
        nargs="*",
        default=[],
        choices=CONFIDENCE_NAMES[1:],
        help="--loco: confidence features left out",
    )
    parser.add_argument("--balance", action="store_true", help="--loco: each collection weighs the same in the fits")
    parser.add_argument(
        "--threshold-by",
        choices=["sets", "pooled", "collections"],
        default="sets",
        help="--loco: the threshold's objective: mean of the two sets (calibrate's), pooled rows, "
        "or mean of the collections",
    )


def outcomes(rows: list, answers: list, idx: list[int], confidence: np.ndarray, t: float) -> list[tuple]:
    """(group, answerable, abstained, fact hit) of the rows `idx`."""
    out = []
    for i in idx:
        x, holds = answers[i]
        abstained = x is None or probability(confidence.tolist(), x) < t
        out.append((group(rows[i]), rows[i][1].answerable, abstained, bool(not abstained and holds)))
    return out


def figures(outs: list[tuple]) -> tuple[float, float, float]:
    """(fact hit, abstention recall, false abstention)."""
    answerable = [o for o in outs if o[1]]
    near_misses = [o for o in outs if not o[1]]
    return (
        float(np.mean([o[3] for o in answerable])) if answerable else float("nan"),
        float(np.mean([o[2] for o in near_misses])) if near_misses else float("nan"),
        float(np.mean([o[2] for o in answerable])) if answerable else float("nan"),
    )


def score(f: tuple[float, float, float]) -> float:
    return f[0] + f[1] - 3 * f[2]


def objective(outs: list[tuple], by: str) -> float:
    """The threshold's objective over training rows: pooled, the mean of the two sets (calibrate's),
    or the mean of the collections (each weighing the same)."""
    if by == "pooled":
        return score(figures(outs))
    key = (lambda o: o[0] == "default") if by == "sets" else (lambda o: o[0])
    parts = sorted({key(o) for o in outs})
    return float(np.mean([score(figures([o for o in outs if key(o) == p])) for p in parts]))


def threshold(rows: list, answers: list, idx: list[int], confidence: np.ndarray, by: str) -> tuple[float, float]:
    """(objective, threshold): the best of THRESHOLDS on the rows `idx` (the lowest on a tie)."""
    best = max(
        ((objective(outcomes(rows, answers, idx, confidence, float(t)), by), -float(t)) for t in THRESHOLDS),
    )
    return best[0], round(-best[1], 3)


def procedure(rows: list, idx: list[int], args: argparse.Namespace) -> Fitted:
    """calibrate.py's fit on the rows `idx`: ranking, confidence, kind_missing's weight, threshold."""
    train = [rows[i] for i in idx]
    if args.confidence_only:  # settings.py's ranking: only the confidence model and the threshold are fitted
        ranking = np.array(Settings().answer_weights)
    else:
        ranking = fit_ranking(train, args.l2, (*args.drop, *CONFIDENCE_ONLY), args.balance)
    answers = answered(rows, tuple(float(w) for w in ranking))  # every row: the held-out ones are read later
    keep = np.array([n not in args.confidence_drop for n in CONFIDENCE_NAMES])
    sizes = Counter(group(rows[i]) for i in idx)
    xs, ys, ws = [], [], []
    for i in idx:
        x, holds = answers[i]
        if x is not None:
            xs.append(np.array(x)[keep])
            ys.append(holds)
            ws.append(len(idx) / (len(sizes) * sizes[group(rows[i])]) if args.balance else 1.0)
    confidence = np.zeros(len(CONFIDENCE_NAMES))
    confidence[keep] = fit((xs, ys, ws), args.confidence_l2)
    best: tuple[float, float, float] | None = None
    for weight in KIND_MISSING if "kind_missing" not in args.confidence_drop else (0.0,):
        confidence[CONFIDENCE_NAMES.index("kind_missing")] = weight
        value, t = threshold(rows, answers, idx, confidence, args.threshold_by)
        if best is None or value > best[0] + 1e-12:
            best = (value, weight, t)
    assert best is not None
    confidence[CONFIDENCE_NAMES.index("kind_missing")] = best[1]
    return Fitted(ranking, confidence, best[2], answers)


def held_out_quality(rows: list, fitted: Fitted, idx: list[int]) -> tuple[list[float], list[float]]:
    """Per held-out row: does the top-ranked eligible sentence hold the answer (rows where one
    does), and the confidence model's log-loss (rows with an eligible sentence)."""
    top, losses = [], []
    for i in idx:
        _, q, answerer, _, candidates = rows[i]
        eligible = [c for c in candidates if c.eligible]
        labels = [label(answerer, q, c.row) for c in eligible]
        if any(labels):
            scores = [float(np.dot(fitted.ranking, c.features)) for c in eligible]
            top.append(float(labels[int(np.argmax(scores))]))
        x, holds = fitted.answers[i]
        if x is not None:
            p = min(max(probability(fitted.confidence.tolist(), x), 1e-6), 1 - 1e-6)
            losses.append(-(holds * np.log(p) + (1 - holds) * np.log(1 - p)))
    return top, losses


def _cells(f: tuple[float, float, float]) -> str:
    return f"{f[0]:.3f} | {f[1]:.3f} | {f[2]:.3f} | {score(f):.3f}"


def report(rows: list, args: argparse.Namespace) -> list[str]:
    everything = list(range(len(rows)))
    groups = sorted({group(r) for r in rows})
    lines = [
        f"leave-one-collection-out: l2 {args.l2}, confidence l2 {args.confidence_l2}, ranking features dropped "
        f"{list(args.drop) or '-'}, confidence features dropped {list(args.confidence_drop) or '-'}, "
        f"balance {args.balance}, threshold by {args.threshold_by}",
        "| held out | questions | fact hit | abstention recall | false abstention | objective | threshold | "
        "kind_missing |",
        "|---|---|---|---|---|---|---|---|",
    ]
    pooled: list[tuple] = []
    folds: dict[str, Fitted] = {}
    top: list[float] = []
    losses: list[float] = []
    for g in groups:
        held = [i for i in everything if group(rows[i]) == g]
        fitted = folds[g] = procedure(rows, [i for i in everything if group(rows[i]) != g], args)
        outs = outcomes(rows, fitted.answers, held, fitted.confidence, fitted.threshold)
        pooled += outs
        t, ll = held_out_quality(rows, fitted, held)
        top, losses = top + t, losses + ll
        km = fitted.confidence[CONFIDENCE_NAMES.index("kind_missing")]
        lines.append(f"| {g} | {len(held)} | {_cells(figures(outs))} | {fitted.threshold} | {km} |")
    macro = tuple(float(v) for v in np.nanmean([figures([o for o in pooled if o[0] == g]) for g in groups], axis=0))
    lines.append(f"| pooled | {len(pooled)} | {_cells(figures(pooled))} | | |")
    lines.append(
        f"| pooled, corpora only | {sum(o[0] != 'default' for o in pooled)} | "
        f"{_cells(figures([o for o in pooled if o[0] != 'default']))} | | |"
    )
    lines.append(f"| mean of the groups | {len(groups)} | {_cells(macro)} | | |")  # type: ignore[arg-type]
    lines.append(
        f"held out: top-ranked eligible sentence holds the answer {np.mean(top):.4f} ({len(top)} questions), "
        f"confidence log-loss {np.mean(losses):.4f}"
    )
    whole = procedure(rows, everything, args)
    inside = figures(outcomes(rows, whole.answers, everything, whole.confidence, whole.threshold))
    now = Settings()
    current = answered(rows, now.answer_weights)
    settings_fit = figures(outcomes(rows, current, everything, np.array(now.confidence_weights), now.abstain_threshold))
    lines.append(f"fitted on all eight and scored on them (in sample): {_cells(inside)}; threshold {whole.threshold}")
    lines.append(f"settings.py scored on all eight (in sample): {_cells(settings_fit)}")
    for title, names, current_w, whole_w, k in (
        ("answer weights", NAMES, now.answer_weights, whole.ranking, 0),
        ("confidence weights", CONFIDENCE_NAMES, now.confidence_weights, whole.confidence, 1),
    ):
        lines += [
            f"{title}:",
            "| feature | settings.py | fitted on all | fold min | fold max | sign flips |",
            "|---|---|---|---|---|---|",
        ]
        per_fold = np.array([(f.ranking if k == 0 else f.confidence) for f in folds.values()])
        for j, name in enumerate(names):
            low, high = per_fold[:, j].min(), per_fold[:, j].max()
            flips = "yes" if j and low < -0.05 and high > 0.05 else ""
            lines.append(f"| {name} | {current_w[j]:+.3f} | {whole_w[j]:+.3f} | {low:+.3f} | {high:+.3f} | {flips} |")
    return lines
