"""The house keeps its shape: imports go down the documented order, never in a circle, and
no module grows past what a reader can scan. The order is read from docs/architecture.md, so
the document and the code cannot drift apart."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400  # past this a module becomes a package split by sub-domain


def _load_import_graph():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools/import_graph.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


graph = _load_import_graph()


@pytest.fixture(scope="module")
def imports():
    return graph.all_imports()


def test_every_app_is_in_the_documented_order():
    documented = {app for layer in graph.documented_order() for app in layer}
    apps = {
        path.name
        for path in (ROOT / "src/tandem").iterdir()
        if (path / "__init__.py").is_file() and path.name != graph.PURE_CORE
    }
    assert apps <= documented, f"apps missing from docs/architecture.md: {apps - documented}"


def test_imports_go_down_the_documented_order(imports):
    assert graph.upward_imports(imports) == []


def test_no_modules_import_each_other_in_a_circle(imports):
    assert graph.module_cycles(imports) == []


def test_the_checks_catch_what_they_are_for():
    """The checker itself: an upward import, a Django import in the core, a pure package
    importing around it, and a circle."""
    made = graph.Import
    path = ROOT / "src/tandem/people/services.py"
    upward = made("tandem.people.services", "tandem.mentorships.models", path, 1)
    core = made("tandem.matching.features", "django.db", ROOT / "src/tandem/matching/x.py", 1)
    down = made("tandem.mentorships.services", "tandem.people.models", path, 1)
    rules = ROOT / "src/tandem/feedback/health/pauses.py"
    impure = made("tandem.feedback.health.pauses", "tandem.core.templatetags.x", rules, 1)
    pure = made("tandem.feedback.health.pauses", "tandem.feedback.health.signals", rules, 1)
    assert len(graph.upward_imports([upward, core, down, impure, pure])) == 3
    circle = [
        made("tandem.people.a", "tandem.people.services", path, 1),
        made("tandem.people.services", "tandem.people.a", path, 1),
    ]
    assert graph.module_cycles(circle) == [["tandem.people.a", "tandem.people.services"]]


def test_no_module_is_too_long_to_scan():
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "src/tandem").rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}
