"""``seigen gtp``: the GTP engine on stdin/stdout."""

from __future__ import annotations

import logging
import sys

from seigen.scripts.configs import GTPConfig


def one_line(error: Exception) -> str:
    """An error's message on one line (torch's load errors span many)."""
    return " ".join(str(error).split())


def sized_engine(player, **kwargs):
    """A ``GTPEngine`` that refuses the board sizes ``player.board_size`` rules out
    (``boardsize`` answers ``unacceptable size``, ``loadsgf`` of another size fails)."""
    from seigen.engine.gtp import GTPEngine, GTPFailure

    class SizedGTPEngine(GTPEngine):
        def _size_ok(self, size: int) -> bool:
            fixed = getattr(self.player, "board_size", None)
            return fixed is None or size == fixed

        def cmd_boardsize(self, args: list[str]) -> str:
            self._nargs(args, 1)
            if not self._size_ok(self._int(args[0], "board size")):
                raise GTPFailure("unacceptable size")
            return super().cmd_boardsize(args)

        def cmd_loadsgf(self, args: list[str]) -> str:
            board, rules = self.board, self.rules
            answer = super().cmd_loadsgf(args)
            if not self._size_ok(self.board.size):
                n, fixed = self.board.size, self.player.board_size
                self.board, self.rules = board, rules
                raise GTPFailure(f"cannot load file: a {n}x{n} game; this player plays {fixed}x{fixed} only")
            return answer

    return SizedGTPEngine(player, **kwargs)


def engine_logging(log: str | None, verbose: bool) -> logging.Logger:
    """seigen's log for an engine on stdin/stdout (gtp, analysis): to ``log`` or stderr, never
    stdout, which carries the protocol; debug level (every command and answer) with ``verbose``."""
    handler: logging.Handler = logging.FileHandler(log) if log else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("seigen")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    return root


def main(cfg: GTPConfig) -> int:
    """Build the player and serve GTP until ``quit`` or the end of input."""
    root = engine_logging(cfg.log, cfg.verbose)

    from seigen.agents.players import make_player
    from seigen.engine.gtp import run_gtp

    net = cfg.player == "net"
    uses_net = cfg.player in ("net", "hybrid")
    if uses_net:
        import torch

        torch.set_num_threads(cfg.threads)  # small nets run fastest on one thread per search
    try:
        player = make_player(
            cfg.player,
            playouts=cfg.visits or (800 if net else 10_000),
            threads=cfg.threads,
            seed=cfg.seed,
            resign_threshold=cfg.resign_threshold,
            evaluator=cfg.evaluator,
            playout=cfg.playout,
            c_puct=cfg.c_puct,
            model=cfg.model,
            device=cfg.device,
            uct=cfg.uct,
            parallel=cfg.parallel,
            priors=cfg.prior,
            mix=cfg.mix,
            guide=cfg.guide,
            precision=cfg.precision,
        )
    except ValueError as e:
        print(f"seigen gtp: error: {one_line(e)}", file=sys.stderr)
        return 2
    if cfg.model is not None and not uses_net:
        root.warning("--model is used by --player net and hybrid only; the %s player ignores it", cfg.player)
    size, rules, komi = cfg.size or 19, cfg.rules or "chinese", cfg.komi
    if uses_net:
        game = player.game or {}
        if cfg.size is not None and cfg.size != player.board_size:
            n = player.board_size
            print(
                f"seigen gtp: error: --size {cfg.size}: the network plays {n}x{n} only "
                f"({cfg.model or f'the {n}x{n} net that ships with seigen; give --model for another size'})",
                file=sys.stderr,
            )
            return 2
        size = player.board_size
        rules = cfg.rules or game.get("rules") or "chinese"
        if komi is None and game.get("komi") is not None:
            komi = float(game["komi"])
    try:
        engine = sized_engine(
            player,
            size=size,
            rules=rules,
            komi=komi,
            visits=cfg.visits,
            lizzie=cfg.lizzie,
            analysis_visits=cfg.analysis_visits or None,
            move_time=cfg.move_time,
        )
    except ValueError as e:  # the net's saved rules or komi
        print(f"seigen gtp: error: {one_line(e)}", file=sys.stderr)
        return 2
    root.info("seigen gtp ready: %s player, %dx%d, %s rules", cfg.player, size, size, rules)
    run_gtp(engine)
    return 0
