"""Review R2 of issue #14: an embedder's fingerprint says what it computes (the model: the
weights' sha256, the vocabulary, the token limit and the pooling), and finding the int8 weights
runs nothing of their package."""

from __future__ import annotations

import sys

import pytest

from tandem.matching.embedders import minilm
from tandem.matching.embedders.choose import model_installed
from tandem.matching.embedders.fingerprint import digest, embedder_fingerprint
from tandem.matching.embedders.meaning import MeaningEmbedder
from tandem.matching.embedders.onnx_int8 import INT8_SHA256
from tandem.matching.embedders.static import StaticEmbedder

needs_model = pytest.mark.skipif(not model_installed(), reason="MiniLM weights not installed")


def test_finding_the_int8_weights_imports_nothing(monkeypatch):
    monkeypatch.delenv(minilm.MODEL_DIR_VARIABLE, raising=False)
    monkeypatch.delitem(sys.modules, minilm.INT8_PACKAGE, raising=False)
    files = minilm.model_files()
    if files is not None:
        assert files[0].name == "model.onnx" and files[0].is_file()
    assert minilm.INT8_PACKAGE not in sys.modules


@needs_model
def test_the_models_fingerprint_is_its_definition(monkeypatch):
    vocab = minilm.SHIPPED_VOCAB.read_bytes()
    model = minilm.MiniLMEmbedder()
    assert model.fingerprint == digest(INT8_SHA256, vocab, minilm.MAX_TOKENS, minilm.POOLING)
    assert embedder_fingerprint(MeaningEmbedder(model)) == model.fingerprint
    monkeypatch.setattr(minilm, "MAX_TOKENS", 128)
    assert minilm.MiniLMEmbedder().fingerprint != model.fingerprint


def test_the_static_pieces_say_their_table():
    assert embedder_fingerprint(MeaningEmbedder(StaticEmbedder())) == StaticEmbedder().fingerprint
    assert embedder_fingerprint(object()) == ""
