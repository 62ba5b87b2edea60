"""Review R2 of issue #14: ``tandem match`` says in report.json which embedder ran, and warns
when ``auto`` wanted the model but could not load it."""

from __future__ import annotations

import json

import pytest

from tandem.cli import main
from tandem.matching.embedders.choose import model_embedder
from tandem.matching.embedders.minilm import MODEL_DIR_VARIABLE


@pytest.fixture
def people(tmp_path):
    assert main(["demo", "--people", "24", "--seed", "3", "--csv", str(tmp_path)]) == 0
    return tmp_path


def run(folder, *options: str) -> dict:
    report = folder / "report.json"
    arguments = ["match", "--mentees", str(folder / "mentees.csv")]
    arguments += ["--mentors", str(folder / "mentors.csv"), "--out", str(folder / "pairs.csv")]
    assert main([*arguments, "--report", str(report), "--no-progress", *options]) == 0
    return json.loads(report.read_text())


def test_the_report_names_the_embedder(people):
    report = run(people, "--embedder", "builtin")
    assert report["embedder"] == "built-in concept lexicon"
    assert not any("embedder" in warning for warning in report["warnings"])


def test_auto_without_the_model_warns_that_it_ran_the_lexicon(people, monkeypatch, capsys):
    monkeypatch.setenv(MODEL_DIR_VARIABLE, "/nonexistent")
    model_embedder.cache_clear()
    try:
        report = run(people, "--embedder", "auto")
    finally:
        model_embedder.cache_clear()
    assert report["embedder"] == "built-in concept lexicon"
    [warning] = [w for w in report["warnings"] if w.startswith("embedder auto")]
    assert "not installed" in warning and "built-in concept lexicon" in warning
    assert "warning: embedder auto" in capsys.readouterr().err
