import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching.candidates import PairRules, blocked_pairs, build_candidates
from tandem.matching.features import FeatureSpace, combine, pair_features, resolve_weights
from tandem.matching.profiles import CADENCES, FORMATS, Mentee, Mentor
from tandem.matching.synthetic import people
from tandem.matching.topk import UNCOUNTED, CheapBound, MentorBest, top_per_row

W = resolve_weights()
COUNTED = [name for name in W if name not in UNCOUNTED]


class SignedEmbedder:
    """Embeddings with negative entries, as a sentence model gives (forces the clip path)."""

    def embed(self, texts):
        rng = np.random.default_rng(7)
        table = {t: rng.normal(size=8) for t in sorted(set(texts))}
        out = np.array([table[t] for t in texts], dtype=np.float32).reshape(len(texts), 8)
        out[[not t for t in texts]] = 0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, where=norms > 0, out=np.zeros_like(out))


def exact_partial(space, weights):
    n, m = len(space.mentees), len(space.mentors)
    i, j = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    features = pair_features(space, i.ravel(), j.ravel(), COUNTED)
    return combine(features, weights).reshape(n, m)


person = st.fixed_dictionaries(
    {
        "goals": st.sampled_from(["", "SQL tuning", "charts for executives", "lead a team"]),
        "skills": st.lists(st.sampled_from(["sql", "python", "figma"]), max_size=2),
        "seniority": st.one_of(st.none(), st.floats(0, 10)),
        "cadence": st.sampled_from(["", *CADENCES]),
        "format": st.sampled_from(["", *FORMATS]),
        "city": st.sampled_from(["", "A", "B"]),
        "availability": st.lists(
            st.sampled_from(["Mon 09:10-10:20", "Mon 10:00-11:00", "Tue 23:00-01:00"]), max_size=2
        ),
        "timezone": st.sampled_from(["", "Asia/Kolkata", "America/New_York"]),
        "identity": st.lists(st.sampled_from(["x", "y"]), max_size=2, unique=True),
        "asks": st.booleans(),
    }
)


def build(kind, k, p):
    common = {
        "seniority": p["seniority"],
        "cadence": p["cadence"],
        "format": p["format"],
        "city": p["city"],
        "availability": tuple(p["availability"]),
        "timezone": p["timezone"],
        "identity": tuple(p["identity"]),
    }
    if kind is Mentee:
        return Mentee(
            id=f"e{k}",
            goals=p["goals"],
            skills_wanted=tuple(p["skills"]),
            prefer_shared_identity=p["asks"],
            **common,
        )
    return Mentor(id=f"r{k}", expertise=p["goals"], skills_offered=tuple(p["skills"]), **common)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(person, min_size=1, max_size=5),
    st.lists(person, min_size=1, max_size=5),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_cheap_score_bounds_the_exact_one(mentees, mentors, reverse, signed, sparse):
    space = FeatureSpace(
        [build(Mentee, k, p) for k, p in enumerate(mentees)],
        [build(Mentor, k, p) for k, p in enumerate(mentors)],
        reverse=reverse,
        embedder=SignedEmbedder() if signed else None,
    )
    bound = CheapBound(space, W, dense_vocabulary=0 if sparse else 256)
    assert bound.text_linear is not signed or not any(p["goals"] for p in mentees + mentors)
    cheap = bound.block(0, len(mentees))
    assert np.all(cheap >= exact_partial(space, W) - 1e-5)


def test_cheap_score_is_exact_on_half_levels_without_availability():
    mentees, mentors = people(30, 20, seed=3)
    plain = [Mentee(**{**m.__dict__, "availability": ()}) for m in mentees]
    space = FeatureSpace(plain, mentors)
    cheap = CheapBound(space, W).block(0, 30)
    # Only format (city) and identity (counts) may sit above the exact value here.
    gap = cheap - exact_partial(space, W)
    assert gap.min() > -1e-5 and np.median(gap) < 1e-5


def test_top_per_row_and_bound():
    values = np.array([[0.1, 0.9, 0.5, -np.inf], [0.3, 0.2, 0.1, 0.0]], dtype=np.float32)
    rows, cols, bound = top_per_row(values, 2)
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=False)) == [
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
    ]
    assert bound.tolist() == pytest.approx([0.1, 0.1])


def test_every_mentor_gets_candidates():
    best = MentorBest(3, 2, n_blocks=2)
    best.update(np.array([[0.1, 0.9, 0.2], [0.8, 0.1, -np.inf]], dtype=np.float32), 0)
    best.update(np.array([[0.5, 0.4, 0.3]], dtype=np.float32), 2)
    keys = sorted(best.keys().tolist())
    assert keys == sorted([1 * 3 + 0, 2 * 3 + 0, 0 * 3 + 1, 2 * 3 + 1, 0 * 3 + 2, 2 * 3 + 2])


def test_top_k_graph_is_sparse_and_bounded_at_scale():
    mentees, mentors = people(600, 300, seed=11)
    space = FeatureSpace(mentees, mentors)
    found = build_candidates(space, W, dense_limit=0, top_k=8, block=100)
    per_mentee = np.bincount(found.graph.mentee, minlength=600)
    per_mentor = np.bincount(found.graph.mentor, minlength=300)
    assert per_mentee.max() <= 8 + per_mentor.size and per_mentee.min() >= 1
    assert per_mentor[space.capacity > 0].min() >= 1
    assert found.graph.n_edges < 600 * 300 / 10
    dense = exact_partial(space, W) + W["working_style"] / sum(W.values())
    in_graph = np.zeros((600, 300), dtype=bool)
    in_graph[found.graph.mentee, found.graph.mentor] = True
    allowed = PairRules(space, ("manager",), blocked_pairs(space)).allowed(0, 600)
    outside = np.where(in_graph | ~allowed, -np.inf, dense).max(axis=1)
    assert np.all(outside <= found.outside_bound + 1e-9)
