"""Write a trained Go net as the net that ships with seigen (maintenance: run it, then commit the file).

    python -m seigen.scripts.ship_net RUN_DIR_OR_CHECKPOINT [--out agents/data/go9x9.pt]

Keeps only what rebuilds the net (``seigen.agents.pvnet.net_state``: its shape, weights and
game) and its training step, not the optimizer, so the file stays small; it is written
atomically, checked by loading it back as ``seigen gtp --player net`` would, and its size and
SHA-256 are printed for the model card (``docs/models``).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path

MAX_BYTES = 10 * 2**20
"""The most a shipped net may weigh (package data)."""


def ship(source: str | Path, out: str | Path, size: int | None = None) -> dict[str, object]:
    """Write the net of ``source`` (a run directory or checkpoint) to ``out``; its size, hash and game.
    ``size``: the board size it must play (a ``ValueError`` otherwise, before anything is written)."""
    import torch

    from seigen.agents.players import load_net_player
    from seigen.agents.pvnet import load_net, net_state
    from seigen.engine.files import write_atomic

    net, meta = load_net(source)
    game = dict(meta.get("game") or {})
    if game.get("name") != "go":
        raise ValueError(f"{source}: a {game.get('name', 'non-Go')} net, not a Go one")
    if size is not None and game.get("size") != size:
        raise ValueError(f"{source}: a {game.get('size')}x{game.get('size')} net, not a {size}x{size} one")
    buffer = io.BytesIO()
    torch.save({**net_state(net, game), "step": int(meta.get("step", 0))}, buffer)
    data = buffer.getvalue()
    if len(data) > MAX_BYTES:
        raise ValueError(f"{source}: {len(data):,} bytes, over the {MAX_BYTES:,} a shipped net may weigh")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, data)
    player = load_net_player(out, visits=2)  # as seigen gtp loads it
    return {
        "out": str(out),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "step": int(meta.get("step", 0)),
        "size": player.board_size,
        "game": game,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="run directory (its latest checkpoint) or checkpoint file")
    parser.add_argument("--out", default=None, help="where to write it (default: agents/data/go9x9.pt)")
    args = parser.parse_args(argv)
    from seigen.agents.players import shipped_net_path
    from seigen.agents.runs import CheckpointError

    out = args.out or shipped_net_path(9)
    try:
        info = ship(args.source, out, size=9 if args.out is None else None)
    except (CheckpointError, ValueError) as e:
        print(f"ship_net: error: {e}", file=sys.stderr)
        return 2
    print(
        f"{info['out']}: {info['size']}x{info['size']} Go net at step {info['step']:,}, "
        f"{info['bytes']:,} bytes, sha256 {info['sha256']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
