"""``seigen gtp``: the GTP engine on stdin/stdout."""

from __future__ import annotations

import logging
import sys

from seigen.scripts.configs import GTPConfig


def main(cfg: GTPConfig) -> int:
    """Build the player and serve GTP until ``quit`` or the end of input."""
    handler: logging.Handler = logging.FileHandler(cfg.log) if cfg.log else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("seigen")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if cfg.verbose else logging.INFO)

    from seigen.engine.gtp import GTPEngine, run_gtp
    from seigen.engine.players import make_player

    try:
        player = make_player(
            cfg.player,
            playouts=cfg.visits or 10_000,
            threads=cfg.threads,
            seed=cfg.seed,
            resign_threshold=cfg.resign_threshold,
            evaluator=cfg.evaluator,
            c_puct=cfg.c_puct,
        )
    except ValueError as e:
        print(f"seigen gtp: error: {e}", file=sys.stderr)
        return 2
    if cfg.model is not None and cfg.player != "net":
        root.warning("--model is used by --player net only; the %s player ignores it", cfg.player)
    engine = GTPEngine(player, size=cfg.size, rules=cfg.rules, komi=cfg.komi, visits=cfg.visits)
    root.info("seigen gtp ready: %s player, %dx%d, %s rules", cfg.player, cfg.size, cfg.size, cfg.rules)
    run_gtp(engine)
    return 0
