"""Goals on one scale: the reasons and the score mean the same with the model as with the
lexicon (embedders/calibration.py; docs/matching.md, "Goals on one scale")."""

import numpy as np
import pytest

from tandem.demo.people import iter_demo_people
from tandem.matching import sentences
from tandem.matching.candidates.cheap import UNCOUNTED, CheapBound
from tandem.matching.embedders.calibration import LEVELS, MINILM, calibration_of
from tandem.matching.embedders.choose import choose_embedder, model_installed
from tandem.matching.embedders.meaning import MeaningEmbedder
from tandem.matching.embedders.minilm import MiniLMEmbedder
from tandem.matching.embedders.static import StaticEmbedder
from tandem.matching.features import FeatureSpace, combine, pair_features, resolve_weights
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.text import BuiltinEmbedder

# Shares of the demo program's pairs (200 people, seed 7) whose goals reason is a strength /
# a concern, for the lexicon and, calibrated, for the model (docs/matching.md).
STRENGTH_SHARE, CONCERN_SHARE = 0.28, 0.47
SAMPLE_TOLERANCE = 0.08  # another sample of the demo (100 people, seed 11) drifts this far


class CalibratedSigned:
    """Signed unit vectors with the model's calibration, as the model gives."""

    calibration = MINILM

    def embed(self, texts):
        rng = np.random.default_rng(3)
        table = {t: rng.normal(size=6) for t in sorted(set(texts))}
        out = np.array([table[t] for t in texts], dtype=np.float32).reshape(len(texts), 6)
        out[[not t for t in texts]] = 0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, where=norms > 0, out=np.zeros_like(out))


def demo_space(embedder, people=100, seed=11):
    mentees, mentors = [], []
    for k, person in enumerate(iter_demo_people(people, seed)):
        if person["role"] == "mentor":
            mentors.append(Mentor(id=f"m{k}", expertise=person["text"]))
        else:
            mentees.append(Mentee(id=f"a{k}", goals=person["text"]))
    return FeatureSpace(mentees, mentors, embedder=embedder)


def goals_kinds(space):
    i, j = np.meshgrid(np.arange(len(space.mentees)), np.arange(len(space.mentors)))
    values = pair_features(space, i.ravel(), j.ravel(), ["goals"])["goals"]
    kinds = [sentences.goals(float(v), [], True).kind for v in values]
    return kinds.count(sentences.STRENGTH) / len(kinds), kinds.count(sentences.CONCERN) / len(kinds)


def test_the_lexicon_is_the_scale_and_is_left_alone():
    assert calibration_of(BuiltinEmbedder()) is None
    space = FeatureSpace([Mentee(id="a", goals="SQL tuning")], [Mentor(id="m", expertise="SQL")])
    cos = float(space.mentee.text[0] @ space.mentor.text[0])
    goals = pair_features(space, np.array([0]), np.array([0]), ["goals"])["goals"]
    assert goals[0] == pytest.approx(cos, abs=1e-7)


def test_the_model_maps_its_thresholds_onto_the_reasons():
    assert calibration_of(CalibratedSigned()) is MINILM
    assert MiniLMEmbedder.calibration is MINILM
    assert calibration_of(MeaningEmbedder(CalibratedSigned())) is MINILM
    assert calibration_of(MeaningEmbedder(StaticEmbedder())) is None
    weak, good = MINILM.raw_at(sentences.GOALS_WEAK), MINILM.raw_at(sentences.GOALS_GOOD)
    assert 0.25 < weak < good < 0.45  # well above the lexicon's 0.1 and 0.2
    values = MINILM.scale(np.array([-0.2, 0.0, weak, good, 1.0]))
    assert values.tolist() == pytest.approx([0.0, 0.0, 0.1, 0.2, 1.0], abs=1e-6)
    grid = MINILM.scale(np.linspace(-1, 1, 401))
    assert np.all(np.diff(grid) >= 0) and grid.min() == LEVELS[0] and grid.max() == LEVELS[-1]


def test_the_cheap_bound_uses_the_same_scale():
    weights = resolve_weights()
    people = ["SQL tuning", "charts for executives", "lead a team", "", "public speaking"]
    space = FeatureSpace(
        [Mentee(id=f"a{k}", goals=t) for k, t in enumerate(people)],
        [Mentor(id=f"m{k}", expertise=t) for k, t in enumerate(reversed(people))],
        embedder=CalibratedSigned(),
    )
    bound = CheapBound(space, weights)
    assert not bound.text_linear
    i, j = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
    counted = [name for name in weights if name not in UNCOUNTED]
    exact = combine(pair_features(space, i.ravel(), j.ravel(), counted), weights).reshape(5, 5)
    assert np.all(bound.block(0, 5) >= exact - 1e-5)
    assert np.median(bound.block(0, 5) - exact) < 1e-5


@pytest.mark.skipif(not model_installed(), reason="MiniLM weights not installed")
def test_reasons_fire_for_the_documented_shares_with_either_embedder():
    for name in ("builtin", "minilm"):
        strength, concern = goals_kinds(demo_space(choose_embedder(name)))
        assert strength == pytest.approx(STRENGTH_SHARE, abs=SAMPLE_TOLERANCE), name
        assert concern == pytest.approx(CONCERN_SHARE, abs=SAMPLE_TOLERANCE), name


@pytest.mark.skipif(not model_installed(), reason="MiniLM weights not installed")
def test_the_model_unscaled_would_call_nearly_every_pair_a_strength():
    space = demo_space(choose_embedder("minilm"))
    raw = np.clip(space.mentee.text @ space.mentor.text.T, 0.0, 1.0)
    assert np.mean(raw >= sentences.GOALS_GOOD) > 0.85
