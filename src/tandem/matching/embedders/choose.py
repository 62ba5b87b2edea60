"""Which embedder a run uses.

A caller that names none gets the built-in concept lexicon (:class:`BuiltinEmbedder`): tens
of thousands of texts a second, vectors that never go negative (which the candidate bound's fast
path relies on). The product names its own: ``TANDEM_TEXT_EMBEDDER`` (default ``mixed``),
with each profile's vectors kept when it is saved (``tandem.people.services.vectors``).
``auto`` (the default of ``tandem match``) runs ``mixed`` instead (every install has the
model's int8 weights and the adapter) when the run has at most :data:`MODEL_LIMIT` texts (goals
and expertise): above that the model would take minutes, so the fast built-in one is used.
``mixed`` is all-MiniLM-L6-v2's vectors beside the same vectors through a map trained on
mentoring goals for the mix (half of the cosine the model's, half the adapted one's;
:class:`~tandem.matching.embedders.adapter.AdaptedMix`);
``minilm`` the model unadapted;
``adapted`` its vectors through the map alone (:mod:`~tandem.matching.embedders.adapter`),
which tells a goal's answer from look-alikes best but ranks real answers to other needs worse;
``blend`` the model with the static pieces beside it (:mod:`~tandem.matching.embedders.blend`);
``static`` the piece table distilled from the model alone (measured in docs/matching.md);
``sentence-transformers`` the torch model, if installed.
"""

from __future__ import annotations

from functools import lru_cache

from tandem.matching.embedders.adapter import (
    FOR_MIX,
    MIX_MODEL_SHARE,
    AdaptedEmbedder,
    AdaptedMix,
)
from tandem.matching.embedders.blend import STATIC_SHARE, Blend
from tandem.matching.embedders.calibration import MIXED
from tandem.matching.embedders.meaning import MeaningEmbedder
from tandem.matching.embedders.minilm import MiniLMEmbedder, model_files
from tandem.matching.embedders.static import StaticEmbedder
from tandem.matching.text import BuiltinEmbedder, Embedder, SentenceTransformerEmbedder

NAMES = (
    "auto",
    "builtin",
    "minilm",
    "mixed",
    "adapted",
    "blend",
    "static",
    "sentence-transformers",
)
MODEL_LIMIT = 2_000  # texts up to which `auto` runs the model (~75 s at 27 texts/s, busy core)


def default_embedder() -> Embedder:
    """What a run uses when its caller chooses none: the built-in concept lexicon.

    >>> embedder_name(default_embedder())
    'built-in concept lexicon'
    """
    return BuiltinEmbedder()


@lru_cache(maxsize=1)
def model_embedder() -> MeaningEmbedder:
    """all-MiniLM-L6-v2 in numpy, the lexicon naming shared topics; loaded once a process
    (read-only); ImportError when the weights are not installed."""
    return MeaningEmbedder(MiniLMEmbedder())


@lru_cache(maxsize=1)
def blend_embedder() -> Embedder:
    """The model joined with the static pieces, sharing the loaded model (read-only)."""
    return MeaningEmbedder(Blend(model_embedder().base, StaticEmbedder(), STATIC_SHARE))


@lru_cache(maxsize=1)
def adapted_embedder() -> MeaningEmbedder:
    """The model through the trained adapter, sharing the loaded model (read-only)."""
    model = model_embedder().base
    assert isinstance(model, MiniLMEmbedder)
    return MeaningEmbedder(AdaptedEmbedder(model))


@lru_cache(maxsize=1)
def mixed_embedder() -> Embedder:
    """The model and its vectors through the mix's map side by side, the model run once a
    text, sharing the loaded model (read-only)."""
    model = model_embedder().base
    assert isinstance(model, MiniLMEmbedder)
    return MeaningEmbedder(AdaptedMix(AdaptedEmbedder(model, FOR_MIX), MIX_MODEL_SHARE, MIXED))


def model_installed() -> bool:
    return model_files() is not None


def choose_embedder(name: str = "auto", texts: int = 0) -> Embedder:
    """The embedder called ``name`` (one of :data:`NAMES`) for a run of ``texts`` texts.

    Raises ImportError when the named one needs something that is not installed.

    >>> embedder_name(choose_embedder("auto", texts=MODEL_LIMIT + 1))
    'built-in concept lexicon'
    """
    if name == "auto":
        if texts <= MODEL_LIMIT and model_installed():
            return mixed_embedder()
        return default_embedder()
    if name == "builtin":
        return BuiltinEmbedder()
    if name == "minilm":
        return model_embedder()
    if name == "adapted":
        return adapted_embedder()
    if name == "mixed":
        return mixed_embedder()
    if name == "blend":
        return blend_embedder()
    if name == "static":
        return MeaningEmbedder(StaticEmbedder())
    if name == "sentence-transformers":
        return SentenceTransformerEmbedder()
    raise ValueError(f"unknown embedder {name!r}: choose from {', '.join(NAMES)}")


def embedder_name(embedder: Embedder) -> str:
    """How reports and ``tandem match`` name an embedder."""
    named = getattr(embedder, "name", None)
    if named:
        return str(named)
    if isinstance(embedder, BuiltinEmbedder):
        return "built-in concept lexicon"
    return type(embedder).__name__
