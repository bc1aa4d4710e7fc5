"""``seigen play``: a game in the terminal against an agent, for each game, driven through
``cli.main`` with stdin replaced (and once through the console script)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state
from seigen.scripts.cli import main

GAMES = {
    "tictactoe": (NetSpec(2, 3, 3, 9, blocks=1, channels=8), {"name": "tictactoe"}),
    "connect4": (NetSpec(2, 6, 7, 7, blocks=1, channels=8), {"name": "connect4"}),
    "go": (
        NetSpec(17, 5, 5, 26, blocks=1, channels=8),
        {"name": "go", "size": 5, "komi": 7.5, "rules": "chinese", "max_moves": 30},
    ),
}
RESULT = re.compile(r"You win\.|The agent wins\.|A draw\.")


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("play")
    out = {}
    for name, (spec, game) in GAMES.items():
        torch.manual_seed(0)
        out[name] = folder / f"{name}.pt"
        torch.save({**net_state(PolicyValueNet(spec), game), "step": 0}, out[name])
    return out


def play(monkeypatch, capsys, model: Path, stdin: str, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = main(["play", "--model", str(model), "--visits", "8", "--device", "cpu", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_tictactoe_bad_input_is_refused_and_the_game_is_played_out(models, monkeypatch, capsys):
    moves = "9\nfoo\n1 1\n4\n" + "".join(f"{i}\n" for i in range(9))  # the repeat of 4 is taken
    status, out, _ = play(monkeypatch, capsys, models["tictactoe"], moves)
    assert status == 0
    assert "there is no square 9" in out and "'foo' is not a move" in out
    assert "square 4 is taken" in out
    assert ". X ." in out.split("Your move:")[3]  # "1 1" put X in the centre
    assert "The agent plays square" in out
    assert RESULT.search(out)


def test_connect_four_as_second_player(models, monkeypatch, capsys):
    moves = "7\nx\n" + "".join(f"{c}\n" for c in list(range(7)) * 6)
    status, out, _ = play(monkeypatch, capsys, models["connect4"], moves, "--color", "second")
    assert status == 0
    assert out.index("The agent plays column") < out.index("Your move:")  # the agent opens
    assert "there is no column 7" in out and "'x' is not a move" in out
    assert "0 1 2 3 4 5 6" in out
    assert RESULT.search(out)


def test_parse_move_says_why_a_move_is_refused():
    from seigen.engine.games import ConnectFour, GoGame, TicTacToe
    from seigen.scripts.play import parse_move

    assert parse_move(ConnectFour([3] * 6), "connect4", "3") == (None, "column 3 is full")
    assert parse_move(ConnectFour([3] * 6), "connect4", " 4 ") == (4, "")
    assert parse_move(TicTacToe([4]), "tictactoe", "2,1") == (7, "")
    assert parse_move(TicTacToe([4]), "tictactoe", "1/1") == (None, "square 4 is taken")
    assert parse_move(TicTacToe(), "tictactoe", "3 3")[1] == "there is no row 3, column 3; both are 0-2"
    go = GoGame(size=5)
    assert parse_move(go, "go", "pass") == (25, "")
    assert parse_move(go, "go", "a5") == (0, "")
    go.play(0)
    assert parse_move(go, "go", "A5") == (None, "A5 is illegal (occupied)")


def test_go_vertices_pass_and_the_end_of_input(models, monkeypatch, capsys):
    status, out, _ = play(monkeypatch, capsys, models["go"], "Z9\nI3\nF1\nhello\nC3\nC3\n")
    assert status == 0
    assert "Z9 is off the 5x5 board" in out and "'I3' is not a move" in out  # GTP has no column I
    assert "F1 is off the 5x5 board" in out and "'hello' is not a move" in out
    assert "C3 is illegal (occupied)" in out
    assert "A B C D E" in out and "komi 7.5" in out
    assert "End of input" in out


def test_go_played_to_the_end_by_passing(models, monkeypatch, capsys):
    status, out, _ = play(monkeypatch, capsys, models["go"], "pass\n" * 40)
    assert status == 0
    assert RESULT.search(out) and "Result " in out


def test_quit_and_bad_models(models, monkeypatch, capsys, tmp_path):
    status, out, _ = play(monkeypatch, capsys, models["connect4"], "quit\n")
    assert status == 0 and "left unfinished" in out
    status, _, err = play(monkeypatch, capsys, tmp_path / "nothing.pt", "")
    assert status == 2 and "seigen play: error:" in err and "nothing.pt" in err
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"\x00garbage")
    status, _, err = play(monkeypatch, capsys, corrupt, "")
    assert status == 2 and "corrupt.pt" in err and len(err.strip().splitlines()) == 1


def test_the_console_script(models):
    exe = shutil.which("seigen")
    argv = [exe] if exe else [sys.executable, "-m", "seigen.scripts.cli"]
    done = subprocess.run(
        [*argv, "play", "--model", str(models["tictactoe"]), "--visits", "8", "--device", "cpu"],
        input="10\n" + "".join(f"{i}\n" for i in range(9)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "there is no square 10" in done.stdout and RESULT.search(done.stdout)
    assert "Traceback" not in done.stderr
