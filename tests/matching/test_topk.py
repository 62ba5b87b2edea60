import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching.candidates.cheap import UNCOUNTED, CheapBound
from tandem.matching.candidates.generate import generate_candidates
from tandem.matching.candidates.rules import PairRules, blocked_pairs
from tandem.matching.candidates.topk import top_per_row
from tandem.matching.features import FeatureSpace, combine, pair_features, resolve_weights
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.records.cells import CADENCES, FORMATS
from tandem.matching.synthetic import people

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
        "seniority": st.one_of(st.none(), st.integers(0, 10)),
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


def test_top_k_graph_is_sparse_and_bounded_at_scale():
    mentees, mentors = people(600, 300, seed=11)
    space = FeatureSpace(mentees, mentors)
    found = generate_candidates(space, W, dense_limit=0, top_k=8, block=100)
    per_mentee = np.bincount(found.graph.mentee, minlength=600)
    per_mentor = np.bincount(found.graph.mentor, minlength=300)
    assert per_mentee.max() <= 8 + per_mentor.size and per_mentee.min() >= 1
    assert per_mentor[space.capacity > 0].min() >= 1
    assert found.graph.n_edges < 600 * 300 / 10
    dense = exact_partial(space, W) + sum(W[name] for name in UNCOUNTED) / sum(W.values())
    in_graph = np.zeros((600, 300), dtype=bool)
    in_graph[found.graph.mentee, found.graph.mentor] = True
    allowed = PairRules(space, ("manager",), blocked_pairs(space)).allowed(0, 600)
    outside = np.where(in_graph | ~allowed, -np.inf, dense).max(axis=1)
    assert np.all(outside <= found.outside_bound + 1e-9)


def test_low_rank_factoring_keeps_an_upper_bound():
    from tandem.matching.candidates.factor import low_rank

    rng = np.random.default_rng(5)
    left = (rng.random((3000, 6)) @ rng.random((6, 40))).astype(np.float32)  # rank 6
    left[:, 0] += rng.random(3000).astype(np.float32) * 1e-3  # a little beyond rank 6
    right = rng.random((40, 2000)).astype(np.float32)
    factor, rest = low_rank(left, right)
    assert factor.shape[1] < 20
    assert np.array_equal(factor[:, -1], left[:, -1])  # the per-mentee constant, unfactored
    exact = left.astype(np.float64) @ right.astype(np.float64)
    approx = factor.astype(np.float64) @ rest.astype(np.float64)
    assert (approx >= exact - 1e-4).all() and np.abs(approx - exact).max() < 0.05


def test_top_per_row_matches_a_full_sort():
    rng = np.random.default_rng(8)
    values = rng.random((50, 3000)).astype(np.float32)
    values[rng.random(values.shape) < 0.3] = -np.inf
    values[7] = -np.inf
    values[8, 5:] = -np.inf
    rows, cols, left_out = top_per_row(values, 10)
    for r in range(50):
        finite = np.sort(values[r][np.isfinite(values[r])])[::-1]
        assert sorted(values[r, cols[rows == r]].tolist(), reverse=True) == finite[:10].tolist()
        assert left_out[r] == (finite[10] if len(finite) > 10 else -np.inf)


def test_allowed_columns_agree_with_allowed_rows():
    mentees, mentors = people(80, 40, seed=2)
    mentees[3] = Mentee(**{**mentees[3].__dict__, "exclude": ("r5",)})
    space = FeatureSpace(mentees, mentors)
    for rules in (("manager",), ("manager", "department")):
        pair_rules = PairRules(space, rules, blocked_pairs(space, [("e7", "r9")]))
        cols = np.array([0, 5, 9, 17, 39])
        some = np.array([1, 3, 7, 50, 79])
        rows = pair_rules.allowed(0, 80)
        assert (pair_rules.allowed_columns(cols) == rows[:, cols].T).all()
        assert (pair_rules.allowed_rows(some) == rows[some]).all()
        assert (pair_rules.allowed(3, 8) == rows[3:8]).all()
        assert not rows[3, 5] and not rows[7, 9]
        pair_rules.rows = None  # the path without the row table
        assert (pair_rules.allowed(0, 80) == rows).all()
        assert (pair_rules.allowed_rows(some) == rows[some]).all()
        assert (pair_rules.allowed_columns(cols) == rows[:, cols].T).all()


@pytest.mark.parametrize("table_bytes", [0, 10**9])
def test_every_availability_path_bounds_the_exact_score(monkeypatch, table_bytes):
    import tandem.matching.candidates.cheap as cheap_bound

    monkeypatch.setattr(cheap_bound, "HOURS_TABLE_BYTES", table_bytes)
    mentees, mentors = people(40, 25, seed=6)
    long_week = ("Mon-Fri 08:00-17:00",)
    mentees[0] = Mentee(**{**mentees[0].__dict__, "availability": long_week})
    mentees[1] = Mentee(**{**mentees[1].__dict__, "availability": ()})
    space = FeatureSpace(mentees, mentors)
    bound = CheapBound(space, W)
    cheap = bound.block(0, 40)
    assert np.all(cheap >= exact_partial(space, W) - 1e-5)
    assert np.median(cheap - exact_partial(space, W)) < 1e-5
    cols = np.array([1, 4, 20])
    assert np.allclose(bound.take(np.arange(5, 9), cols), cheap[5:9][:, cols], atol=1e-6)
    assert np.allclose(bound.take_columns(cols), cheap[:, cols].T, atol=1e-6)
    # Without the long week no pair overlaps more than 4 hours: availability goes linear.
    short = CheapBound(FeatureSpace(mentees[1:], mentors), W)
    assert short.hours_linear is (table_bytes == 0)


def test_compact_drops_idle_columns_and_keeps_the_product():
    from tandem.matching.candidates.factor import compact

    rng = np.random.default_rng(4)
    left = [rng.random((50, 4)).astype(np.float32), rng.random((50, 3)) > 0.5]
    right = [rng.random((4, 30)).astype(np.float32), rng.random((3, 30))]
    left[0][:, 1] = 0  # nobody on the left has it
    right[0][2] = 0  # nobody on the right has it
    right[1][0] = 0.25  # the same for every mentor: joins the constant
    const = rng.random(50).astype(np.float32)
    before = (
        sum(a.astype(np.float64) @ b for a, b in zip(left, right, strict=True)) + const[:, None]
    )
    small_left, small_right = compact(left, right, const)
    assert sum(a.shape[1] for a in small_left) == sum(b.shape[0] for b in small_right) == 4
    after = sum(a.astype(np.float64) @ b for a, b in zip(small_left, small_right, strict=True))
    np.testing.assert_allclose(after + const[:, None], before, rtol=1e-6)


def test_hours_marks_each_utc_hour_with_any_of_its_four_slots():
    from tandem.matching.candidates.cheap import _hours

    rng = np.random.default_rng(4)
    words = rng.integers(0, 2**63, (40, 11), dtype=np.int64).astype(np.uint64)
    words[rng.random(words.shape) < 0.6] = 0
    words[:2] = 0
    words[1, 0] = 1 << 3  # slot 3: hour 0's last quarter
    words[1, 10] = 1 << 32  # slot 672: past the week, ignored
    slots = [sum(int(w) << (64 * k) for k, w in enumerate(row)) for row in words]
    expected = [[float((s >> (4 * h)) & 0xF != 0) for h in range(168)] for s in slots]
    hours = _hours(words)
    assert hours.dtype == np.float32 and hours.tolist() == expected
    assert hours[0].sum() == 0 and hours[1].tolist() == [1.0] + [0.0] * 167


WORDS = [
    "public",
    "speaking",
    "leading",
    "meetings",
    "presentations",
    "storytelling",
    "negotiation",
    "coaching",
    "feedback",
    "hiring",
    "strategy",
    "budgeting",
]


def _one_queue(n):
    """n mentees who rank n one-seat mentors the same way: with top_k=1 every mentee's one
    candidate is the same mentor, and each refill gives the waiting the same next one."""
    mentees = [Mentee(id=f"e{i:02d}", goals=" ".join(WORDS)) for i in range(n)]
    mentors = [
        Mentor(id=f"r{j:02d}", expertise=" ".join(WORDS[: len(WORDS) - j]), capacity=1)
        for j in range(n)
    ]
    return mentees, mentors


@pytest.mark.parametrize("objective", ["fair", "stable"])
def test_fair_and_stable_refill_while_it_matches_more(objective):
    # Families check: with a small top_k, fair and stable refilled once and matched 81 and
    # 80 of the 155 mentees a dense run matches (here 3 of 6).
    from tandem.matching.pipeline import match_participants

    mentees, mentors = _one_queue(6)
    result = match_participants(mentees, mentors, objective=objective, top_k=1, dense_limit=0)
    assert result.report["matched"] == 6
    assert result.report["warnings"] == []


@pytest.mark.parametrize("objective", ["fair", "stable"])
def test_mentees_left_beside_free_seats_are_warned_about(objective):
    from tandem.matching.pipeline import SHORT_CANDIDATES, match_participants

    mentees, mentors = _one_queue(12)  # more refill rounds than MAX_REFILL_ROUNDS
    result = match_participants(mentees, mentors, objective=objective, top_k=1, dense_limit=0)
    left = result.report["unmatched"]
    assert left > 0
    assert result.report["warnings"] == [SHORT_CANDIDATES.format(count=left, top_k=1)]
