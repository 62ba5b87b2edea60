"""How the MiniLM adapter's settings were chosen: each one trained on the training set and
measured on the development set and ``text_pairs.csv`` (never the frozen set).

For each rank, penalty, temperature and number of L-BFGS steps: top-1, MRR and planted-pair
recovery (cohorts of 20 as in ``bench/text_similarity.py``, by a plain assignment on the
clipped cosines, which gives the same recovery as ``match_participants`` on goals alone), of
the adapted model alone and joined with ``share`` of the static pieces, and the mean cosine of
a goal with other rows' right answers (how close unrelated texts come). ``--sanity`` checks
the shipped adapter, alone and in ``mixed``, keeps ordinary matching: identical texts, and
paraphrases written here.

``--mix-round`` trains maps on the mix's own cosine, ``--rights-round`` maps with the terms
that guard the ranking of real answers (``rights``, ``keep``), each beside the shipped ``mixed``
and with the rights MRR (r-MRR) as in ``text_similarity.py``: how ``mixed``'s map was chosen.

Run: ``OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/text_adapter.py [--first-round |
--mix-round | --rights-round] [--shares 0,0.3] [--rank 8 --penalty 0.03 --temperature 0.2
--steps 50,100,200]`` (a list given for a setting replaces the grid's).
"""

from __future__ import annotations

import argparse
import functools
import itertools
import sys
import time

import numpy as np
from scipy.optimize import linear_sum_assignment
from text_similarity import SETS, Cached, cohorts, load, ranks, rights_ranks

from tandem.matching.embedders.adapt import Settings, TrainingSet, read_rows, train
from tandem.matching.embedders.adapter import (
    FOR_MIX,
    MIX_MODEL_SHARE,
    AdaptedEmbedder,
    AdaptedMix,
    apply,
)
from tandem.matching.embedders.blend import Blend
from tandem.matching.embedders.minilm import MiniLMEmbedder
from tandem.matching.embedders.static import StaticEmbedder


class Mapped:
    """A cached embedder's rows through ``U``, ``V`` (the adapter before it is a file)."""

    def __init__(self, base: Cached, u: np.ndarray, v: np.ndarray):
        self.base, self.u, self.v = base, u, v

    def embed(self, texts: list[str]) -> np.ndarray:
        return apply(self.base.embed(texts), self.u, self.v).astype(np.float32)


def assigned_recovery(embedder, rows: list[dict], cohort: int = 20, splits: int = 0) -> float:
    """Share of goals a plain assignment on clipped cosines gives their right expertise; with
    ``splits``, the mean over the cohorts in file order and ``splits`` seeded splits (one split
    of 74 goals moves it by a few goals either way)."""
    if splits:
        split = [[rows[at : at + cohort] for at in range(0, len(rows), cohort)]]
        split += [cohorts(rows, cohort, seed) for seed in range(splits)]
        return float(np.mean([_recovered(embedder, groups) for groups in split])) / len(rows)
    return _recovered(embedder, cohorts(rows, cohort)) / len(rows)


def _recovered(embedder, groups: list[list[dict]]) -> int:
    recovered = 0
    for members in groups:
        goals = embedder.embed([row["goal"] for row in members])
        texts = [t for row in members for t in row["candidates"]]
        owner = [(k, c) for k, row in enumerate(members) for c in range(len(row["candidates"]))]
        mentee, mentor = linear_sum_assignment(-np.clip(goals @ embedder.embed(texts).T, 0, 1))
        recovered += sum(owner[j] == (i, 0) for i, j in zip(mentee, mentor, strict=True))
    return recovered


def unrelated(embedder, rows: list[dict]) -> float:
    """Mean cosine of each goal with the right answers of the other rows."""
    goals = embedder.embed([row["goal"] for row in rows])
    answers = embedder.embed([row["right"] for row in rows])
    cos = goals @ answers.T
    return float((cos.sum() - np.trace(cos)) / (cos.size - len(rows)))


PARAPHRASES = (  # written for this check, no text from any set
    (
        "I want to get better at presenting to senior leaders",
        "I'd like to improve how I present to executives",
    ),
    (
        "help me plan my move into management",
        "I need advice on becoming a manager for the first time",
    ),
    ("our database queries are too slow", "the SQL behind our app takes ages to run"),
    ("I struggle to say no to extra work", "I find it hard to turn down more tasks"),
    ("teach me to read a profit and loss statement", "I want to understand an income statement"),
    ("I'd like to learn Python for data analysis", "getting started with pandas to analyse data"),
    ("how do I run a good retrospective", "I want our sprint retros to be useful"),
    ("I want to negotiate a higher salary", "help me ask for a pay rise"),
    ("our website is hard to use with a screen reader", "blind users can't navigate our site"),
    ("I'd like to write grant applications that win", "I want my funding bids to succeed"),
)


def sanity(embedder, rows: list[dict]) -> str:
    """Identical texts' cosine, and each paraphrase's cosine and rank among every other text
    (the other paraphrases and every text of ``rows``) against its original."""
    texts = [t for pair in PARAPHRASES for t in pair]
    others = [t for row in rows for t in (row["goal"], *row["candidates"])]
    vectors = embedder.embed(texts + others)
    same = embedder.embed(texts[:1])[0] @ vectors[0]
    cos, first = [], 0
    for k in range(0, len(texts), 2):
        scores = vectors @ vectors[k]
        scores[k] = -np.inf
        cos.append(scores[k + 1])
        first += int(np.argmax(scores) == k + 1)
    return (
        f"identical {same:.3f}; paraphrase cosine {np.mean(cos):.2f} (lowest {min(cos):.2f}), "
        f"ranked first among {len(vectors) - 1} texts for {first} of {len(cos)}"
    )


def line(label: str, embedder, data: dict[str, list[dict]], splits: int = 0) -> None:
    cells = []
    for rows in data.values():
        found, rights = ranks(embedder, rows), rights_ranks(embedder, rows)
        cells.append(
            f"{np.mean(found == 1):.3f} {np.mean(1 / found):.3f} {np.mean(1 / rights):.4f} "
            f"{assigned_recovery(embedder, rows, splits=splits):.4f} "
            f"{unrelated(embedder, rows):.2f}"
        )
    print(f"{label:44} " + " | ".join(cells), flush=True)


GRID = {  # the second round, around the first's best (docs/matching.md)
    "rank": (4, 8, 32),
    "penalty": (0.02, 0.03, 0.05),
    "temperature": (0.2, 0.3, 0.5),
    "steps": (200,),
    "model_share": (0.0,),
}
FIRST_ROUND = {
    "rank": (8, 32),
    "penalty": (0.01, 0.03, 0.1, 0.3, 1.0),
    "temperature": (0.05, 0.1, 0.2),
    "steps": (200,),
    "model_share": (0.0,),
}
MIX_ROUND = {  # the map trained on the mix's own cosine (docs/matching.md)
    "rank": (8,),
    "penalty": (0.01, 0.03, 0.1),
    "temperature": (0.2,),
    "steps": (50,),
    "model_share": (0.7, 0.6, 0.5),
}
# The map trained alone with the terms that guard the ranking of real answers, each measured
# alone and mixed at MIX_ALPHAS (docs/matching.md).
RIGHTS_ROUND = [
    Settings(penalty=penalty, rights=rights, keep=keep)
    for rights, keep in ((1, 0), (3, 0), (0, 1), (0, 10), (0, 100), (1, 10))
    for penalty in (0.01, 0.03)
]
MIX_ALPHAS = (0.0, 0.5, 0.6, 0.7)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in GRID:
        kind = int if name in ("rank", "steps") else float
        flag = name.replace("_", "-")
        parser.add_argument(f"--{flag}", type=lambda t, k=kind: [k(v) for v in t.split(",")])
    rounds = parser.add_mutually_exclusive_group()
    rounds.add_argument("--first-round", action="store_true", help="the first, wider grid")
    rounds.add_argument("--mix-round", action="store_true", help="maps trained in the mix")
    rounds.add_argument("--rights-round", action="store_true", help="maps that keep r-MRR")
    parser.add_argument("--sanity", action="store_true", help="identical texts, paraphrases")
    parser.add_argument(
        "--splits", type=int, default=0, help="recovery: mean over file order and N cohort splits"
    )
    parser.add_argument("--shares", default="0,0.1,0.2,0.3", help="static shares to join")
    return parser


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    model, static = Cached(MiniLMEmbedder()), Cached(StaticEmbedder())
    data = {name: load(SETS[name]) for name in ("dev", "pairs")}
    if args.sanity:
        adapted = AdaptedEmbedder(model.embedder)
        mixed = AdaptedMix(AdaptedEmbedder(model.embedder, FOR_MIX), MIX_MODEL_SHARE)
        for embedder in (model, Cached(adapted), Cached(mixed)):
            print(f"{embedder.name}: {sanity(embedder, data['dev'])}")
        return 0
    training = TrainingSet.embed(model.embed, read_rows())
    show = functools.partial(line, data=data, splits=args.splits)
    print(f"{'':44} dev: top-1 MRR r-MRR recovery unrelated | pairs: the same")
    if args.mix_round or args.rights_round:
        shipped = Cached(AdaptedEmbedder(model.embedder))
        for alpha in (0.6, 0.5, 0.7):  # 0.6: the mix before
            show(f"adapted's map, mixed at {alpha:g}", _mix(model, shipped, alpha))
    else:
        for share in (float(s) for s in args.shares.split(",")):
            show(f"MiniLM + {share:g} static", _static(model, static, share))
    for settings in _round(args):
        started = time.process_time()
        adapted = Mapped(model, *train(training, settings))
        seconds = time.process_time() - started
        label = f"r{settings.rank} p{settings.penalty:g} t{settings.temperature:g}"
        label += f" s{settings.steps} ({seconds:.0f} s)"
        for suffix, embedder in _variants(args, settings, model, adapted, static):
            show(f"{label}{suffix}", embedder)
    return 0


def _variants(args: argparse.Namespace, settings: Settings, model: Cached, adapted, static):
    """What a trained map is measured as: mixed at each alpha (``--rights-round``), at the
    alpha it was trained in (``--mix-round``), or alone and with each static share."""
    if args.rights_round:
        terms = f" rights {settings.rights:g} keep {settings.keep:g}"
        return [(f"{terms} a{a:g}", _mix(model, adapted, a)) for a in MIX_ALPHAS]
    if settings.model_share:
        return [(f" mix {settings.model_share:g}", _mix(model, adapted, settings.model_share))]
    shares = [float(s) for s in args.shares.split(",")]
    return [(f" + {share:g}", _static(adapted, static, share)) for share in shares]


def _static(embedder, static: Cached, share: float):
    """``embedder`` joined with ``share`` of the static pieces (itself at 0)."""
    return Blend(embedder, static, share) if share else embedder


def _mix(model: Cached, adapted, model_share: float):
    """``AdaptedMix``'s rows: ``model_share`` of the cosine the model's, the rest the map's
    (the map alone at 0)."""
    return Blend(model, adapted, 1 - model_share) if model_share else adapted


def _round(args: argparse.Namespace) -> list[Settings]:
    """The settings of the round asked for (a list given for a setting replaces the grid's)."""
    if args.rights_round:
        return RIGHTS_ROUND
    grid = MIX_ROUND if args.mix_round else FIRST_ROUND if args.first_round else GRID
    grid = {k: getattr(args, k) or v for k, v in grid.items()}
    return [
        Settings(**dict(zip(grid, values, strict=True)))
        for values in itertools.product(*grid.values())
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
