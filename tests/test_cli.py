"""The ``seigen`` console script: help for every command, clear errors, and ``seigen demo``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import typing

import pytest

from seigen.scripts import configs
from seigen.scripts.cli import COMMANDS, Group, Leaf, main, resolve


def _leaves(node: Group | Leaf, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Leaf]]:
    if isinstance(node, Leaf):
        return [(path, node)]
    return [item for name, child in node.children.items() for item in _leaves(child, (*path, name))]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--help"], ["usage: seigen", "bench", "demo"]),
        (["-h"], ["usage: seigen", "bench", "demo"]),
        (["bench", "--help"], ["usage: seigen bench", "board", "light and heavy playouts"]),
        (
            ["bench", "board", "--help"],
            ["seigen bench board", "--size", "--seconds", "--repeats", "--json", "--no-peer"],
        ),
        (["demo", "--help"], ["seigen demo", "--size", "--seed", "--rules", "chinese"]),
    ],
)
def test_help(argv, expected, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    for text in expected:
        assert text in out


def test_every_field_has_help_text(capsys):
    for path, leaf in _leaves(COMMANDS):
        config = resolve(leaf.config)
        # the listing line is the config's own summary, so the two cannot drift apart
        assert leaf.summary == config.__doc__.strip().splitlines()[0]
        assert main([*path, "--help"]) == 0
        out = capsys.readouterr().out
        for name in config.__dataclass_fields__:
            assert f"--{name.replace('_', '-')}" in out or name.upper() in out  # an option or a positional
        assert "(default:" in out


def test_console_script_help_is_fast_and_lazy():
    """``seigen --help`` through the console script, and it imports none of numpy, the core, torch."""
    exe = shutil.which("seigen")
    cmd = [exe, "--help"] if exe else [sys.executable, "-m", "seigen.scripts.cli", "--help"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "bench" in done.stdout and "demo" in done.stdout
    check = (
        "import sys; from seigen.scripts.cli import main; assert main(['--help']) == 0; "
        "heavy = [m for m in ('numpy', 'torch', 'seigen.ext.board', 'tyro') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "a command is required"),
        (["bench"], "a command is required"),
        (["bnch"], "did you mean 'bench'"),
        (["--bogus"], "unknown option"),
        (["bench", "chess"], "unknown command 'chess'"),
        (["bench", "board", "--size", "1"], "--size must be between 2 and 25"),
        (["bench", "board", "--size", "nine"], "--size"),
        (["bench", "board", "--seconds", "0"], "--seconds must be positive"),
        (["bench", "board", "--repeats", "0"], "--repeats must be at least 1"),
        (["bench", "board", "--frobnicate"], "--frobnicate"),
        (["demo", "--rules", "klingon"], "klingon"),
        (["demo", "--size", "30"], "--size must be between 2 and 25"),
    ],
)
def test_bad_arguments_fail_clearly(argv, message, capsys):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""


def test_rules_choices_match_the_engine_presets():
    from seigen.engine import Rules

    assert set(typing.get_args(configs.RulesPreset)) == set(Rules.PRESETS)


def test_demo_prints_a_board_a_result_and_the_benchmark(capsys):
    assert main(["demo", "--size", "9", "--seed", "3", "--bench-seconds", "0.05"]) == 0
    out = capsys.readouterr().out
    assert "A B C D E F G H J" in out  # the board's coordinates
    assert "Result: " in out and "score " in out
    assert "seigen" in out and "pettingzoo" in out  # the benchmark table


@pytest.mark.parametrize("rules", ["japanese", "tromp-taylor"])
def test_demo_other_rules_without_benchmark(rules, capsys):
    assert main(["demo", "--size", "7", "--seed", "1", "--rules", rules, "--bench-seconds", "0"]) == 0
    out = capsys.readouterr().out
    assert "A B C D E F G" in out and "Result: " in out
    assert "pettingzoo" not in out


def test_random_game_ends_legally():
    from seigen.scripts.demo import random_game

    board = random_game(9, seed=5)
    board.check_consistency()
    assert board.is_over or board.move_number == 3 * 9 * 9
    if board.is_over:  # both passes were forced: no legal move outside own eyes, for either side
        for color in ("black", "white"):
            assert board.sensible_moves(color).size == 0
    assert -81 - board.komi <= board.score() <= 81 - board.komi
