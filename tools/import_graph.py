"""Tandem's import graph, read from the source: which app imports which, cycles, and imports
that go against the documented order (docs/architecture.md, "Import order").

    python tools/import_graph.py          # the app graph, then every problem; exit 1 if any

``tests/test_architecture.py`` runs the same checks in the suite.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"
PACKAGE = SOURCE / "tandem"
DOC = ROOT / "docs" / "architecture.md"
# The core may be used by every app; it imports no app and no Django.
PURE_CORE = "matching"
# Pure packages inside an app: rules that run without Django (bench/health_sim.py runs the
# health rules as they are), so they import no Django and of Tandem only themselves and the core.
PURE_PACKAGES = ("tandem.feedback.health",)
# Modules directly in src/tandem/ (settings, urls, api, asgi, routing, cli) wire the apps
# together: they sit above every app.
WIRING = "tandem"


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted (as written; may name a package or a symbol's module)
    path: Path
    line: int


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines under ``if TYPE_CHECKING:``: annotations only, never run, never a cycle."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path) -> Iterator[Import]:
    """Every import in one file, function-level ones included (they can still close a circle)."""
    source = module_name(path)
    package = source.split(".") if path.name == "__init__.py" else source.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_lines(tree)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, path, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield Import(source, target, path, node.lineno)
            for alias in node.names:  # `from tandem.x import services` imports a module
                candidate = f"{target}.{alias.name}"
                if module_path(candidate) is not None:
                    yield Import(source, candidate, path, node.lineno)


def module_path(dotted: str) -> Path | None:
    base = SOURCE.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def app_of(dotted: str) -> str | None:
    """The app (first package under ``tandem``) a module belongs to; WIRING for top modules."""
    parts = dotted.split(".")
    if parts[0] != "tandem":
        return None
    if len(parts) == 1 or not (PACKAGE / parts[1]).is_dir():
        return WIRING
    return parts[1]


def all_imports() -> list[Import]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found.extend(i for i in imports_of(path) if i.target.split(".")[0] in {"tandem", "django"})
    return found


def documented_order() -> list[list[str]]:
    """The layers of docs/architecture.md's "Import order" line, top first."""
    match = re.search(r"^Import order: (.+)$", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    if not match:
        raise SystemExit(f"{DOC} has no 'Import order:' line")
    return [[app.strip(" `") for app in layer.split(",")] for layer in match.group(1).split("→")]


def app_graph(imports: list[Import]) -> dict[str, dict[str, list[Import]]]:
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for item in imports:
        source, target = app_of(item.source), app_of(item.target)
        if source and target and source != target:
            graph[source][target].append(item)
    return graph


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def upward_imports(imports: list[Import]) -> list[str]:
    """Imports against the documented order, and any Django or app import in the pure core."""
    rank = {app: depth for depth, layer in enumerate(documented_order()) for app in layer}
    problems = []
    for item in imports:
        source, target = app_of(item.source), app_of(item.target)
        where = f"{item.path.relative_to(ROOT)}:{item.line} imports {item.target}"
        pure = next((p for p in PURE_PACKAGES if _within(item.source, p)), None)
        if pure is not None and not (_within(item.target, pure) or target == PURE_CORE):
            problems.append(f"{where}: {pure} is pure (no Django; only itself and the core)")
            continue
        if source == PURE_CORE:
            if item.target.split(".")[0] == "django" or target not in (None, PURE_CORE):
                problems.append(f"{where}: tandem.matching imports no Django and no app")
            continue
        if target is None or source in (target, WIRING) or target == PURE_CORE:
            continue
        if target == WIRING:
            problems.append(f"{where}: an app imports the wiring above it")
        elif source not in rank or target not in rank:
            unknown = source if source not in rank else target
            problems.append(f"{where}: app '{unknown}' is missing from the documented order")
        elif rank[target] <= rank[source]:
            problems.append(f"{where}: against the order ({source} is not above {target})")
    return problems


def module_cycles(imports: list[Import]) -> list[list[str]]:
    """Circles of modules importing each other (Tarjan's strongly connected components)."""
    modules = {item.source for item in imports}
    edges: dict[str, set[str]] = defaultdict(set)
    for item in imports:
        if item.target in modules and item.target != item.source:
            edges[item.source].add(item.target)
    return [sorted(component) for component in _strong_components(edges) if len(component) > 1]


def _strong_components(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of a directed graph, in the order Tarjan finds them."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for following in sorted(edges.get(node, ())):
            if following not in index:
                visit(following)
                low[node] = min(low[node], low[following])
            elif following in on_stack:
                low[node] = min(low[node], index[following])
        if low[node] == index[node]:
            components.append(_pop_component(stack, on_stack, node))

    sys.setrecursionlimit(10_000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return components


def _pop_component(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    """Pop ``root``'s component off Tarjan's stack (everything down to ``root``)."""
    component = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        component.append(member)
        if member == root:
            return component


def main() -> int:
    imports = all_imports()
    for source, targets in sorted(app_graph(imports).items()):
        arrows = ", ".join(f"{target} ({len(items)})" for target, items in sorted(targets.items()))
        print(f"{source} -> {arrows}")
    problems = upward_imports(imports)
    problems += ["cycle: " + " <-> ".join(cycle) for cycle in module_cycles(imports)]
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
