"""The MiniLM adapter: its training is the loss it claims, deterministic and byte for byte; its
file is the one recorded, for the weights it names; its vectors keep ordinary matching."""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from tandem.matching.embedders import adapter, choose
from tandem.matching.embedders.adapt import (
    DATA,
    MIX_SETTINGS,
    OUT,
    Settings,
    TrainingSet,
    loss_and_gradient,
    recorded_settings,
    train,
    write,
)
from tandem.matching.embedders.calibration import ADAPTED, MIXED, calibration_of
from tandem.matching.embedders.choose import choose_embedder, embedder_name, model_installed
from tandem.matching.embedders.fingerprint import embedder_fingerprint


def load_dev() -> list[dict[str, str]]:
    with open(DEV_SET, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rights_mrr(embedder, rows: list[dict[str, str]]) -> float:
    """MRR of each goal's right answer among every row's right answer (ties against it)."""
    goals = embedder.embed([row["goal"] for row in rows])
    scores = goals @ embedder.embed([row["right"] for row in rows]).T
    return float(np.mean(1 / np.sum(scores >= np.diag(scores)[:, None], axis=1)))


def mean_recovery(embedder, rows: list[dict[str, str]], splits: int = 30) -> float:
    """Share of goals a plain assignment on clipped cosines gives their right answer, in
    cohorts of 20 goals with every right answer and decoy of the cohort, averaged over the file
    order and ``splits`` seeded splits (one split of 74 goals moves it by a few goals)."""
    candidates = [
        [row[k] for k in ("right", "decoy1", "decoy2", "decoy3") if row.get(k)] for row in rows
    ]
    goals = embedder.embed([row["goal"] for row in rows])
    flat = [t for texts in candidates for t in texts]
    vectors = dict(zip(flat, embedder.embed(flat), strict=True))
    orders = [list(range(len(rows)))]
    for seed in range(splits):
        orders.append(list(range(len(rows))))
        random.Random(seed).shuffle(orders[-1])
    found = 0
    for order in orders:
        for at in range(0, len(order), 20):
            members = order[at : at + 20]
            owner = [(k, c) for k in members for c in range(len(candidates[k]))]
            expertise = np.array([vectors[candidates[k][c]] for k, c in owner])
            cos = np.clip(goals[members] @ expertise.T, 0, 1)
            mentee, mentor = linear_sum_assignment(-cos)
            found += sum(owner[j] == (members[i], 0) for i, j in zip(mentee, mentor, strict=True))
    return found / len(orders) / len(rows)


DEV_SET = Path(__file__).parents[2] / "bench" / "data" / "text_eval_dev.csv"
needs_model = pytest.mark.skipif(not model_installed(), reason="MiniLM weights not installed")


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.fixture
def tiny_set() -> TrainingSet:
    rng = np.random.default_rng(3)
    return TrainingSet(
        _unit(rng.normal(size=(6, 10))), _unit(rng.normal(size=(18, 10))), np.arange(0, 18, 3)
    )


@pytest.mark.parametrize(
    "terms",
    [{}, {"model_share": 0.7}, {"rights": 2.0, "keep": 3.0}, {"model_share": 0.6, "keep": 10.0}],
)
def test_the_gradient_is_the_losss(tiny_set, terms):
    settings = Settings(rank=3, penalty=0.1, temperature=0.2, **terms)
    params = np.random.default_rng(4).normal(0, 0.3, size=2 * 10 * 3)
    _, gradient = loss_and_gradient(params, tiny_set, settings)
    numeric = np.zeros_like(params)
    for k in range(len(params)):
        step = np.zeros_like(params)
        step[k] = 1e-6
        numeric[k] = (
            loss_and_gradient(params + step, tiny_set, settings)[0]
            - loss_and_gradient(params - step, tiny_set, settings)[0]
        ) / 2e-6
    assert np.allclose(numeric, gradient, atol=1e-6)


def test_training_ranks_the_right_answers_higher_and_is_repeatable(tiny_set, tmp_path):
    settings = Settings(rank=3, penalty=0.001, temperature=0.2, steps=50)
    u, v = train(tiny_set, settings)
    before = loss_and_gradient(np.zeros(2 * 10 * 3), tiny_set, settings)[0]
    after = loss_and_gradient(np.concatenate([u.ravel(), v.ravel()]), tiny_set, settings)[0]
    assert after < before
    files = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for out in files:
        write(out, *train(tiny_set, settings), settings, b"rows")
    assert files[0].read_bytes() == files[1].read_bytes()
    write(files[1], u, v, replace(settings, seed=1), b"rows")
    assert files[0].read_bytes() != files[1].read_bytes()


def test_keep_holds_a_goals_cosines_to_other_answers(tiny_set):
    def change(settings: Settings) -> float:
        u, v = train(tiny_set, settings)
        g, e = (adapter.apply(x, u, v) for x in (tiny_set.goals, tiny_set.expertise))
        before = tiny_set.goals @ tiny_set.expertise[tiny_set.right].T
        moved = g @ e[tiny_set.right].T - before
        return float(np.sum(moved**2) - np.sum(np.diag(moved) ** 2))

    loose = Settings(rank=3, penalty=0.001, temperature=0.2, steps=50)
    assert change(replace(loose, keep=100.0)) < 0.5 * change(loose)


def test_a_map_trained_alone_records_the_settings_it_had_before_the_new_terms():
    with np.load(OUT) as saved:
        assert str(saved["settings"]) == repr(recorded_settings(Settings()))
    assert "keep" not in repr(recorded_settings(Settings())) and "keep" in repr(
        recorded_settings(Settings(keep=10.0))
    )


@pytest.mark.parametrize(
    "file, trained_with", [(adapter.ALONE, Settings()), (adapter.FOR_MIX, MIX_SETTINGS)]
)
def test_the_shipped_files_are_the_recorded_ones_for_the_models_weights(file, trained_with):
    data = (DATA / file.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == file.sha256
    u, v, sources, _ = adapter._adapter(file)
    assert sources == adapter.SOURCES and u.shape == v.shape and u.shape[0] == 384
    with np.load(DATA / file.name) as saved:
        assert str(saved["settings"]) == repr(recorded_settings(trained_with))


def test_a_zero_row_stays_zero_and_the_rest_are_unit():
    rng = np.random.default_rng(5)
    rows = np.vstack([np.zeros(4), _unit(rng.normal(size=(3, 4)))])
    mapped = adapter.apply(rows, rng.normal(size=(4, 2)), rng.normal(size=(4, 2)))
    assert np.allclose(np.linalg.norm(mapped, axis=1), [0, 1, 1, 1])


@needs_model
class TestAdapted:
    def test_it_names_itself_and_says_what_it_computes(self):
        chosen = choose_embedder("adapted")
        minilm = choose_embedder("minilm")
        assert embedder_name(chosen) == f"{embedder_name(minilm)}, adapted"
        assert calibration_of(chosen) is ADAPTED  # its cosines on the lexicon's scale
        assert embedder_fingerprint(chosen) not in ("", embedder_fingerprint(minilm))

    def test_it_refuses_weights_it_was_not_fitted_for(self, monkeypatch):
        model = choose_embedder("minilm").base
        monkeypatch.setattr(model, "weights_sha256", "0" * 64)
        with pytest.raises(ValueError, match="was fitted for weights"):
            adapter.AdaptedEmbedder(model)

    def test_same_and_paraphrased_texts_stay_on_top(self):
        goal = "I want to get better at presenting to senior leaders"
        texts = [
            goal,
            "I'd like to improve how I present to senior leadership",
            "quarterly tax returns for small companies",
            "feeding sourdough starters",
            "",
        ]
        rows = choose_embedder("adapted").embed(texts)
        cos = rows[1:] @ rows[0]
        assert rows[0] @ rows[0] == pytest.approx(1.0, abs=1e-5)
        assert cos[0] > 0.8 and cos[0] > cos[1] + 0.4 and cos[0] > cos[2] + 0.4
        assert not rows[4].any()


@needs_model
class TestAdaptedMix:
    def test_it_runs_the_model_once_and_its_cosine_is_the_mix(self, monkeypatch):
        adapted = adapter.AdaptedEmbedder(choose_embedder("minilm").base)
        calls = []
        embed = adapted.base.embed
        monkeypatch.setattr(
            adapted.base, "embed", lambda texts: calls.append(texts) or embed(texts)
        )
        texts = ["present to senior leaders", "executive communication", "sourdough", ""]
        rows = adapter.AdaptedMix(adapted, 0.7).embed(texts)
        assert len(calls) == 1 and rows.shape == (4, 2 * adapted.dimension)
        assert np.allclose(np.linalg.norm(rows, axis=1), [1, 1, 1, 0], atol=1e-5)
        x = embed(texts)
        y = adapted.adapt(x)
        assert np.allclose(rows @ rows[0], 0.7 * x @ x[0] + 0.3 * y @ y[0], atol=1e-5)

    def test_its_fingerprint_names_the_adapter_and_the_share(self):
        adapted = adapter.AdaptedEmbedder(choose_embedder("minilm").base)
        prints = {
            embedder_fingerprint(e)
            for e in (adapted, adapter.AdaptedMix(adapted, 0.6), adapter.AdaptedMix(adapted, 0.7))
        }
        assert len(prints) == 3

    def test_the_chosen_mix_shares_the_loaded_model_and_has_its_own_map_and_calibration(self):
        for cached in (choose.model_embedder, choose.adapted_embedder, choose.mixed_embedder):
            cached.cache_clear()  # other tests clear some of them (test_embed_report.py)
        mixed, adapted = choose_embedder("mixed"), choose_embedder("adapted")
        model = choose_embedder("minilm").base
        assert mixed.base.adapted.base is model is adapted.base.base  # loaded once a process
        assert mixed.base.adapted.sha256 == adapter.FOR_MIX.sha256 != adapted.base.sha256
        assert mixed.base.model_share == adapter.MIX_MODEL_SHARE == 0.5
        assert embedder_name(mixed) == f"{embedder_name(choose_embedder('minilm'))} + 0.5 adapted"
        assert calibration_of(mixed) is MIXED and calibration_of(adapted) is ADAPTED
        assert calibration_of(mixed.base.adapted) is None  # the mix's map is never used alone
        assert embedder_fingerprint(mixed) not in ("", embedder_fingerprint(adapted))
        assert mixed.shared_concepts("charts for execs", "dashboard design")

    def test_vectors_kept_under_the_mix_before_are_stale(self):
        """Issue 14: the mix's map and share changed, so its kept profile vectors' key did."""
        before = adapter.AdaptedMix(adapter.AdaptedEmbedder(choose_embedder("minilm").base), 0.6)
        assert embedder_fingerprint(choose_embedder("mixed")) != embedder_fingerprint(before)

    def test_it_ranks_dev_right_answers_and_recovers_planted_pairs_as_chosen(self):
        """Issue 14: the mix was chosen for ranking each dev goal's right answer among every
        row's right answer better than the mix before it (r-MRR 0.671 against 0.663), and for
        recovering more planted pairs over 31 cohort splits (0.490 against 0.475); pinned
        here on dev (the frozen set is never read by a test)."""
        rows = load_dev()
        model = choose_embedder("minilm").base
        before = adapter.AdaptedMix(adapter.AdaptedEmbedder(model), 0.6)
        now = choose_embedder("mixed")
        assert rights_mrr(now, rows) > rights_mrr(before, rows) > 0.66
        assert mean_recovery(now, rows) > mean_recovery(before, rows) > 0.45
