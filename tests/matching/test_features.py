import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.matching.candidates.generate import generate_candidates
from tandem.matching.candidates.rules import CONSTRAINTS, PIN_NOT_ALLOWED
from tandem.matching.candidates.scoring import PREFERENCE_STEP
from tandem.matching.features import (
    NEUTRAL,
    FeatureSpace,
    combine,
    pair_features,
    resolve_weights,
)
from tandem.matching.profiles import Mentee, Mentor
from tandem.matching.synthetic import people

W = resolve_weights()


def one_pair(mentee: Mentee, mentor: Mentor, reverse=False) -> dict:
    space = FeatureSpace([mentee], [mentor], reverse=reverse)
    return {k: float(v[0]) for k, v in pair_features(space, [0], [0]).items()}


def edges(found):
    g = found.graph
    return set(zip(g.mentee.tolist(), g.mentor.tolist(), strict=True))


class TestFeatureValues:
    def test_skills_share_of_wanted(self):
        f = one_pair(
            Mentee(id="a", skills_wanted=("SQL", "Python", "dbt", "Go")),
            Mentor(id="m", skills_offered=("sql ", "go", "rust")),
        )
        assert f["skills"] == 0.5

    def test_availability_overlap_in_utc_hours(self):
        # Berlin 09-12 is 08-11 UTC; London 08-10 is 08-10 UTC: 2 h of a 4 h target.
        f = one_pair(
            Mentee(id="a", timezone="Europe/Berlin", availability=("Mon 09:00-12:00",)),
            Mentor(id="m", timezone="Europe/London", availability=("Mon 08:00-10:00",)),
        )
        assert f["availability"] == 0.5

    def test_cadence_steps(self):
        assert (
            one_pair(Mentee(id="a", cadence="weekly"), Mentor(id="m", cadence="weekly"))["cadence"]
            == 1.0
        )
        assert (
            one_pair(Mentee(id="a", cadence="weekly"), Mentor(id="m", cadence="quarterly"))[
                "cadence"
            ]
            == 0.0
        )

    @pytest.mark.parametrize(
        "a, b, ca, cb, value",
        [
            ("virtual", "in_person", "", "", 0.0),
            ("virtual", "any", "", "", 1.0),
            ("in_person", "in_person", "Berlin", "berlin", 1.0),
            ("in_person", "any", "Berlin", "Pune", 0.0),
            ("in_person", "any", "Berlin", "", NEUTRAL),
            ("", "", "", "", 1.0),
        ],
    )
    def test_format_and_city(self, a, b, ca, cb, value):
        f = one_pair(Mentee(id="a", format=a, city=ca), Mentor(id="m", format=b, city=cb))
        assert f["format"] == value

    def test_seniority_direction_and_reverse(self):
        junior, senior = Mentee(id="a", seniority=2), Mentor(id="m", seniority=5)
        assert one_pair(junior, senior)["seniority"] == 1.0
        assert one_pair(junior, senior, reverse=True)["seniority"] == 0.0
        assert (
            one_pair(Mentee(id="a", seniority=6), Mentor(id="m", seniority=3), reverse=True)[
                "seniority"
            ]
            == 1.0
        )

    def test_working_style_on_shared_questions(self):
        f = one_pair(
            Mentee(id="a", working_style={"structure": 5, "pace": 1}),
            Mentor(id="m", working_style={"structure": 3, "directness": 2}),
        )
        assert f["working_style"] == 0.5

    def test_identity_counts_only_when_asked(self):
        mentor = Mentor(id="m", identity=("Woman",))
        assert one_pair(Mentee(id="a", identity=("woman",)), mentor)["identity"] == NEUTRAL
        asked = Mentee(id="a", identity=("woman",), prefer_shared_identity=True)
        assert one_pair(asked, mentor)["identity"] == 1.0
        assert one_pair(asked, Mentor(id="m"))["identity"] == 0.0

    def test_empty_profiles_are_no_preference(self):
        f = one_pair(Mentee(id="a"), Mentor(id="m"))
        assert f["goals"] == 0.25 and f["skills"] == f["availability"] == NEUTRAL

    def test_goals_meaning(self):
        space = FeatureSpace(
            [Mentee(id="a", goals="I want my charts to tell a clear story to executives")],
            [
                Mentor(id="viz", expertise="data visualisation and dashboard design"),
                Mentor(id="pm", expertise="user story mapping"),
            ],
        )
        goals = pair_features(space, [0, 0], [0, 1])["goals"]
        assert goals[0] > goals[1]

    def test_dense_block_equals_edge_list(self):
        mentees, mentors = people(30, 20, seed=5)
        space = FeatureSpace(mentees, mentors)
        i, j = np.meshgrid(np.arange(30), np.arange(20), indexing="ij")
        block = pair_features(
            space,
            np.arange(30)[:, None],
            np.arange(20)[None, :],
            ["goals", "skills", "cadence", "format", "seniority", "identity"],
        )
        flat = pair_features(space, i.ravel(), j.ravel(), block)
        for name in block:
            np.testing.assert_allclose(block[name].ravel(), flat[name], atol=1e-6)

    def test_weights(self):
        assert combine({"goals": np.array([1.0])}, W)[0] == pytest.approx(3 / 11)
        with pytest.raises(ValueError, match="unknown criterion 'charisma'"):
            resolve_weights({"charisma": 1})
        with pytest.raises(ValueError, match="at least one criterion"):
            resolve_weights(dict.fromkeys(W, 0))
        with pytest.raises(ValueError, match=">= 0"):
            resolve_weights({"goals": -1})


class TestHardConstraints:
    def test_each_constraint_removes_the_pair(self):
        mentees = [
            Mentee(id="lang", languages=("de",)),
            Mentee(id="excl", exclude=("m",)),
            Mentee(id="boss", manager="m"),
            Mentee(id="dept", department="Sales"),
            Mentee(id="city", format="in_person", city="Pune"),
            Mentee(id="ok", languages=("en", "de")),
        ]
        mentors = [
            Mentor(
                id="m", languages=("en",), department="sales", format="in_person", city="Berlin"
            ),
            Mentor(id="full", capacity=0),
        ]
        space = FeatureSpace(mentees, mentors)
        found = generate_candidates(space, W, rules=("manager", "department"))
        assert edges(found) == {(5, 0)}
        removed = dict(zip(CONSTRAINTS, found.removed.sum(axis=0).tolist(), strict=True))
        assert removed == {
            "language": 1,
            "exclude": 1,
            "forbidden": 0,
            "manager": 1,
            "department": 1,
            "city": 1,
            "capacity": 5,
        }

    def test_a_person_on_both_sides_is_never_their_own_mentor(self):
        space = FeatureSpace([Mentee(id="x")], [Mentor(id="x"), Mentor(id="y")])
        assert edges(generate_candidates(space, W)) == {(0, 1)}

    def test_rules_are_options(self):
        space = FeatureSpace(
            [Mentee(id="a", department="x", manager="m")], [Mentor(id="m", department="x")]
        )
        assert edges(generate_candidates(space, W, rules=())) == {(0, 0)}

    def test_exclude_from_mentor_side_and_manager_of_mentor(self):
        space = FeatureSpace(
            [Mentee(id="a"), Mentee(id="b")], [Mentor(id="m", exclude=("a",), manager="b")]
        )
        assert edges(generate_candidates(space, W)) == set()

    def test_forbidden_and_pins(self):
        space = FeatureSpace(
            [Mentee(id="a", languages=("de",))], [Mentor(id="m", languages=("en",)), Mentor(id="n")]
        )
        assert edges(generate_candidates(space, W, forbidden=[("a", "n")])) == set()
        with pytest.raises(ValueError, match="pinned pair a:m breaks a hard constraint"):
            generate_candidates(space, W, pinned=[("a", "m")])
        assert PIN_NOT_ALLOWED.startswith("pinned pair")
        with pytest.raises(ValueError, match="unknown id 'zz'"):
            generate_candidates(space, W, forbidden=[("a", "zz")])

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def test_no_edge_ever_breaks_a_constraint(self, data):
        langs, depts = st.sampled_from(["en", "de", "fr"]), st.sampled_from(["", "a", "b"])
        n, m = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
        mentee_ids, mentor_ids = [f"e{k}" for k in range(n)], [f"r{k}" for k in range(m)]

        def person(kind, k, others):
            common = {
                "languages": tuple(data.draw(st.sets(langs, max_size=2))),
                "department": data.draw(depts),
                "format": data.draw(st.sampled_from(["", "virtual", "in_person", "any"])),
                "city": data.draw(st.sampled_from(["", "X", "Y"])),
                "exclude": tuple(data.draw(st.sets(st.sampled_from(others), max_size=2))),
                "manager": data.draw(st.sampled_from(["", *others])),
            }
            if kind is Mentor:
                return Mentor(id=mentor_ids[k], capacity=data.draw(st.integers(0, 2)), **common)
            return Mentee(id=mentee_ids[k], **common)

        mentees = [person(Mentee, k, mentor_ids) for k in range(n)]
        mentors = [person(Mentor, k, mentee_ids) for k in range(m)]
        found = generate_candidates(
            FeatureSpace(mentees, mentors), W, rules=("manager", "department")
        )
        for i, j in edges(found):
            a, b = mentees[i], mentors[j]
            assert not (a.languages and b.languages) or set(a.languages) & set(b.languages)
            assert b.id not in a.exclude and a.id not in b.exclude
            assert a.manager != b.id and b.manager != a.id
            assert not a.department or a.department != b.department
            assert not (
                a.format == b.format == "in_person" and a.city and b.city and a.city != b.city
            )
            assert b.capacity > 0
        assert np.all((found.graph.score >= 0) & (found.graph.score <= 1))


class TestCandidateGeneration:
    def test_top_k_scores_match_dense_and_bound_holds(self):
        mentees, mentors = people(120, 50, seed=2)
        space = FeatureSpace(mentees, mentors)
        dense = generate_candidates(space, W)
        top = generate_candidates(space, W, dense_limit=0, top_k=5, block=32)
        assert dense.outside_bound is None and top.outside_bound is not None
        all_scores = {
            (i, j): s
            for i, j, s in zip(
                dense.graph.mentee.tolist(),
                dense.graph.mentor.tolist(),
                dense.graph.score.tolist(),
                strict=True,
            )
        }
        kept = edges(top)
        assert kept <= set(all_scores)
        for i, j, s in zip(top.graph.mentee, top.graph.mentor, top.graph.score, strict=True):
            assert s == pytest.approx(all_scores[(i, j)], abs=1e-6)
        for (i, j), s in all_scores.items():
            if (i, j) not in kept:
                assert s <= top.outside_bound[i]
        per_mentee = np.bincount(top.graph.mentee, minlength=120)
        assert per_mentee.min() >= 1

    def test_pinned_pair_outside_top_k_is_kept(self):
        mentees, mentors = people(40, 30, seed=4)
        space = FeatureSpace(mentees, mentors)
        dense = generate_candidates(space, W)
        g = dense.graph
        worst = int(np.argmin(np.where(g.mentee == 0, g.score, np.inf)))
        pin = (mentees[0].id, mentors[g.mentor[worst]].id)
        top = generate_candidates(space, W, dense_limit=0, top_k=1, pinned=[pin])
        assert (0, int(g.mentor[worst])) in edges(top)

    def test_explicit_preferences_rank_above_every_score(self):
        space = FeatureSpace(
            [Mentee(id="a", prefer=("n", "m"))],
            [Mentor(id="m"), Mentor(id="n"), Mentor(id="o", prefer=("a",))],
        )
        g = generate_candidates(space, W).graph
        pref = dict(zip(g.mentor.tolist(), g.mentee_pref.tolist(), strict=True))
        assert pref[1] > pref[0] > pref[2]
        assert pref[1] - g.score[1] == 2 * PREFERENCE_STEP
        assert g.mentor_pref[2] > 1 >= g.mentor_pref[0]

    def test_progress_counts_every_mentee(self):
        seen = []
        mentees, mentors = people(25, 10, seed=0)
        generate_candidates(FeatureSpace(mentees, mentors), W, progress=seen.append, block=8)
        assert sum(seen) == 25
