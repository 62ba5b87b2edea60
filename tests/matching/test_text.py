import importlib.util

import numpy as np
import pytest

import tandem.matching.text as text_module
from tandem.matching.text import (
    MODEL_NOT_INSTALLED,
    BuiltinEmbedder,
    Embedder,
    SentenceTransformerEmbedder,
    tokenize,
)

HAS_MODEL = importlib.util.find_spec("sentence_transformers") is not None


@pytest.fixture(scope="module")
def embedder():
    return BuiltinEmbedder()


def ranking(embedder, query, candidates):
    vectors = embedder.embed([query, *candidates])
    scores = vectors[1:] @ vectors[0]
    return [candidates[k] for k in np.argsort(-scores, kind="stable")]


class TestBuiltinEmbedder:
    def test_meaning_beats_shared_words(self, embedder):
        assert (
            ranking(
                embedder,
                "I want my charts to tell a clear story to executives",
                ["user story mapping", "data visualisation and dashboard design"],
            )[0]
            == "data visualisation and dashboard design"
        )

    @pytest.mark.parametrize(
        "query, right, decoy",
        [
            (
                "speak up in meetings without freezing",
                "building confidence and assertiveness",
                "running effective meetings",
            ),
            (
                "set up CI/CD so we release every day",
                "continuous delivery and deployment automation",
                "release notes writing",
            ),
            (
                "become a first-time manager",
                "managing people and one-on-ones",
                "project management tools",
            ),
        ],
    )
    def test_other_known_answers(self, embedder, query, right, decoy):
        assert ranking(embedder, query, [decoy, right])[0] == right

    def test_rows_are_unit_or_zero(self, embedder):
        vectors = embedder.embed(["SQL", "", "   ", "zxqv"])
        norms = np.linalg.norm(vectors, axis=1)
        assert vectors.dtype == np.float32 and vectors.shape[1] == 256
        np.testing.assert_allclose(norms, [1, 0, 0, 1], atol=1e-6)

    def test_deterministic_and_independent_of_the_batch(self, embedder):
        alone = embedder.embed(["data pipelines in Airflow"])
        batch = BuiltinEmbedder().embed(["other text", "data pipelines in Airflow"])
        np.testing.assert_array_equal(alone[0], batch[1])
        assert embedder.embed([]).shape == (0, 256)

    def test_phrases_win_over_their_words(self, embedder):
        assert "user stories and requirements" in embedder.concepts("user story mapping")
        assert "storytelling and clear messages" not in embedder.concepts("user story mapping")
        assert "storytelling and clear messages" in embedder.concepts("tell a story")

    def test_spelling_variants_and_tokens(self, embedder):
        a, b = embedder.embed(["visualisation", "visualizations"])
        assert float(a @ b) == pytest.approx(1.0, abs=1e-6)
        assert tokenize("C++ and CI/CD for A/B tests") == [
            "cplusplus",
            "and",
            "cicd",
            "for",
            "ab",
            "test",
        ]

    @pytest.mark.parametrize("written", ["1:1s", "1-on-1", "1 - on - 1", "1 : 1"])
    def test_one_on_one_however_written(self, written):
        words = ["weekly", "one", "on", "one", "with", "a", "coach"]
        assert tokenize(f"weekly {written} with a coach") == words

    def test_protocol(self, embedder):
        assert isinstance(embedder, Embedder)


@pytest.mark.skipif(HAS_MODEL, reason="sentence-transformers is installed")
def test_model_embedder_explains_the_missing_extra():
    with pytest.raises(ImportError, match="optional extra"):
        SentenceTransformerEmbedder()
    assert "tandem[embeddings]" in MODEL_NOT_INSTALLED


@pytest.mark.skipif(not HAS_MODEL, reason="optional extra not installed")
def test_model_embedder_is_normalised():
    vectors = SentenceTransformerEmbedder().embed(["data visualisation", ""])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), [1, 0], atol=1e-5)


def test_remembered_hits_are_bounded_and_change_nothing(monkeypatch):
    texts = ["dashboards in Tableau", "user story mapping", "tell a story", "SQL and Python"]
    fresh = [BuiltinEmbedder().concepts(text) for text in texts]
    monkeypatch.setattr(text_module, "RECENT_TEXTS", 2)
    embedder = BuiltinEmbedder()
    first = embedder.embed(texts)
    again = embedder.embed(texts[:1])  # its hits were forgotten: the bound is 2
    assert len(embedder._recent_hits) == 2
    np.testing.assert_array_equal(again[0], first[0])
    assert [embedder.concepts(text) for text in texts] == fresh
