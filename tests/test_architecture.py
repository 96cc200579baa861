"""The code holds to ARCHITECTURE.md: no import cycle between the project's modules, dependencies
pointing one way (actions <- devices <- policies <- agent; the engine below the rest of agent/),
argparse only in the commands, a loop that reads in one sitting, and a doc whose package map and
references match the files."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.helpers import REPO

PACKAGES = ("actions", "devices", "policies", "agent")
LAYER = {name: i for i, name in enumerate(PACKAGES)}


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    """The project modules `module` imports, at any level (function-level imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if path.name == "__init__.py" else 0)
                base = ".".join(parts[:keep] + ([node.module] if node.module else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target and target != module:
                found.add(target)
    return found


GRAPH = {m: _imports(m, p) for m, p in MODULES.items()}


def test_no_import_cycle() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            component.sort()
            # A package's __init__ importing its own submodules is how packages are built, not a
            # cycle between modules with jobs of their own.
            if len(component) > 1 and not all(m.startswith(component[0] + ".") for m in component[1:]):
                cycles.append(component)

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert cycles == []


def test_dependencies_point_one_way() -> None:
    upward = [(m, t) for m, targets in GRAPH.items() for t in targets
              if LAYER[t.split(".")[0]] > LAYER[m.split(".")[0]]]
    assert upward == []
    # Inside agent/, the engine uses nothing above it but expect, imaging and ocr.
    allowed = {"agent.expect", "agent.imaging", "agent.ocr", "agent"}
    engine_up = [(m, t) for m, targets in GRAPH.items() if m.startswith("agent.engine")
                 for t in targets if t.startswith("agent") and not t.startswith("agent.engine")
                 and t not in allowed]
    assert engine_up == []


def test_argparse_lives_in_the_commands_only() -> None:
    users = [m for m, p in MODULES.items() if re.search(r"^\s*(import argparse|from argparse)",
                                                         p.read_text(encoding="utf-8"), re.M)]
    assert users and all(m.startswith("agent.commands") for m in users), users


def test_the_loop_reads_in_one_sitting() -> None:
    for name in ("agent.engine.loop", "agent.engine.stages"):
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        long = [(f.name, f.end_lineno - f.lineno + 1) for f in ast.walk(tree)
                if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.end_lineno - f.lineno + 1 > 50]
        assert long == [], (name, long)


def test_no_module_is_much_over_400_lines() -> None:
    big = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert big == {}


def test_the_architecture_doc_matches_the_code() -> None:
    doc = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    # Every path the doc names exists.
    for path in set(re.findall(r"`((?:actions|devices|policies|agent|tests|scenarios)/[\w/.]+)`", doc)):
        assert (REPO / path.rstrip("/")).exists(), path
    # Every module of the engine and every command is in the package map.
    for path in (REPO / "agent" / "engine").glob("*.py"):
        if path.stem != "__init__":
            assert f"{path.stem}.py" in doc, path
    # Every place the code cites the doc names a section that exists.
    sections = set(re.findall(r"^#+ (.+)$", doc, re.M))
    for module, path in MODULES.items():
        for cited in re.findall(r'ARCHITECTURE\.md, "([^"]+)"', path.read_text(encoding="utf-8")):
            assert cited in sections, (module, cited)
        assert "design.md" not in path.read_text(encoding="utf-8"), f"{module} cites a doc outside the repo"
