"""all-MiniLM-L6-v2 adapted to mentoring goals: its sentence vectors through a small learnt map.

An adapter file (:data:`ALONE`, :data:`FOR_MIX`) holds ``U`` and ``V`` (384 x rank, float32):
a text's vector is ``x + U (V^T x)`` at unit length, where ``x`` is the model's, the same map
for goals and expertise. ``U`` and ``V`` were fitted on ``bench/data/text_train.csv`` (goals
written for this, apart from every measured set) to put each goal's right expertise above
look-alikes that share its words, held near the identity; built by ``python -m
tandem.matching.embedders.adapt [--for-mix]``. The file records the sha256 of the weights it
was fitted on, and this module the file's own: a changed file, or a model it was not fitted
for, is refused.

:class:`AdaptedMix` keeps the model's own reading beside the map's: the map alone learnt to
push a goal's look-alikes down, and in doing so pushed some true answers of nearby needs up, so
it ranks a mentee's real mentors worse than the model does (docs/matching.md, "The model and
the adapter mixed"); the mix gives a pair the cosine ``alpha * cos_model + (1 - alpha) *
cos_adapted`` for one run of the model. Its map, :data:`FOR_MIX`, was trained with a term that
holds a goal's cosines to other needs' answers near the model's.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from tandem.matching.embedders.blend import join
from tandem.matching.embedders.calibration import ADAPTED, GoalsCalibration
from tandem.matching.embedders.fingerprint import digest, embedder_fingerprint
from tandem.matching.embedders.minilm import WEIGHTS_SHA256, MiniLMEmbedder
from tandem.matching.embedders.onnx_int8 import INT8_SHA256


@dataclass(frozen=True)
class AdapterFile:
    """A shipped map: its file in ``tandem.matching.data``, that file's sha256, and the
    calibration of its cosines used alone (None: it is only used inside a mix)."""

    name: str
    sha256: str
    calibration: GoalsCalibration | None


# ``adapted``'s map, trained alone.
ALONE = AdapterFile(
    "minilm_adapter.npz",
    "b299bcd6d625b9334fb7213abd3ef537d4b86831c0ca88335b4673e6a716883d",
    ADAPTED,
)
# ``mixed``'s map (``adapt.MIX_SETTINGS``), and the model's share of the mix's cosine, chosen
# together on dev and pairs by the rule written before they were run (docs/matching.md).
FOR_MIX = AdapterFile(
    "minilm_mix_adapter.npz",
    "a11644ee92cfac49f6b78feb8900709597121fcc502efb6faa531f95d0009eda",
    None,
)
MIX_MODEL_SHARE = 0.5
# Fitted on the int8 weights' vectors; the float32 weights they were exported from give the
# same cosines to about 0.006 (docs/matching.md), so the map is theirs too.
SOURCES = (INT8_SHA256, WEIGHTS_SHA256)


def apply(rows: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``x + U V^T x`` for each row ``x``, at unit length (a zero row stays zero)."""
    mapped = rows + (rows @ v) @ u.T
    norms = np.linalg.norm(mapped, axis=1, keepdims=True)
    return np.divide(mapped, norms, out=np.zeros_like(mapped), where=norms > 0)


@lru_cache(maxsize=2)
def _adapter(file: AdapterFile) -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """``U``, ``V``, the weights they fit and the file's sha256, after checking it."""
    data = resources.files("tandem.matching.data").joinpath(file.name).read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != file.sha256:
        raise ValueError(f"{file.name}: sha256 {found} differs from {file.sha256}")
    with np.load(io.BytesIO(data), allow_pickle=False) as saved:
        sources = tuple(str(saved["sources"]).split("\n"))
        return saved["u"], saved["v"], sources, found


class AdaptedEmbedder:
    """``base``'s (all-MiniLM-L6-v2's) vectors through the trained map ``file``.

    Raises
    ------
    ValueError
        When the adapter file changed, or ``base`` runs weights it was not fitted for.
    """

    def __init__(self, base: MiniLMEmbedder, file: AdapterFile = ALONE):
        self.u, self.v, sources, self.sha256 = _adapter(file)
        if base.weights_sha256 not in sources:
            raise ValueError(
                f"{file.name} was fitted for weights {', '.join(sources)}, "
                f"not {base.weights_sha256}"
            )
        self.calibration = file.calibration  # its cosines on the lexicon's scale
        self.base = base
        self.name = f"{base.name}, adapted"
        self.dimension = base.dimension
        self.fingerprint = digest(embedder_fingerprint(base), self.sha256)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.adapt(np.asarray(self.base.embed(list(texts))))

    def adapt(self, rows: np.ndarray) -> np.ndarray:
        """The model's ``rows`` through the map, float32."""
        return apply(rows, self.u, self.v).astype(np.float32)


class AdaptedMix:
    """The model's unit vectors and the adapted ones side by side, ``model_share`` of the
    cosine for the model's: rows ``[sqrt(a) * unit(x), sqrt(1 - a) * unit(x + U V^T x)]``,
    unit length, the model run once per text.

    ``calibration`` is the one fitted for this share (None: its raw cosines).

    Examples
    --------
    >>> from tandem.matching.embedders.choose import model_embedder
    >>> model = model_embedder().base  # the int8 weights every install has
    >>> adapted = AdaptedEmbedder(model, FOR_MIX)
    >>> texts = ["present to senior leaders", "executive communication", ""]
    >>> rows = AdaptedMix(adapted, 0.5).embed(texts)
    >>> [round(float(n), 3) for n in np.linalg.norm(rows, axis=1)]
    [1.0, 1.0, 0.0]
    >>> x = adapted.base.embed(texts[:2])
    >>> y = adapted.adapt(x)
    >>> mixed = 0.5 * x[0] @ x[1] + 0.5 * y[0] @ y[1]
    >>> bool(np.isclose(rows[0] @ rows[1], mixed, atol=1e-5))
    True
    """

    def __init__(
        self,
        adapted: AdaptedEmbedder,
        model_share: float,
        calibration: GoalsCalibration | None = None,
    ):
        self.adapted, self.model_share, self.calibration = adapted, model_share, calibration
        self.name = f"{adapted.base.name} + {1 - model_share:g} adapted"
        self.dimension = 2 * adapted.dimension
        self.fingerprint = digest(adapted.fingerprint, model_share)

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = np.asarray(self.adapted.base.embed(list(texts)), dtype=np.float32)
        return join(rows, self.adapted.adapt(rows), 1 - self.model_share)
