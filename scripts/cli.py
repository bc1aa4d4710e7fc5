"""The ``seigen`` console script: nested subcommands over tyro-parsed dataclass configs.

A thin dispatcher walks the command tree (``seigen bench board ...``) and hands the
rest of the arguments to ``tyro.cli`` for the leaf's config dataclass, whose field
docstrings are the ``--help`` text. Configs and runners are named as
``"module:attribute"`` strings and imported only when their command runs, so
``seigen --help`` loads neither numpy nor the C core nor torch.

To add a command (``seigen gtp``, ``seigen selfplay``, ``seigen train dqn``): write a
frozen config dataclass (a docstring, a docstring per field) and a ``main(cfg) -> int``
runner, then add a ``Leaf`` to ``COMMANDS`` (under a ``Group`` for nesting).
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

PROG = "seigen"


@dataclass(frozen=True)
class Leaf:
    """A runnable command: its config dataclass and the function that runs it."""

    config: str
    """``"module:Class"``: the frozen dataclass tyro parses the arguments into."""
    run: str
    """``"module:function"``: called with the parsed config; returns the exit status."""
    summary: str
    """One line for the parent's listing (the first line of the config's docstring)."""
    argv: str | None = None
    """``"module:function"`` that rewrites the command's arguments before tyro parses them
    (``seigen analysis`` turns KataGo's ``-model X`` style into its own options); None: as given."""


@dataclass(frozen=True)
class Group:
    """A command that only holds subcommands."""

    summary: str
    """One line for the parent's listing."""
    description: str = ""
    """More text for this group's ``--help``."""
    children: dict[str, Leaf | Group] = field(default_factory=dict)


COMMANDS = Group(
    summary="seigen: a Go engine with a C board, MCTS and deep reinforcement learning.",
    children={
        "bench": Group(
            summary="Benchmarks: seigen and a peer, on the same work, in the same run.",
            description=(
                "Each benchmark prints a table (or JSON lines with --json) with the ratio to its peer; "
                "board, search, selfplay and rl also save it as a bar chart with --plot FILE.png."
            ),
            children={
                "board": Leaf(
                    config="seigen.scripts.configs:BenchBoardConfig",
                    run="seigen.scripts.bench_board:main",
                    summary="Playouts per second on one core: seigen's light and heavy playouts against PettingZoo's Go (pure Python).",
                ),
                "search": Leaf(
                    config="seigen.scripts.configs:BenchSearchConfig",
                    run="seigen.scripts.bench_search:main",
                    summary="MCTS simulations per second on one core: seigen's batched search against OpenSpiel's MCTSBot (Python and C++).",
                ),
                "net": Leaf(
                    config="seigen.scripts.configs:BenchNetConfig",
                    run="seigen.scripts.bench_net:main",
                    summary="Nets in bfloat16 against float32 on one core: net evaluations and training steps per second.",
                ),
                "selfplay": Leaf(
                    config="seigen.scripts.configs:BenchSelfPlayConfig",
                    run="seigen.scripts.bench_selfplay:main",
                    summary="Self-play positions and net evaluations per second, by games in flight, on one core.",
                ),
                "scaling": Leaf(
                    config="seigen.scripts.configs:BenchScalingConfig",
                    run="seigen.scripts.bench_scaling:main",
                    summary="Self-play positions per second with 1, 2, 4 ... actors, local processes against Ray actors.",
                ),
                "agents": Leaf(
                    config="seigen.scripts.configs:BenchAgentsConfig",
                    run="seigen.scripts.bench_agents:main",
                    summary="Trained agents against each other in the match harness: W-D-L, 95% Wilson interval, Elo.",
                ),
                "rl": Leaf(
                    config="seigen.scripts.configs:BenchRLConfig",
                    run="seigen.scripts.bench_rl:main",
                    summary="DQN, PPO and A2C against Stable-Baselines3 (steps/s, return), Atari env frames/s, short Pong runs.",
                ),
                "atari100k": Leaf(
                    config="seigen.scripts.configs:BenchAtari100kConfig",
                    run="seigen.scripts.atari100k:main",
                    summary="The Atari 100k benchmark: DER, DrQ(epsilon) or PPO on each game and seed, with aggregates and intervals.",
                ),
            },
        ),
        "selfplay": Leaf(
            config="seigen.selfplay.config:SelfPlayConfig",
            run="seigen.scripts.selfplay:main",
            summary="Train an AlphaZero agent (tic-tac-toe, Connect Four, Go) by self-play; resumable, with an Elo ladder.",
        ),
        "train": Group(
            summary="Train a learner: dqn (the DQN family), ppo or a2c (actor-critic), sl (Go nets from SGF games).",
            children={
                "dqn": Leaf(
                    config="seigen.agents.dqn_config:DQNConfig",
                    run="seigen.scripts.train:main_dqn",
                    summary="Train a DQN-family agent on a Gymnasium env (classic control, Atari) or a two-player board game.",
                ),
                "ppo": Leaf(
                    config="seigen.agents.ppo_config:PPOConfig",
                    run="seigen.scripts.train:main_ac",
                    summary="Train a PPO agent on a Gymnasium env (classic control, continuous control, Atari) or a board game by self-play.",
                ),
                "a2c": Leaf(
                    config="seigen.agents.ppo_config:A2CConfig",
                    run="seigen.scripts.train:main_ac",
                    summary="Train an A2C agent: the actor-critic core with one plain gradient step per rollout.",
                ),
                "sl": Leaf(
                    config="seigen.selfplay.config:SupervisedConfig",
                    run="seigen.scripts.train_sl:main",
                    summary="Train the Go policy-value net on SGF games: policy from the moves played, value from the results.",
                ),
            },
        ),
        "eval": Leaf(
            config="seigen.scripts.configs:EvalConfig",
            run="seigen.scripts.evaluate:main",
            summary="Evaluate a trained agent: mean and std of the episodic return under its env's evaluation protocol.",
        ),
        "gtp": Leaf(
            config="seigen.scripts.configs:GTPConfig",
            run="seigen.scripts.gtp:main",
            summary="Run seigen as a GTP version 2 engine on stdin/stdout (for Sabaki, GoGui, Lizzie, match servers; KaTrain: seigen analysis).",
        ),
        "analysis": Leaf(
            config="seigen.scripts.configs:AnalysisConfig",
            run="seigen.scripts.analysis:main",
            summary="Run seigen as a JSON analysis engine in KataGo's protocol on stdin/stdout (for KaTrain and other analysis tools).",
            argv="seigen.scripts.analysis:katago_argv",
        ),
        "play": Leaf(
            config="seigen.scripts.configs:PlayConfig",
            run="seigen.scripts.play:main",
            summary="Play a game in the terminal against a trained agent: tic-tac-toe, Connect Four or Go.",
        ),
        "demo": Leaf(
            config="seigen.scripts.configs:DemoConfig",
            run="seigen.scripts.demo:main",
            summary="Play one random game, print the final board and its result, then a short board benchmark.",
        ),
        "match": Leaf(
            config="seigen.scripts.configs:MatchConfig",
            run="seigen.scripts.match:main",
            summary="Play two GTP engines against each other: win rate with its 95% Wilson interval, Elo, SGF records.",
        ),
        "report": Leaf(
            config="seigen.scripts.configs:ReportConfig",
            run="seigen.scripts.report:main",
            summary="Write a report of training runs with figures: learning curves, losses, Elo, accuracy, final figures.",
        ),
    },
)


def resolve(spec: str) -> object:
    """``"package.module:attribute"`` -> the attribute, importing the module."""
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def _usage(path: Sequence[str], group: Group) -> str:
    return f"usage: {' '.join([PROG, *path])} [-h] {{{','.join(group.children)}}} ..."


def _group_help(path: Sequence[str], group: Group) -> str:
    width = max(len(name) for name in group.children)
    lines = [_usage(path, group), "", group.summary]
    if group.description:
        lines += ["", group.description]
    lines += ["", "commands:"]
    lines += [f"  {name:<{width}}  {child.summary}" for name, child in group.children.items()]
    lines += [
        "",
        "options:",
        "  -h, --help  show this help message and exit",
        "",
        f"Run '{' '.join([PROG, *path])} COMMAND --help' for a command's options.",
    ]
    return "\n".join(lines)


def _error(path: Sequence[str], group: Group, message: str) -> int:
    prog = " ".join([PROG, *path])
    print(f"{_usage(path, group)}\n{prog}: error: {message}", file=sys.stderr)
    print(f"Run '{prog} --help' for the commands.", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``seigen`` with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    0 on success and for ``--help``, 2 for bad arguments (with the error on stderr).
    The status is returned, not raised, so tests can call ``main([...])``; the console
    script hands it to ``sys.exit``.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    node: Leaf | Group = COMMANDS
    path: list[str] = []
    while isinstance(node, Group):
        if not args:
            return _error(path, node, "a command is required: " + ", ".join(node.children))
        head = args.pop(0)
        if head in ("-h", "--help"):
            print(_group_help(path, node))
            return 0
        if head not in node.children:
            what = "option" if head.startswith("-") else "command"
            close = difflib.get_close_matches(head, list(node.children), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return _error(
                path, node, f"unknown {what} {head!r}{hint}; expected one of " + ", ".join(node.children)
            )
        path.append(head)
        node = node.children[head]

    import tyro

    if node.argv is not None:
        args = resolve(node.argv)(args)
    config_cls = resolve(node.config)
    try:
        cfg = tyro.cli(config_cls, args=args, prog=" ".join([PROG, *path]))
    except SystemExit as e:  # --help (0) or a bad argument (2, message already printed)
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    status = resolve(node.run)(cfg)
    return 0 if status is None else int(status)


if __name__ == "__main__":
    raise SystemExit(main())
