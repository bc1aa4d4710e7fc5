"""Board benchmark: playouts per second on one core, seigen's light and heavy playouts
against PettingZoo's Go.

One unit of work is one **light playout from the empty board**: uniform random legal
moves that never fill the mover's own single-point eye (all four neighbours own
stones or edge, and the diagonals not held by the opponent: none on the edge, at most
one in the middle), simple ko, no suicide, until two passes in a row or ``3*N*N``
moves (passes count as moves), then Tromp-Taylor area score. Both implementations
play exactly this, in the same run, on one pinned core:

* ``seigen``: the C core, ``CBoard.playouts`` (which also returns the moves played).
* ``seigen-heavy``: the same call with ``kind="heavy"``: one **heavy playout from the
  empty board** (the default ``PlayoutPolicy``: save own chains from atari, capture,
  3x3 shapes next to the last move, else the light rule; big self-ataris refused),
  same end and scoring. Its ratio to ``seigen`` is the price of the policy.
* ``pettingzoo``: ``pettingzoo.classic.go.go_base`` (pure Python, from minigo), used
  through its public API as a user would: ``Position.is_move_legal`` and
  ``Position.play_move(mutate=True)``, the eye test ``go_base.is_eyeish`` (minigo's
  rollout test, the same definition), ``Position.is_game_over`` and ``Position.score``.
  Moves are drawn the way the C core draws them: a random empty point, rejected and
  swapped out of the candidate range while illegal or an own eye, so each move is
  uniform over the legal non-eye points (pass when there is none). This was the
  fastest fair way found: drawing from ``all_legal_moves()`` instead was 1.8x
  slower on 9x9 and 3.5x slower on 19x19.

Usage: ``seigen bench board [--size 9] [--seconds 3] [--repeats 3] [--json] [--no-peer]``.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from seigen.scripts.configs import BenchBoardConfig

UNIT = "one light playout from the empty board"
HEAVY_UNIT = "one heavy playout from the empty board"
SEIGEN, HEAVY, PEER = "seigen", "seigen-heavy", "pettingzoo"
MIN_PEER_PLAYOUTS = 3  # per repeat, however short --seconds is
PEER_KOMI = 0.0  # both sides report the raw area difference (black - white)


# ---------------------------------------------------------------------------- machine
def cpu_model() -> str:
    """The CPU model named in /proc/cpuinfo (else what ``platform`` knows)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


@contextmanager
def single_core() -> Iterator[int | None]:
    """Pin this process to one CPU and set ``OMP_NUM_THREADS=1``; restore both after.

    Yields the CPU pinned to, or None where ``sched_setaffinity`` is not available.
    """
    old_omp = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = "1"
    old_cpus: set[int] | None = None
    cpu: int | None = None
    if hasattr(os, "sched_setaffinity"):
        try:
            old_cpus = os.sched_getaffinity(0)
            cpu = max(old_cpus)  # the last allowed CPU: less often the one serving interrupts
            os.sched_setaffinity(0, {cpu})
        except OSError:
            old_cpus, cpu = None, None
    try:
        yield cpu
    finally:
        if old_cpus is not None:
            os.sched_setaffinity(0, old_cpus)
        if old_omp is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = old_omp


# ---------------------------------------------------------------------------- the peer
@contextmanager
def go_base_size(n: int) -> Iterator[Any]:
    """go_base with its board size set to ``n``; its module globals are restored after.

    go_base keeps the size in module globals (``N``, ``ALL_COORDS``, ``EMPTY_BOARD``,
    ``NEIGHBORS``, ``DIAGONALS``), built at import from ``$BOARD_SIZE``. PettingZoo's
    Go env rewrites them in its constructor (``raw_env._overwrite_go_global_variables``);
    that module needs pygame, so this does the same rewrite, once per run.
    """
    from pettingzoo.classic.go import go_base

    names = ("N", "ALL_COORDS", "EMPTY_BOARD", "NEIGHBORS", "DIAGONALS")
    saved = {name: getattr(go_base, name) for name in names}

    def on_board(c: tuple[int, int]) -> bool:
        return 0 <= c[0] < n and 0 <= c[1] < n

    all_coords = [(i, j) for i in range(n) for j in range(n)]
    go_base.N = n
    go_base.ALL_COORDS = all_coords
    go_base.EMPTY_BOARD = np.zeros([n, n], dtype=np.int8)
    go_base.NEIGHBORS = {
        (x, y): list(filter(on_board, [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]))
        for x, y in all_coords
    }
    go_base.DIAGONALS = {
        (x, y): list(filter(on_board, [(x + 1, y + 1), (x + 1, y - 1), (x - 1, y + 1), (x - 1, y - 1)]))
        for x, y in all_coords
    }
    try:
        yield go_base
    finally:
        for name, value in saved.items():
            setattr(go_base, name, value)


def peer_playout(go_base: Any, rng: random.Random, max_moves: int | None = None) -> tuple[float, int, Any]:
    """One light playout from the empty board with go_base (sized by ``go_base_size``).

    Returns ``(score, moves, final Position)``: go_base's own ``score()`` (komi 0, so
    black's area minus white's) and the moves played, passes included.
    """
    n = go_base.N
    cap = 3 * n * n if max_moves is None else max_moves
    coords = go_base.ALL_COORDS
    is_eyeish = go_base.is_eyeish
    pos = go_base.Position(komi=PEER_KOMI)
    moves = 0
    while moves < cap and not pos.is_game_over():
        pla = pos.to_play
        board = pos.board
        candidates = np.flatnonzero(board.ravel() == go_base.EMPTY).tolist()
        k = len(candidates)
        move = None  # pass
        while k:
            i = int(rng.random() * k)
            c = coords[candidates[i]]
            if pos.is_move_legal(c) and is_eyeish(board, c) != pla:
                move = c
                break
            k -= 1
            candidates[i] = candidates[k]  # rejected: out of the candidate range
        pos = pos.play_move(move, mutate=True)
        moves += 1
    return float(pos.score()), moves, pos


# ---------------------------------------------------------------------------- timing
Progress = Callable[[float], None]  # called with seconds just spent


def _time_seigen(
    size: int, seconds: float, seed: int, advance: Progress, kind: str = "light"
) -> tuple[int, int, float, float]:
    """Playouts of ``kind`` in C batches until ``seconds`` pass: (playouts, moves, elapsed, score sum)."""
    from seigen.engine import Board

    cboard = Board(size)._c
    playouts = moves = 0
    score_sum = 0.0
    batch = 16
    n_batches = 0
    start = time.perf_counter()
    elapsed = 0.0
    while elapsed < seconds:
        scores = np.empty(batch, dtype=np.float64)
        t0 = time.perf_counter()
        moves += cboard.playouts(scores, (seed + n_batches) & 0xFFFFFFFFFFFFFFFF, kind=kind)
        t1 = time.perf_counter()
        n_batches += 1
        playouts += batch
        score_sum += float(scores.sum())
        elapsed = t1 - start
        advance(t1 - t0)
        rate = batch / max(t1 - t0, 1e-9)
        # batches of about 0.1 s, and none that runs far past the deadline
        batch = int(max(1, min(rate * 0.1, rate * (seconds - elapsed) + 1)))
    return playouts, moves, elapsed, score_sum


def _time_peer(size: int, seconds: float, seed: int, advance: Progress) -> tuple[int, int, float, float]:
    """go_base playouts until ``seconds`` pass (and at least a few): same tuple."""
    rng = random.Random(seed)
    playouts = moves = 0
    score_sum = 0.0
    with go_base_size(size) as go_base:
        start = time.perf_counter()
        elapsed = 0.0
        while elapsed < seconds or playouts < MIN_PEER_PLAYOUTS:
            t0 = time.perf_counter()
            score, m, _ = peer_playout(go_base, rng)
            t1 = time.perf_counter()
            playouts += 1
            moves += m
            score_sum += score
            elapsed = t1 - start
            advance(t1 - t0)
    return playouts, moves, elapsed, score_sum


def _measure(
    impl: str,
    size: int,
    seconds: float,
    repeats: int,
    seed: int,
    cpu: str,
    advance: Callable[[str, float], None],
) -> dict:
    timers: dict[str, Callable[..., tuple[int, int, float, float]]] = {
        SEIGEN: _time_seigen,
        HEAVY: lambda *args: _time_seigen(*args, kind="heavy"),
        PEER: _time_peer,
    }
    timer = timers[impl]
    pps, mps = [], []
    total_playouts = total_moves = 0
    score_sum = 0.0
    for r in range(repeats):
        playouts, moves, elapsed, s = timer(
            size,
            seconds,
            (seed << 40) + (r << 24) + 1,
            lambda dt, r=r: advance(f"{impl} {r + 1}/{repeats}", dt),
        )
        pps.append(playouts / elapsed)
        mps.append(moves / elapsed)
        total_playouts += playouts
        total_moves += moves
        score_sum += s
    return {
        "impl": impl,
        "size": size,
        "playouts_per_s": statistics.median(pps),
        "moves_per_s": statistics.median(mps),
        "moves_per_playout": total_moves / total_playouts,
        "mean_score": score_sum / total_playouts,
        "playouts": total_playouts,
        "playouts_per_s_runs": pps,
        "seconds": seconds,
        "repeats": repeats,
        "unit": HEAVY_UNIT if impl == HEAVY else UNIT,
        "cores": 1,
        "cpu": cpu,
    }


def run_board_benchmark(
    size: int = 9,
    seconds: float = 3.0,
    repeats: int = 3,
    peer: bool = True,
    seed: int = 0,
    show_progress: bool = True,
) -> list[dict]:
    """Measure playouts from the empty board, seigen light, seigen heavy, then the peer, on one pinned core.

    Returns one dict per implementation (``impl`` ``"seigen"``, ``"seigen-heavy"``,
    then ``"pettingzoo"``) with the medians over ``repeats`` runs of ``seconds`` each: ``playouts_per_s``,
    ``moves_per_s``, plus ``moves_per_playout``, ``mean_score`` (black - white area,
    no komi), ``playouts``, ``playouts_per_s_runs``, ``seconds``, ``repeats``, ``unit``,
    ``cores``, ``cpu`` and ``cpu_pinned``. Progress goes to stderr.
    """
    BenchBoardConfig(size=size, seconds=seconds, repeats=repeats)  # validates the arguments
    impls = [SEIGEN, HEAVY, PEER] if peer else [SEIGEN, HEAVY]
    model = cpu_model()
    rows = []
    with single_core() as pinned, _progress(show_progress) as progress:
        for impl in impls:
            # the peer's time is at least its minimum playouts; the bar is a guide only
            task = progress.add_task(f"{impl} {size}x{size}", total=seconds * repeats)

            def advance(desc: str, dt: float, task: Any = task) -> None:
                progress.update(task, advance=dt, description=f"{desc} {size}x{size}")

            row = _measure(impl, size, seconds, repeats, seed, model, advance)
            row["cpu_pinned"] = pinned
            rows.append(row)
            progress.update(task, completed=seconds * repeats)
    return rows


@contextmanager
def _progress(show: bool) -> Iterator[Any]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not show,
    )
    with progress:
        yield progress


def ratio(rows: list[dict], num: str = SEIGEN, den: str = PEER) -> dict | None:
    """``num`` / ``den`` (default seigen / peer) for ``playouts_per_s`` and ``moves_per_s``;
    None without both rows."""
    by_impl = {row["impl"]: row for row in rows}
    if num not in by_impl or den not in by_impl:
        return None
    a, b = by_impl[num], by_impl[den]
    return {
        "ratio": f"{num}/{den}",
        "size": a["size"],
        "playouts_per_s": a["playouts_per_s"] / b["playouts_per_s"],
        "moves_per_s": a["moves_per_s"] / b["moves_per_s"],
    }


def ratios(rows: list[dict]) -> list[dict]:
    """The ratios the rows allow: seigen / peer, then seigen-heavy / seigen."""
    return [r for r in (ratio(rows), ratio(rows, HEAVY, SEIGEN)) if r is not None]


# ---------------------------------------------------------------------------- output
def _num(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"


def render_table(rows: list[dict]) -> Any:
    """The results as a rich Table (title: the units; caption: the machine and the ratios).

    The last column is each row's playouts/s over seigen's light playouts' (seigen-heavy: heavy playouts)."""
    from rich.table import Table

    first = rows[0]
    pinned = first.get("cpu_pinned")
    where = f"pinned to CPU {pinned}" if pinned is not None else "not pinned"
    caption = (
        f"CPU: {first['cpu']}, cores used: 1 ({where}); median of {first['repeats']} x {first['seconds']:g} s"
    )
    for r in ratios(rows):
        caption += f"\n{r['ratio']}: {r['playouts_per_s']:,.2f}x playouts/s, {r['moves_per_s']:,.2f}x moves/s"
    caption += "\nmean score: black's area minus white's, no komi"
    table = Table(title="Go board: one light (or heavy) playout from the empty board", caption=caption)
    table.add_column("impl")
    table.add_column("size", justify="right")
    table.add_column("playouts/s", justify="right")
    table.add_column("moves/s", justify="right")
    table.add_column("moves/playout", justify="right")
    table.add_column("mean score", justify="right")
    table.add_column("vs light", justify="right")
    light = next((row for row in rows if row["impl"] == SEIGEN), None)
    for row in rows:
        vs = "-" if light is None else f"{row['playouts_per_s'] / light['playouts_per_s']:,.2f}x"
        n = row["size"]
        table.add_row(
            row["impl"],
            f"{n}x{n}",
            _num(row["playouts_per_s"]),
            _num(row["moves_per_s"]),
            f"{row['moves_per_playout']:.1f}",
            f"{row['mean_score']:+.2f}",
            vs,
        )
    return table


def stdout_console() -> Any:
    """A rich Console on stdout; 100 columns when stdout is not a terminal (rich's 80 cut the table)."""
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=max(console.width, 100))


def print_results(rows: list[dict], as_json: bool = False) -> None:
    """JSON lines (each implementation, then the ratios) or the table, on stdout."""
    if as_json:
        lines = [*rows, *ratios(rows)]
        for line in lines:
            print(json.dumps(line), flush=True)
        return
    stdout_console().print(render_table(rows))


def plot_panels(rows: list[dict]) -> list[Any]:
    """The table as bars for ``seigen.scripts.plots.save_bench_plot``: playouts/s per implementation, the ratios under the size."""
    from seigen.scripts.plots import Bar, BarPanel, ratio_text

    notes: dict[str, str] = {}
    for r in ratios(rows):
        group = f"{r['size']}x{r['size']}"
        notes[group] = "\n".join(
            filter(None, [notes.get(group), ratio_text(r["playouts_per_s"], r["ratio"])])
        )
    bars = [Bar(f"{row['size']}x{row['size']}", row["impl"], row["playouts_per_s"]) for row in rows]
    return [BarPanel(f"unit: {UNIT} (seigen-heavy: a heavy playout)", "playouts per second", bars, notes)]


def main(cfg: BenchBoardConfig) -> int:
    """``seigen bench board``."""
    rows = run_board_benchmark(cfg.size, cfg.seconds, cfg.repeats, peer=cfg.peer, seed=cfg.seed)
    print_results(rows, as_json=cfg.json)
    if cfg.plot:
        from seigen.scripts.plots import save_bench_plot

        title = f"seigen bench board: Go playouts on one core ({rows[0]['cpu']})"
        save_bench_plot(cfg.plot, title, plot_panels(rows))
    return 0


if __name__ == "__main__":
    import sys

    from seigen.scripts.cli import main as cli_main

    raise SystemExit(cli_main(["bench", "board", *sys.argv[1:]]))
