"""Layers only point down (DESIGN.md): ext < engine < envs < agents < selfplay < scripts.

A module may import its own layer and the ones below it, nothing above: every ``import``
and ``from ... import`` counts, at the top of a file or inside a function, and so does
``importlib.import_module("seigen....")`` with a literal name. Cython files (``ext/*.pyx``,
``*.pxd``) are read line by line for ``import`` and ``cimport``. A lower layer that needs
something above takes it as a parameter.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("ext", "engine", "envs", "agents", "selfplay", "scripts")
RANK = {name: rank for rank, name in enumerate(LAYERS)}
CYTHON_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+c?import\b|c?import\s+([\w.]+))")


def _python_imports(source: str, layer: str, filename: str) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every import of a Python source, function bodies included."""
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the package seigen.<layer>
                package = ["seigen", layer][: 2 - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            yield node.lineno, base
            if base in ("seigen", *(f"seigen.{name}" for name in LAYERS)):
                for alias in node.names:  # from seigen import agents; from seigen.agents import ppo
                    yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value


def _cython_imports(source: str) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(source.splitlines(), start=1):
        found = CYTHON_IMPORT.match(line)
        if found:
            yield number, found.group(1) or found.group(2)


def layer_violations(source: str, layer: str, filename: str) -> list[str]:
    """One line per import of ``source`` (a module of ``layer``) that reaches a layer above it."""
    imports = (
        _cython_imports(source)
        if filename.endswith((".pyx", ".pxd"))
        else _python_imports(source, layer, filename)
    )
    problems = set()
    for line, module in imports:
        parts = module.split(".")
        if len(parts) >= 2 and parts[0] == "seigen" and RANK.get(parts[1], -1) > RANK[layer]:
            problems.add((line, f"{filename}:{line} imports {module}: {parts[1]} is a layer above {layer}"))
    return [message for _, message in sorted(problems)]


def layer_files() -> Iterator[tuple[str, Path]]:
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*")):
            if path.suffix in (".py", ".pyx", ".pxd") and "__pycache__" not in path.parts:
                yield layer, path


def test_no_module_imports_a_layer_above_its_own() -> None:
    problems: list[str] = []
    files = list(layer_files())
    assert len(files) > 50 and {layer for layer, _ in files} == set(LAYERS), "the layers were not found"
    for layer, path in files:
        name = path.relative_to(ROOT).as_posix()
        problems += layer_violations(path.read_text(encoding="utf-8"), layer, name)
    assert not problems, "imports that point up a layer:\n" + "\n".join(problems)


PLANTED = '''\
"""An agents module that reaches up, in every way the checker knows."""
import importlib
import numpy as np
from seigen.engine.board import Board
from seigen.envs import make_env
from seigen.agents.runs import RunDir


def rate(rows):
    from seigen.selfplay.evaluator import read_eval
    import seigen.scripts.cli as cli
    from seigen import selfplay
    from ..selfplay import run
    return importlib.import_module("seigen.scripts.gtp")
'''


def test_the_checker_finds_imports_that_point_up_even_inside_functions() -> None:
    assert layer_violations(PLANTED, "agents", "agents/planted.py") == [
        "agents/planted.py:10 imports seigen.selfplay.evaluator: selfplay is a layer above agents",
        "agents/planted.py:11 imports seigen.scripts.cli: scripts is a layer above agents",
        "agents/planted.py:12 imports seigen.selfplay: selfplay is a layer above agents",
        "agents/planted.py:13 imports seigen.selfplay.run: selfplay is a layer above agents",
        "agents/planted.py:13 imports seigen.selfplay: selfplay is a layer above agents",
        "agents/planted.py:14 imports seigen.scripts.gtp: scripts is a layer above agents",
    ]
    # one layer up only the scripts imports point up; the top layer may import anything
    upper = layer_violations(PLANTED, "selfplay", "selfplay/planted.py")
    assert [p.split()[2] for p in upper] == ["seigen.scripts.cli:", "seigen.scripts.gtp:"]
    assert layer_violations(PLANTED, "scripts", "scripts/planted.py") == []


@pytest.mark.parametrize(
    ("line", "caught"),
    [
        ("from seigen.engine.board cimport Board", True),
        ("cimport seigen.agents.nets", True),
        ("import seigen.engine.files", True),
        ("from seigen.ext.board cimport BoardState", False),
        ("from libc.stdint cimport int16_t", False),
        ("import numpy as np", False),
    ],
)
def test_the_checker_reads_cython_imports(line: str, caught: bool) -> None:
    assert bool(layer_violations(f"# a comment\n{line}\n", "ext", "ext/planted.pyx")) is caught
