"""How good is a trained net: matches against the anchors and, where a solver exists, exact checks.

``measure(path)`` rates one checkpoint; ``curve(run_dir)`` rates every net a run kept in
``RUN_DIR/nets`` (a learning curve against training time and games). Both run the net
with the same search as the evaluator (``visits`` simulations per move, no noise).

* every game: win rate against ``random`` and the rollout MCTS anchor at the same visits;
* tic-tac-toe: ``tictactoe_perfect_check``, the net against every reply of the opponent
  (perfect play: no loss from either side);
* Connect Four: move accuracy on positions solved exactly (``connect4_move_accuracy``),
  for the search and for the raw policy (one visit).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seigen.agents.runs import checkpoint_steps, read_metrics


def measure(
    path: str | Path,
    *,
    visits: int = 100,
    games: int = 20,
    positions: int = 200,
    device: str = "cpu",
    seed: int = 0,
) -> dict[str, Any]:
    """One net's figures (a JSON-ready dict); ``path``: a checkpoint or a run directory."""
    from seigen.agents import load_agent
    from seigen.selfplay.evaluation import evaluate_checkpoint

    row = evaluate_checkpoint(path, games=games, visits=visits, device=device, seed=seed) if games else {}
    agent = load_agent(path, visits=visits, device=device)
    out: dict[str, Any] = {
        "step": agent.meta.get("step"),
        "game": agent.game_name,
        "visits": visits,
        "vs": {k: v for k, v in row.get("vs", {}).items()},
    }
    if agent.game_name == "tictactoe":
        from seigen.selfplay.solvers import tictactoe_perfect_check

        check = tictactoe_perfect_check(agent)
        out["tictactoe"] = {k: check[k] for k in ("games", "losses", "perfect", "move_accuracy")}
        out["tictactoe"]["vs_perfect"] = check["vs_perfect"]
    elif agent.game_name == "connect4" and positions:
        from seigen.selfplay.solvers import connect4_move_accuracy, connect4_positions

        tests = connect4_positions(positions, seed=seed)
        raw = load_agent(path, visits=1, device=device)
        out["connect4"] = {
            "positions": len(tests),
            "accuracy": connect4_move_accuracy(agent, tests)["accuracy"],
            "policy_accuracy": connect4_move_accuracy(raw, tests)["accuracy"],
        }
    return out


def curve(run_dir: str | Path, *, every: int = 1, **kwargs: Any) -> list[dict[str, Any]]:
    """``measure`` for every ``every``-th net in ``RUN_DIR/nets`` (the last always), with the
    training time and games at its step from ``metrics.jsonl``."""
    run_dir = Path(run_dir)
    nets = checkpoint_steps(run_dir / "nets")
    if not nets:
        raise FileNotFoundError(f"{run_dir / 'nets'}: no nets kept (the run needs keep_nets)")
    chosen = nets[::every]
    if chosen[-1] != nets[-1]:
        chosen.append(nets[-1])
    metrics = [r for r in read_metrics(run_dir) if "games" in r and "step" in r]
    rows = []
    for step, path in chosen:
        row = measure(path, **kwargs)
        before = [r for r in metrics if r["step"] <= step]
        at = before[-1] if before else None
        row["minutes"] = round(at["time"] / 60, 2) if at else 0.0
        row["games_played"] = at["games"] if at else 0
        rows.append(row)
    return rows
