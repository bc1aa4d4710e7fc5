"""The board benchmark: its JSON lines, and the Python peer's playouts (no timing is asserted)."""

from __future__ import annotations

import json
import os
import random

import numpy as np
import pytest

from seigen.scripts.bench_board import (
    HEAVY,
    PEER,
    SEIGEN,
    go_base_size,
    peer_playout,
    ratio,
    run_board_benchmark,
    single_core,
)
from seigen.scripts.cli import main

ROW_KEYS = {"impl", "size", "playouts_per_s", "moves_per_s", "moves_per_playout", "seconds", "repeats", "cpu"}


def test_cli_json_lines(capsys):
    assert main(["bench", "board", "--seconds", "0.2", "--repeats", "1", "--json"]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]  # nothing but JSON on stdout
    rows = [line for line in lines if "impl" in line]
    assert [row["impl"] for row in rows] == [SEIGEN, HEAVY, PEER]
    for row in rows:
        assert row.keys() >= ROW_KEYS
        assert row["size"] == 9 and row["repeats"] == 1 and row["seconds"] == 0.2
        for key in ("playouts_per_s", "moves_per_s", "moves_per_playout"):
            assert row[key] > 0
        assert isinstance(row["cpu"], str) and row["cpu"]
    finals = [line for line in lines if "impl" not in line]
    assert lines[-2:] == finals
    assert [f["ratio"] for f in finals] == ["seigen/pettingzoo", "seigen-heavy/seigen"]
    for final in finals:
        assert final["playouts_per_s"] > 0 and final["moves_per_s"] > 0
    assert rows[1]["unit"] == "one heavy playout from the empty board"


def test_table_and_no_peer(capsys):
    assert main(["bench", "board", "--size", "5", "--seconds", "0.05", "--repeats", "2", "--no-peer"]) == 0
    out = capsys.readouterr().out
    assert "seigen" in out and "5x5" in out and "pettingzoo" not in out
    assert "seigen-heavy" in out and "seigen-heavy/seigen" in out


def test_run_board_benchmark_rows():
    rows = run_board_benchmark(7, 0.05, 2, peer=True, show_progress=False)
    assert [row["impl"] for row in rows] == [SEIGEN, HEAVY, PEER]
    for row in rows:
        assert row.keys() >= ROW_KEYS
        assert len(row["playouts_per_s_runs"]) == 2
        assert row["playouts"] >= 3
        assert -49 <= row["mean_score"] <= 49
        assert 1 <= row["moves_per_playout"] <= 3 * 49
    r = ratio(rows)
    assert r is not None and r["playouts_per_s"] > 0
    assert ratio(rows[:1]) is None
    heavy = ratio(rows, HEAVY, SEIGEN)
    assert heavy is not None and heavy["ratio"] == "seigen-heavy/seigen" and heavy["playouts_per_s"] > 0
    with pytest.raises(ValueError, match="--seconds"):
        run_board_benchmark(9, 0, 1)


@pytest.mark.parametrize(("size", "seed"), [(5, 0), (5, 1), (9, 2), (13, 3)])
def test_peer_playout_ends_in_a_legal_finished_position(size, seed):
    with go_base_size(size) as go_base:
        score, moves, pos = peer_playout(go_base, random.Random(seed))
        assert pos.board.shape == (size, size)
        assert -size * size <= score <= size * size
        assert moves == pos.n == len(pos.recent)
        assert pos.is_game_over() or moves == 3 * size * size
        # every chain on the board has a liberty, and go_base's tracker agrees with the board
        tracker = go_base.LibertyTracker.from_board(pos.board)
        assert all(len(group.liberties) > 0 for group in tracker.groups.values())
        assert np.array_equal(tracker.liberty_cache, pos.lib_tracker.liberty_cache)
        if pos.is_game_over():  # the passes were forced: only illegal points and own eyes are left
            for side in (pos, pos.flip_playerturn()):
                for c in go_base.ALL_COORDS:
                    if side.board[c] == go_base.EMPTY:
                        assert not side.is_move_legal(c) or go_base.is_eyeish(side.board, c) == side.to_play


def test_peer_playout_stops_at_the_cap():
    with go_base_size(9) as go_base:
        _, moves, pos = peer_playout(go_base, random.Random(0), max_moves=10)
    assert moves == 10 == pos.n


def test_go_base_size_is_restored():
    from pettingzoo.classic.go import go_base

    before = (go_base.N, go_base.NEIGHBORS, go_base.DIAGONALS, go_base.ALL_COORDS)
    with go_base_size(6):
        assert go_base.N == 6 and len(go_base.ALL_COORDS) == 36
        assert go_base.EMPTY_BOARD.shape == (6, 6)
        assert sorted(go_base.NEIGHBORS[(0, 0)]) == [(0, 1), (1, 0)]
        assert go_base.DIAGONALS[(5, 5)] == [(4, 4)]
    assert before == (go_base.N, go_base.NEIGHBORS, go_base.DIAGONALS, go_base.ALL_COORDS)


def _reference_eye(colors: np.ndarray, r: int, c: int, pla: int) -> bool:
    """The playouts' eye, as stated: 4 neighbours own or edge; diagonals: no opponent on the edge, <= 1 inside."""
    n = colors.shape[0]
    if colors[r, c] != 0:
        return False
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        rr, cc = r + dr, c + dc
        if 0 <= rr < n and 0 <= cc < n and colors[rr, cc] != pla:
            return False
    edge, n_opp = False, 0
    for dr in (-1, 1):
        for dc in (-1, 1):
            rr, cc = r + dr, c + dc
            if not (0 <= rr < n and 0 <= cc < n):
                edge = True
            elif colors[rr, cc] == 3 - pla:
                n_opp += 1
    return n_opp == 0 if edge else n_opp <= 1


def test_eye_tests_agree_with_the_stated_definition():
    """go_base.is_eyeish (the peer) and seigen's C eye test both match it."""
    from seigen.engine import Board

    rng = np.random.default_rng(0)
    n = 5
    with go_base_size(n) as go_base:
        for _ in range(300):
            colors = rng.choice(3, size=(n, n), p=[0.3, 0.35, 0.35]).astype(np.uint8)
            signed = np.where(colors == 1, go_base.BLACK, np.where(colors == 2, go_base.WHITE, go_base.EMPTY))
            signed = signed.astype(np.int8)
            board = Board(n)
            try:
                board.setup(np.flatnonzero(colors == 1).tolist(), np.flatnonzero(colors == 2).tolist())
            except ValueError:  # a chain without liberties: not a position
                continue
            for pla, go_color in ((1, go_base.BLACK), (2, go_base.WHITE)):
                eyes = np.zeros(n * n, dtype=np.uint8)
                board._c.eye_mask(eyes, pla)
                ours = eyes.reshape(n, n)
                for r in range(n):
                    for c in range(n):
                        want = _reference_eye(colors, r, c, pla)
                        assert (go_base.is_eyeish(signed, (r, c)) == go_color) == want
                        assert bool(ours[r, c]) == want


def test_single_core_pins_and_restores():
    before_env = os.environ.get("OMP_NUM_THREADS")
    before = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    with single_core() as cpu:
        assert os.environ["OMP_NUM_THREADS"] == "1"
        if before is not None:
            assert os.sched_getaffinity(0) == {cpu}
    assert os.environ.get("OMP_NUM_THREADS") == before_env
    if before is not None:
        assert os.sched_getaffinity(0) == before
