"""all-MiniLM-L6-v2 adapted to mentoring goals: its sentence vectors through a small learnt map.

``data/minilm_adapter.npz`` holds ``U`` and ``V`` (384 x rank, float32): a text's vector is
``x + U (V^T x)`` at unit length, where ``x`` is the model's, the same map for goals and
expertise. ``U`` and ``V`` were fitted on ``bench/data/text_train.csv``
(goals written for this, apart from every measured set) to put each goal's right expertise
above look-alikes that share its words, held near the identity; built by
``python -m tandem.matching.embedders.adapt``, byte for byte. The file records the sha256 of
the weights it was fitted on, and this module the file's own: a changed file, or a model it
was not fitted for, is refused.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from importlib import resources

import numpy as np

from tandem.matching.embedders.calibration import ADAPTED
from tandem.matching.embedders.fingerprint import digest, embedder_fingerprint
from tandem.matching.embedders.minilm import WEIGHTS_SHA256, MiniLMEmbedder
from tandem.matching.embedders.onnx_int8 import INT8_SHA256

ADAPTER_FILE = "minilm_adapter.npz"
ADAPTER_SHA256 = "b299bcd6d625b9334fb7213abd3ef537d4b86831c0ca88335b4673e6a716883d"
# Fitted on the int8 weights' vectors; the float32 weights they were exported from give the
# same cosines to about 0.006 (docs/matching.md), so the map is theirs too.
SOURCES = (INT8_SHA256, WEIGHTS_SHA256)


def apply(rows: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``x + U V^T x`` for each row ``x``, at unit length (a zero row stays zero)."""
    mapped = rows + (rows @ v) @ u.T
    norms = np.linalg.norm(mapped, axis=1, keepdims=True)
    return np.divide(mapped, norms, out=np.zeros_like(mapped), where=norms > 0)


@lru_cache(maxsize=1)
def _adapter() -> tuple[np.ndarray, np.ndarray, tuple[str, ...], str]:
    """``U``, ``V``, the weights they fit and the file's sha256, after checking it."""
    data = resources.files("tandem.matching.data").joinpath(ADAPTER_FILE).read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != ADAPTER_SHA256:
        raise ValueError(f"{ADAPTER_FILE}: sha256 {found} differs from {ADAPTER_SHA256}")
    with np.load(io.BytesIO(data), allow_pickle=False) as saved:
        sources = tuple(str(saved["sources"]).split("\n"))
        return saved["u"], saved["v"], sources, found


class AdaptedEmbedder:
    """``base``'s (all-MiniLM-L6-v2's) vectors through the trained map.

    Raises
    ------
    ValueError
        When the adapter file changed, or ``base`` runs weights it was not fitted for.
    """

    calibration = ADAPTED  # its cosines on the lexicon's scale

    def __init__(self, base: MiniLMEmbedder):
        self.u, self.v, sources, self.sha256 = _adapter()
        if base.weights_sha256 not in sources:
            raise ValueError(
                f"{ADAPTER_FILE} was fitted for weights {', '.join(sources)}, "
                f"not {base.weights_sha256}"
            )
        self.base = base
        self.name = f"{base.name}, adapted"
        self.dimension = base.dimension
        self.fingerprint = digest(embedder_fingerprint(base), self.sha256)

    def embed(self, texts: list[str]) -> np.ndarray:
        return apply(np.asarray(self.base.embed(list(texts))), self.u, self.v).astype(np.float32)
