"""A BERT encoder's forward pass in numpy, shared by every sentence model Tandem runs.

The weights come as a dict of float32 arrays under the names of Hugging Face's safetensors
files (``embeddings.word_embeddings.weight``, ``encoder.layer.0.attention.self.query.weight``,
...), whatever file they were read from; the word table may instead be any object that
gives float32 rows for an array of ids (a 4-bit table dequantised a batch at a time, so a
250,000-piece vocabulary does not sit in memory as float32). A sentence's vector is the mean
of the last layer over its tokens or the first token's state, L2-normalised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import erf
from threadpoolctl import threadpool_limits

LAYER_NORM_EPS = 1e-12
BATCH = 64


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(variance + LAYER_NORM_EPS) * weight + bias


class BertEncoder:
    """The layers of a BERT model, ready to run on batches of token ids.

    ``pooling`` is ``"mean"`` (all-MiniLM-L6-v2, E5) or ``"cls"`` (the first token's state).
    """

    def __init__(self, weights: dict[str, Any], heads: int, pooling: str = "mean"):
        def linear(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            weight = weights[f"{prefix}.weight"]
            return np.ascontiguousarray(weight.T), weights[f"{prefix}.bias"]

        def norm(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            return weights[f"{prefix}.LayerNorm.weight"], weights[f"{prefix}.LayerNorm.bias"]

        self.heads, self.pooling = heads, pooling
        self.words = weights["embeddings.word_embeddings.weight"]
        self.positions = weights["embeddings.position_embeddings.weight"]
        self.token_type = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = norm("embeddings")
        self.dimension = int(self.positions.shape[1])
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

    def forward(self, batch: list[list[int]]) -> np.ndarray:
        """Pooled, normalised last-layer states of a batch of token id lists."""
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
        width = self.dimension // self.heads
        for layer in self.layers:
            qkv = x @ layer["qkv"][0] + layer["qkv"][1]
            q, k, v = (
                qkv[..., p * self.dimension : (p + 1) * self.dimension]
                .reshape(n, length, self.heads, width)
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
        if self.pooling == "cls":
            pooled = x[:, 0]
        else:
            pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        pooled = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled.astype(np.float32)


def embed_texts(
    encoder: BertEncoder, token_ids: Callable[[str], list[int]], texts: list[str]
) -> np.ndarray:
    """Each distinct non-blank text run once, in batches of similar length; blank ones zero."""
    texts = list(texts)
    out = np.zeros((len(texts), encoder.dimension), dtype=np.float32)
    unique = {t: None for t in texts if t.strip()}
    ids = {t: token_ids(t) for t in unique}
    order = sorted(unique, key=lambda t: len(ids[t]))  # similar lengths pad little
    vectors = {}
    # One BLAS thread: the products are small, and threads that wait for each other cost
    # ten times the work on a busy machine (measured; docs/matching.md).
    with threadpool_limits(limits=1, user_api="blas"):
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            for text, vector in zip(batch, encoder.forward([ids[t] for t in batch]), strict=True):
                vectors[text] = vector
    for row, text in enumerate(texts):
        if text in vectors:
            out[row] = vectors[text]
    return out
