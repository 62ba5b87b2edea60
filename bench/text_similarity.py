"""Does text similarity match meaning, not only shared words, on goals it was never tuned on?

Four sets of goals, each with the expertise that really fits it (in the field's jargon,
sharing no content word with the goal) and two or three look-alike decoys that share words
but not meaning:

- ``bench/data/text_eval_frozen.csv`` (312 goals, 50 areas): written and committed before any
  embedder was run on it; never used for tuning (its sha256 is checked by a test);
- ``bench/data/text_eval_frozen2.csv`` (324 goals, 54 areas): a second frozen set, in other
  needs and with answers and decoys in the same mix of forms and lengths, written and
  committed before any embedder was run on it; never used for tuning either;
- ``bench/data/text_eval_dev.csv`` (74 goals): the only set tuning may look at;
- ``bench/data/text_pairs.csv`` (76 goals): the first set, whose ``dev`` half the concept
  lexicon was extended from (so the built-in embedder's figure there flatters it).

For each embedder and set: top-1 accuracy and mean reciprocal rank of the right expertise
among the goal's candidates; the same among the right answers alone (each goal's right
expertise ranked among every row's right expertise, no decoys: what a mentee's list of real
mentors looks like, where a map that learnt to push look-alikes down may push true mentors
of nearby needs up); and planted-pair recovery through cohort matching: the goals of
a cohort are its mentees, every right expertise and decoy of the cohort a mentor of
capacity 1, matched by :func:`~tandem.matching.pipeline.match_participants` on goals alone
(``optimal``); recovery is the share of mentees given their own right expertise.

Run: ``.venv/bin/python bench/text_similarity.py [--cohort 20] [--failures dev]``;
``--fusion`` gives the dev and pairs figures of each model joined with the lexicon or the
static pieces at several shares (how ``blend``'s share was chosen); ``--calibration`` those of
hubness reductions of the goal x expertise cosines (CSLS, centring, z-scores), matched by a
plain assignment (on plain cosines it gives exactly the recovery above);
``--prefixes`` those of E5 with ``query: ``, ``passage: `` or no prefix; ``--mixes`` those of
the model mixed with its adapted vectors (``alpha * cos_model + (1 - alpha) * cos_adapted``)
at each alpha of :data:`ALPHAS`, uncalibrated (how ``mixed``'s alpha was chosen);
``--resources`` instead measures each embedder in a fresh process: load time, texts a second
on distinct profile-like texts, and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.feature_extraction.text import TfidfVectorizer

from tandem.matching.embedders.adapter import (
    FOR_MIX,
    MIX_MODEL_SHARE,
    AdaptedEmbedder,
    AdaptedMix,
)
from tandem.matching.embedders.blend import STATIC_SHARE, Blend
from tandem.matching.embedders.calibration import MIXED, GoalsCalibration
from tandem.matching.embedders.choose import model_installed
from tandem.matching.embedders.e5 import E5_STATIC_SHARE, E5Embedder, weights_file
from tandem.matching.embedders.minilm import MiniLMEmbedder
from tandem.matching.embedders.static import StaticEmbedder
from tandem.matching.pipeline import match_participants
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.text import BuiltinEmbedder, SentenceTransformerEmbedder
from tandem.matching.weights import CRITERIA

DATA = Path(__file__).parent / "data"
SETS = {
    "frozen": DATA / "text_eval_frozen.csv",
    "frozen2": DATA / "text_eval_frozen2.csv",
    "dev": DATA / "text_eval_dev.csv",
    "pairs": DATA / "text_pairs.csv",
}
# The calibration ``mixed`` had when it was 0.6 of the model and 0.4 of ``adapted``'s map, to
# measure it beside the mix that replaced it.
MIXED_BEFORE = GoalsCalibration(
    (0.0734, 0.2392, 0.3144, 0.3551, 0.3824, 0.4363, 0.494, 0.5522, 1.0)
)
# Held out: measured once per candidate method, never tuned on.
FROZEN_SETS = frozenset({"frozen", "frozen2"})
GOALS_ONLY = {name: (1.0 if name == "goals" else 0.0) for name in CRITERIA}


def load(path: Path) -> list[dict]:
    """Rows with ``goal``, ``right`` and ``candidates`` (the right one first)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["right"] = row.get("right") or row["correct"]
        decoys = [row[k] for k in ("decoy1", "decoy2", "decoy3") if row.get(k)]
        row["candidates"] = [row["right"], *decoys]
    return rows


class TfidfBaseline:
    """Plain word TF-IDF fitted on every text of the set (an optimistic baseline)."""

    name = "tf-idf words (baseline)"

    def __init__(self, corpus: list[str]):
        self.vectorizer = TfidfVectorizer(sublinear_tf=True).fit(corpus)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.vectorizer.transform(list(texts)).toarray().astype(np.float32)


def factories() -> dict[str, Callable[[], object]]:
    """Every embedder this install can run, by name, each made only when called."""
    found: dict[str, Callable[[], object]] = {
        "built-in concept lexicon": BuiltinEmbedder,
        "static MiniLM pieces": StaticEmbedder,
    }
    if model_installed():
        found["all-MiniLM-L6-v2 numpy"] = MiniLMEmbedder
        found[f"MiniLM + {STATIC_SHARE:g} static (blend)"] = lambda: Blend(
            MiniLMEmbedder(), StaticEmbedder(), STATIC_SHARE
        )
        found["MiniLM adapted (adapted)"] = lambda: AdaptedEmbedder(MiniLMEmbedder())
        found[f"MiniLM + {1 - MIX_MODEL_SHARE:g} adapted (mixed)"] = lambda: AdaptedMix(
            AdaptedEmbedder(MiniLMEmbedder(), FOR_MIX), MIX_MODEL_SHARE, MIXED
        )
        found["MiniLM + 0.4 adapted (mixed before)"] = lambda: AdaptedMix(
            AdaptedEmbedder(MiniLMEmbedder()), 0.6, MIXED_BEFORE
        )
        found[f"MiniLM adapted + {STATIC_SHARE:g} static"] = lambda: Blend(
            AdaptedEmbedder(MiniLMEmbedder()), StaticEmbedder(), STATIC_SHARE
        )
    if weights_file() is not None:
        found["multilingual-e5-small q4 numpy"] = E5Embedder
        found[f"E5 + {E5_STATIC_SHARE:g} static"] = lambda: Blend(
            E5Embedder(), StaticEmbedder(), E5_STATIC_SHARE
        )
    if importlib.util.find_spec("sentence_transformers") is not None:
        found["sentence-transformers MiniLM"] = SentenceTransformerEmbedder
    return found


def ranks(embedder, rows: list[dict]) -> np.ndarray:
    """Rank of the right expertise among each goal's candidates; ties count against it."""
    texts = [t for row in rows for t in (row["goal"], *row["candidates"])]
    vectors = embedder.embed(texts)
    out, at = [], 0
    for row in rows:
        goal, candidates = vectors[at], vectors[at + 1 : at + 1 + len(row["candidates"])]
        scores = candidates @ goal
        out.append(1 + int(np.sum(scores[1:] >= scores[0])))
        at += 1 + len(row["candidates"])
    return np.array(out)


def rights_ranks(embedder, rows: list[dict]) -> np.ndarray:
    """Rank of each goal's right expertise among every row's right expertise (no decoys);
    ties count against it."""
    goals = np.asarray(embedder.embed([row["goal"] for row in rows]))
    scores = goals @ np.asarray(embedder.embed([row["right"] for row in rows])).T
    own = np.diag(scores)
    return np.sum(scores >= own[:, None], axis=1)  # the own answer counts as the 1 of rank 1


def figures(embedder, rows: list[dict], cohort: int) -> str:
    """Top-1 and MRR among the candidates, the same among the right answers, and recovery."""
    found, rights = ranks(embedder, rows), rights_ranks(embedder, rows)
    return (
        f"{np.mean(found == 1):>6.3f} {np.mean(1 / found):>6.3f}"
        f" {np.mean(rights == 1):>6.3f} {np.mean(1 / rights):>6.3f}"
        f" {recovery(embedder, rows, cohort):>8.3f}"
    )


HEADER = f"{'top-1':>6} {'MRR':>6} {'r-top1':>6} {'r-MRR':>6} {'recovery':>8}"


def cohorts(rows: list[dict], cohort: int, seed: int = 0) -> list[list[dict]]:
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    return [[rows[k] for k in order[at : at + cohort]] for at in range(0, len(order), cohort)]


def recovery(embedder, rows: list[dict], cohort: int, seed: int = 0) -> float:
    """Share of goals matched to their own right expertise, cohort by cohort."""
    recovered = 0
    for members in cohorts(rows, cohort, seed):
        mentees = [Mentee(id=f"g{k}", goals=row["goal"]) for k, row in enumerate(members)]
        mentors = [
            Mentor(id=f"g{k}:{c}", expertise=text, capacity=1)
            for k, row in enumerate(members)
            for c, text in enumerate(row["candidates"])
        ]
        result = match_participants(mentees, mentors, weights=GOALS_ONLY, embedder=embedder)
        recovered += sum(p["mentor_id"] == f"{p['mentee_id']}:0" for p in result.pairs)
    return recovered / len(rows)


class Cached:
    """An embedder's rows, each text embedded once (the grids below reuse them)."""

    def __init__(self, embedder):
        self.embedder, self.cache = embedder, {}
        self.name = getattr(embedder, "name", type(embedder).__name__)

    def __getattr__(self, name: str):
        return getattr(self.embedder, name)  # what it computes (weights, fingerprint, ...)

    def embed(self, texts: list[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if new:
            self.cache.update(zip(new, np.asarray(self.embedder.embed(new)), strict=True))
        return np.array([self.cache[t] for t in texts], dtype=np.float32).reshape(len(texts), -1)


MODELS = {"all-MiniLM-L6-v2 numpy": "MiniLM", "multilingual-e5-small q4 numpy": "E5"}


def fusion(embedders: dict, data: dict[str, list[dict]], cohort: int) -> None:
    """Figures of each model joined with the lexicon or the static pieces at several shares."""
    for model_name, short in ((n, s) for n, s in MODELS.items() if n in embedders):
        model = Cached(embedders[model_name])
        for other in ("built-in concept lexicon", "static MiniLM pieces"):
            part = Cached(embedders[other])
            for share in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5):
                _line(
                    Blend(model, part, share),
                    f"{short} + {share:.1f} {other}",
                    data,
                    cohort,
                )


ALPHAS = (1.0, 0.7, 0.6, 0.5, 0.0)  # 1: the model alone, 0: the adapter alone


def mixes(embedders: dict, data: dict[str, list[dict]], cohort: int) -> None:
    """Figures of the model mixed with its adapted vectors at each alpha, uncalibrated."""
    adapted = AdaptedEmbedder(Cached(embedders["all-MiniLM-L6-v2 numpy"]))
    for alpha in ALPHAS:
        _line(AdaptedMix(adapted, alpha), f"alpha {alpha:.1f} model + adapted", data, cohort)


def prefixes(embedders: dict, data: dict[str, list[dict]], cohort: int) -> None:
    """E5 with each of its prefixes (it was trained with them) or none."""
    for prefix in ("query: ", "passage: ", ""):
        _line(E5Embedder(prefix=prefix), f"E5, prefix {prefix!r}", data, cohort)


def _line(embedder, label: str, data: dict[str, list[dict]], cohort: int) -> None:
    for set_name, rows in data.items():
        print(f"{set_name:7} {label:44} {figures(embedder, rows, cohort)}", flush=True)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def _csls(cos: np.ndarray, k: int) -> np.ndarray:
    """Cross-domain similarity local scaling: less each side's mean cosine to its k nearest."""
    near_goal = np.sort(cos, axis=1)[:, -min(k, cos.shape[1]) :].mean(axis=1)
    near_expertise = np.sort(cos, axis=0)[-min(k, cos.shape[0]) :].mean(axis=0)
    return 2 * cos - near_goal[:, None] - near_expertise[None, :]


def _z(cos: np.ndarray, axis: int) -> np.ndarray:
    return (cos - cos.mean(axis, keepdims=True)) / (cos.std(axis, keepdims=True) + 1e-9)


CALIBRATIONS = {
    "cosine": lambda g, e: np.clip(g @ e.T, 0, 1),
    "CSLS k=3": lambda g, e: _csls(g @ e.T, 3),
    "CSLS k=10": lambda g, e: _csls(g @ e.T, 10),
    "each side centred": lambda g, e: _unit(g - g.mean(0)) @ _unit(e - e.mean(0)).T,
    "z-score per expertise": lambda g, e: _z(g @ e.T, 0),
    "z-score per goal": lambda g, e: _z(g @ e.T, 1),
}


def calibration(embedders: dict, data: dict[str, list[dict]], cohort: int) -> None:
    """Recovery after each hubness reduction, cohort by cohort, by a plain assignment."""
    for set_name, rows in data.items():
        for name in ("static MiniLM pieces", "all-MiniLM-L6-v2 numpy"):
            embedder = Cached(embedders[name])
            for label, score in CALIBRATIONS.items():
                recovered = 0
                for members in cohorts(rows, cohort):
                    goals = embedder.embed([row["goal"] for row in members])
                    owner = [k for k, row in enumerate(members) for _ in row["candidates"]]
                    right = [c == 0 for row in members for c in range(len(row["candidates"]))]
                    expertise = embedder.embed([t for row in members for t in row["candidates"]])
                    mentee, mentor = linear_sum_assignment(-score(goals, expertise))
                    recovered += sum(
                        owner[j] == i and right[j] for i, j in zip(mentee, mentor, strict=True)
                    )
                print(f"{set_name:7} {name:24} {label:22} {recovered / len(rows):>8.3f}")


def failures(embedder, rows: list[dict]) -> list[str]:
    found = ranks(embedder, rows)
    return [f"  {row['goal']!r} -> rank {r}" for row, r in zip(rows, found, strict=True) if r > 1]


def measure(name: str, count: int) -> str:
    """Load one embedder and embed ``count`` distinct texts; runs in its own process."""
    started = time.perf_counter()
    embedder = factories()[name]()
    loaded = time.perf_counter() - started
    rows = load(SETS["frozen"]) + load(SETS["dev"])
    base = [t for row in rows for t in (row["goal"], *row["candidates"])]
    texts = [f"{base[k % len(base)]} ({k})" for k in range(count)]
    started = time.perf_counter()
    embedder.embed(texts)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"{name:36} {loaded:>7.2f} s {count / seconds:>10,.0f} {rss:>8,.0f} MB"


def resources(count: int) -> None:
    print(f"{'embedder':36} {'load':>9} {'texts/s':>10} {'peak RSS':>11}  ({count:,} texts)")
    script = "import sys, text_similarity as t; print(t.measure(sys.argv[1], int(sys.argv[2])))"
    for name in factories():
        done = subprocess.run(
            [sys.executable, "-c", script, name, str(count)],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            check=False,
        )
        print(done.stdout.strip() or f"{name}: failed: {done.stderr.strip()[-300:]}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cohort", type=int, default=20, help="goals per cohort (default 20)")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--failures", choices=("dev", "pairs"), help="list an embedder's misses")
    parser.add_argument("--resources", type=int, metavar="TEXTS", help="measure speed and RSS")
    parser.add_argument("--fusion", action="store_true", help="join the lexicon or static in")
    parser.add_argument("--calibration", action="store_true", help="hubness reductions")
    parser.add_argument("--prefixes", action="store_true", help="E5 with each prefix")
    parser.add_argument("--mixes", action="store_true", help="the model and adapted, mixed")
    args = parser.parse_args(argv)
    if args.resources:
        resources(args.resources)
        return 0
    data = {name: load(SETS[name]) for name in args.sets.split(",")}
    if args.failures and args.failures not in data:
        data[args.failures] = load(SETS[args.failures])
    modes = ("fusion", "calibration", "prefixes", "mixes")
    tuning = [mode for mode in modes if getattr(args, mode)]
    if tuning and FROZEN_SETS & data.keys():
        parser.error("nothing is tuned on the frozen sets: --sets dev,pairs")
    started = time.perf_counter()
    embedders = {name: make() for name, make in factories().items()}
    if tuning:
        globals()[tuning[0]](embedders, data, args.cohort)
        return 0
    print(f"embedders loaded in {time.perf_counter() - started:.1f} s: {', '.join(embedders)}")
    print(f"planted-pair recovery in cohorts of {args.cohort} goals with all their candidates")
    print("r-top1, r-MRR: the right expertise among every row's right expertise, no decoys")
    print(f"{'set':7} {'embedder':36} {'goals':>5} {HEADER}")
    for set_name, rows in data.items():
        corpus = [t for row in rows for t in (row["goal"], *row["candidates"])]
        for name, embedder in {
            "tf-idf words (baseline)": TfidfBaseline(corpus),
            **embedders,
        }.items():
            print(
                f"{set_name:7} {name:36} {len(rows):>5} {figures(embedder, rows, args.cohort)}",
                flush=True,
            )
    if args.failures:
        for name, embedder in embedders.items():
            misses = failures(embedder, data[args.failures])
            print(f"{name} misses on {args.failures}:", *misses, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
