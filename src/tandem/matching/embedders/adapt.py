"""Train the low-rank adapter of all-MiniLM-L6-v2's vectors (run once, at build time; numpy
and scipy, no torch).

The adapter maps each sentence vector ``x`` to ``x + U (V^T x)`` (then to unit length), the
same map for goals and expertise, so an embedder stays one function of a text. ``U`` and ``V``
(384 x rank) are fitted on ``bench/data/text_train.csv`` by a softmax loss: each goal must give
its right expertise a higher cosine than every other expertise text of the set (its own
decoys, which share its words but not its meaning, and every other row's right answer and
decoys: in-batch negatives), and each right expertise must pick its goal among all goals.
``penalty`` times ``|U|^2 + |V|^2`` holds the map near the identity. With ``model_share``
``a > 0`` the loss scores the cosine the map is used in, ``a * cos_model + (1 - a) *
cos_adapted`` (``AdaptedMix``), the model's part fixed, so the map learns what the model
misses rather than a reading that must stand alone. Full-batch L-BFGS from a
seeded start in float64 on one BLAS thread: the same inputs give the same bytes.

Run: ``python -m tandem.matching.embedders.adapt`` (writes
``src/tandem/matching/data/minilm_adapter.npz``, ``adapted``'s map; with ``--for-mix``
``minilm_mix_adapter.npz``, ``mixed``'s, trained with :data:`MIX_SETTINGS`; needs the int8
MiniLM weights).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from tandem.matching.embedders.adapter import ALONE, FOR_MIX, SOURCES
from tandem.matching.embedders.minilm import MiniLMEmbedder

ROOT = Path(__file__).parents[4]
TRAINING_SET = ROOT / "bench" / "data" / "text_train.csv"
DATA = Path(__file__).parent.parent / "data"
OUT = DATA / ALONE.name


@dataclass(frozen=True)
class Settings:
    """How the adapter is fitted (chosen on the development set: docs/matching.md)."""

    rank: int = 8
    penalty: float = 0.03
    temperature: float = 0.2
    steps: int = 50
    seed: int = 0
    model_share: float = 0.0  # the model's share of the cosine trained on (0: the map alone)
    rights: float = 0.0  # weight of each goal's softmax over the right answers alone
    keep: float = 0.0  # weight of the squared change of a goal's cosine to other rows' answers


# ``mixed``'s map, chosen with its share on dev and pairs (bench/text_adapter.py --rights-round).
MIX_SETTINGS = Settings(penalty=0.03, keep=10.0)


@dataclass(frozen=True)
class TrainingSet:
    """Unit vectors of the goals and of every expertise text, and each goal's right one."""

    goals: np.ndarray
    expertise: np.ndarray
    right: np.ndarray

    @classmethod
    def embed(
        cls, embed: Callable[[list[str]], np.ndarray], rows: list[dict[str, str]]
    ) -> TrainingSet:
        expertise: list[str] = []
        right: list[int] = []
        for row in rows:
            right.append(len(expertise))
            expertise += [row[k] for k in ("right", "decoy1", "decoy2", "decoy3") if row.get(k)]
        goals = embed([row["goal"] for row in rows])
        return cls(
            np.asarray(goals, np.float64), np.asarray(embed(expertise), np.float64), np.array(right)
        )


def read_rows(path: Path = TRAINING_SET) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _unit_back(mapped: np.ndarray, grad_unit: np.ndarray) -> np.ndarray:
    """Gradient through ``y / |y|``: the component of ``grad_unit`` across ``y``, over |y|."""
    norms = np.linalg.norm(mapped, axis=1, keepdims=True)
    unit = mapped / norms
    return (grad_unit - unit * np.sum(unit * grad_unit, axis=1, keepdims=True)) / norms


def _softmax_rows(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def loss_and_gradient(
    params: np.ndarray, data: TrainingSet, settings: Settings
) -> tuple[float, np.ndarray]:
    """The loss of :mod:`this module's docstring <tandem.matching.embedders.adapt>` and its
    gradient with respect to ``U`` and ``V`` flattened into ``params``."""
    dim, rank = data.goals.shape[1], settings.rank
    u, v = params[: dim * rank].reshape(dim, rank), params[dim * rank :].reshape(dim, rank)
    goals_y = data.goals + (data.goals @ v) @ u.T
    expertise_y = data.expertise + (data.expertise @ v) @ u.T
    g = goals_y / np.linalg.norm(goals_y, axis=1, keepdims=True)
    e = expertise_y / np.linalg.norm(expertise_y, axis=1, keepdims=True)
    share = settings.model_share
    scores = g @ e.T
    if share:
        scores = share * (data.goals @ data.expertise.T) + (1 - share) * scores
    scores /= settings.temperature
    n, rows = len(g), np.arange(len(g))
    forward = _softmax_rows(scores)  # each goal over every expertise text
    backward = _softmax_rows(scores[:, data.right].T)  # each right expertise over the goals
    loss = -np.log(forward[rows, data.right]).mean() - np.log(backward[rows, rows]).mean()
    grad_scores = forward.copy()
    grad_scores[rows, data.right] -= 1
    back = backward.copy()
    back[rows, rows] -= 1
    grad_scores[:, data.right] += back.T
    if settings.rights or settings.keep:
        extra, grad_extra = _rights_terms(scores, data, settings)
        loss += extra
        grad_scores[:, data.right] += n * grad_extra
    grad_scores /= n * settings.temperature / (1 - share)  # d loss / d (g e^T)
    grad_goals = _unit_back(goals_y, grad_scores @ e)
    grad_expertise = _unit_back(expertise_y, grad_scores.T @ g)
    grad_map = grad_goals.T @ data.goals + grad_expertise.T @ data.expertise  # d loss / d (UV^T)
    loss += settings.penalty * (np.sum(u * u) + np.sum(v * v))
    grad_u = grad_map @ v + 2 * settings.penalty * u
    grad_v = grad_map.T @ u + 2 * settings.penalty * v
    return float(loss), np.concatenate([grad_u.ravel(), grad_v.ravel()])


def _rights_terms(
    scores: np.ndarray, data: TrainingSet, settings: Settings
) -> tuple[float, np.ndarray]:
    """The terms that guard the ranking of real answers to other needs, and their gradient
    with respect to ``scores[:, right]`` (cosines over the temperature): ``rights`` times each
    goal's loss over the right answers alone (no decoys), and ``keep`` times the mean squared
    change, against the model's, of a goal's cosine with every other row's right answer."""
    n, rows, t = len(scores), np.arange(len(scores)), settings.temperature
    among = _softmax_rows(scores[:, data.right])
    loss = -settings.rights * np.log(among[rows, rows]).mean()
    grad = among
    grad[rows, rows] -= 1
    grad *= settings.rights / n
    change = scores[:, data.right] * t - data.goals @ data.expertise[data.right].T
    change[rows, rows] = 0
    count = n * (n - 1)
    loss += settings.keep * np.sum(change * change) / count
    grad += 2 * settings.keep * t * change / count
    return float(loss), grad


def train(data: TrainingSet, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """``U`` and ``V`` (float32, dimension x rank) after ``settings.steps`` L-BFGS steps."""
    dim, rank = data.goals.shape[1], settings.rank
    start = np.random.default_rng(settings.seed).normal(0.0, 0.01, size=2 * dim * rank)
    with threadpool_limits(limits=1, user_api="blas"):
        found = minimize(
            loss_and_gradient,
            start,
            args=(data, settings),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": settings.steps},
        )
    u = found.x[: dim * rank].reshape(dim, rank).astype(np.float32)
    v = found.x[dim * rank :].reshape(dim, rank).astype(np.float32)
    return u, v


def write(out: Path, u: np.ndarray, v: np.ndarray, settings: Settings, training: bytes) -> None:
    """An ``.npz`` whose bytes depend on its contents only (no time stamps in the zip)."""
    arrays = {
        "u": u,
        "v": v,
        "sources": np.array("\n".join(SOURCES)),
        "training_sha256": np.array(hashlib.sha256(training).hexdigest()),
        "settings": np.array(repr(recorded_settings(settings))),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            data = io.BytesIO()
            np.lib.format.write_array(data, np.asarray(array), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", (1980, 1, 1, 0, 0, 0)), data.getvalue())
    out.write_bytes(buffer.getvalue())


LATER = ("model_share", "rights", "keep")


def recorded_settings(settings: Settings) -> list[tuple[str, object]]:
    """The settings as the file records them; the later fields are left out at 0, so a map
    trained without them rebuilds to the bytes it had before they existed."""
    return sorted((k, v) for k, v in asdict(settings).items() if k not in LATER or v)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--for-mix", action="store_true", help="mixed's map (MIX_SETTINGS)")
    parser.add_argument("--out", type=Path, help=f"default: {DATA}/<the map's file>")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    settings = MIX_SETTINGS if args.for_mix else Settings()
    args.out = args.out or DATA / (FOR_MIX if args.for_mix else ALONE).name
    data = TrainingSet.embed(MiniLMEmbedder().embed, read_rows())
    u, v = train(data, settings)
    write(args.out, u, v, settings, TRAINING_SET.read_bytes())
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"{args.out} ({settings}) sha256 {digest} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
