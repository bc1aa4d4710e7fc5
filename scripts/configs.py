"""Configs of the ``seigen`` subcommands, one frozen dataclass each.

Every field's docstring is its ``--help`` text (tyro reads it). This module imports
nothing heavy, so that the CLI can parse arguments before loading numpy, the C core
or torch; the code that runs a command lives in its own module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import tyro

# The presets of seigen.engine.rules.Rules (kept here so parsing imports no engine;
# tests/test_cli.py checks that the two agree).
RulesPreset = Literal["chinese", "japanese", "tromp-taylor", "aga", "nz"]

MIN_SIZE, MAX_SIZE = 2, 25  # what the C board supports


def _check_size(size: int) -> None:
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"--size must be between {MIN_SIZE} and {MAX_SIZE}, got {size}")


@dataclass(frozen=True)
class BenchBoardConfig:
    """Playouts per second on one core: seigen's light and heavy playouts against PettingZoo's Go (pure Python).

    One unit of work is one light playout from the empty board: uniform random legal
    moves that never fill the mover's own single-point eye, simple ko, no suicide,
    until two passes in a row or 3*N*N moves, then area scoring; or, for seigen-heavy,
    one heavy playout (save from atari, capture, 3x3 shapes, self-atari filter) with the
    same end and scoring. Each implementation runs for --seconds, --repeats times, and
    the median is reported with the ratios (seigen/pettingzoo, seigen-heavy/seigen).
    """

    size: int = 9
    """Board size N (N x N board)."""
    seconds: float = 3.0
    """Seconds each implementation runs per repeat (the peer also plays at least 3 playouts)."""
    repeats: int = 3
    """Timed repeats per implementation; the median is reported."""
    json: bool = False
    """Print one JSON object per line (one per implementation, then the ratios) instead of a table."""
    peer: bool = True
    """Also run the peer (PettingZoo's go_base); --no-peer measures seigen (light and heavy) only."""
    seed: int = 0
    """Seed of the random playouts (both implementations)."""
    plot: str | None = None
    """Also save the table as a bar chart (seigen against its peer, with the ratios) in this PNG file."""

    def __post_init__(self) -> None:
        _check_size(self.size)
        if not self.seconds > 0:
            raise ValueError(f"--seconds must be positive, got {self.seconds}")
        if self.repeats < 1:
            raise ValueError(f"--repeats must be at least 1, got {self.repeats}")


@dataclass(frozen=True)
class BenchNetConfig:
    """Nets in bfloat16 against float32 on one core: net evaluations and training steps per second.

    Units of work: one net evaluation (one position's policy and value, in batches of
    --batches positions, through NetEvaluator as the net and hybrid players call it), and
    one training step of a self-play preset's net on a batch of the preset's size. Each
    precision runs for --seconds per setting, --repeats times; the median is reported with
    the bf16/fp32 ratio and, for evaluations, the largest differences of the outputs.
    """

    model: str | None = None
    """Run directory or checkpoint of the Go net to evaluate (default: the 9x9 net that ships with seigen)."""
    batches: tuple[int, ...] = (1, 4, 16, 64)
    """Batch sizes of the net evaluations (none: no evaluations)."""
    train_games: tuple[Literal["tictactoe", "connect4", "go"], ...] = ("tictactoe", "connect4", "go")
    """Self-play presets whose nets' training steps are measured (none: no training)."""
    seconds: float = 1.0
    """Seconds each precision runs per batch size and repeat."""
    repeats: int = 3
    """Timed repeats; the median is reported."""
    json: bool = False
    """Print one JSON object per line (one per precision and batch, then the ratios) instead of a table."""
    seed: int = 0
    """Seed of the random games whose positions are evaluated."""

    def __post_init__(self) -> None:
        if self.batches and min(self.batches) < 1:
            raise ValueError(f"--batches must be positive sizes, got {self.batches}")
        if not self.batches and not self.train_games:
            raise ValueError("nothing to measure: give --batches or --train-games")
        if not self.seconds > 0:
            raise ValueError(f"--seconds must be positive, got {self.seconds}")
        if self.repeats < 1:
            raise ValueError(f"--repeats must be at least 1, got {self.repeats}")


SearchGame = Literal["go9", "connect4", "tictactoe", "all"]


@dataclass(frozen=True)
class BenchSearchConfig:
    """MCTS simulations per second on one core: seigen's batched search against OpenSpiel's MCTSBot (Python and C++).

    One unit of work is one simulation: one leaf selected, evaluated and backed up.
    seigen searches --batch games in lock-step (BatchedSearch.run, then advance along
    random games); OpenSpiel's Python and C++ MCTSBot, with RandomRolloutEvaluator
    (one rollout), search the same positions with the same visits per move (peers
    run for the rollout evaluator on connect4 and tictactoe). A second table splits
    the time per network batch of a tiny conv net on go9 into select, evaluate and
    backup. Medians of --repeats runs of --seconds each, with the ratios seigen/peer.
    """

    game: SearchGame = "all"
    """Game to search: go9 (9x9 Go), connect4, tictactoe, or all three."""
    evaluator: Literal["uniform", "rollout"] | None = None
    """Leaf evaluator: uniform (no evaluation: uniform prior, value 0) or rollout (one random playout); default: uniform on go9, rollout on connect4 and tictactoe (the issue's goal figures)."""
    batch: int = 64
    """Games searched in lock-step by seigen's BatchedSearch (the peers search one game at a time)."""
    visits: int = 800
    """Simulations per move (per search), the same for seigen and the peers."""
    leaves_per_tree: int = 8
    """Leaves seigen selects per tree (with virtual loss) before each evaluator batch."""
    c: float = 2.0
    """Exploration constant: uct_c of OpenSpiel's bots and c_puct of seigen's search."""
    seconds: float = 3.0
    """Seconds each implementation runs per repeat (at least one search per repeat, however short)."""
    repeats: int = 3
    """Timed repeats per implementation; the median is reported."""
    peer: bool = True
    """Also run OpenSpiel's Python and C++ MCTSBot; --no-peer measures seigen only."""
    split: bool = True
    """Also measure the select / evaluate / backup split per network batch with a tiny conv net on go9."""
    split_batches: tuple[int, ...] = (64, 256, 1024)
    """Network batch sizes (leaves per evaluator call) of the split table; each runs batch // leaves-per-tree games."""
    split_visits: int = 64
    """Simulations per move in the split table (a CPU network is slow; a move needs visits / leaves-per-tree batches)."""
    split_channels: int = 32
    """Channels of the split table's conv net (32: the tiny net; larger to see a heavier evaluate step)."""
    device: Literal["cpu", "cuda"] = "cpu"
    """Where the split table's net runs: cpu (one thread, the issue's figure) or cuda."""
    json: bool = False
    """Print one JSON object per line (each measurement, each ratio, each split row) instead of the tables."""
    seed: int = 0
    """Seed of the random games, the rollouts and the tiny net's weights."""
    plot: str | None = None
    """Also save the table as a bar chart (seigen against its peer, with the ratios) in this PNG file."""

    def __post_init__(self) -> None:
        for option, value in (
            ("--batch", self.batch),
            ("--visits", self.visits),
            ("--leaves-per-tree", self.leaves_per_tree),
            ("--split-visits", self.split_visits),
            ("--split-channels", self.split_channels),
            ("--repeats", self.repeats),
        ):
            if value < 1:
                raise ValueError(f"{option} must be at least 1, got {value}")
        if not self.seconds > 0:
            raise ValueError(f"--seconds must be positive, got {self.seconds}")
        if not self.c > 0:
            raise ValueError(f"--c must be positive, got {self.c}")
        if any(b < 1 for b in self.split_batches):
            raise ValueError(f"--split-batches must all be at least 1, got {self.split_batches}")


RLWhat = Literal[
    "cartpole", "ppo-cartpole", "a2c-cartpole", "ppo-pendulum", "atari-env", "pong", "ppo-pong", "all"
]


@dataclass(frozen=True)
class BenchRLConfig:
    """DQN, PPO and A2C against Stable-Baselines3 (steps/s, return), Atari env frames/s, short Pong runs.

    cartpole (DQN), ppo-cartpole, a2c-cartpole (CartPole-v1) and ppo-pendulum (Pendulum-v1):
    seigen's learner and SB3's with the same settings (taken from seigen's preset: for
    DQN, PPO and A2C on CartPole rl-baselines3-zoo's; for PPO on Pendulum rl-zoo's without
    gSDE), the same budget and seeds, in the same run; one unit of work is one
    environment step (training included); the final evaluation is deterministic over
    --eval-episodes episodes on an env seeded seed + 10000. Per task, medians over seeds,
    the ratio seigen/sb3 and the goal (an equal or better median return at 2x SB3's
    steps/s) are reported. atari-env: emulator frames per second (4 per agent step) of
    seigen's synchronous vector env of ALE/Pong-v5 against Gymnasium's AsyncVectorEnv
    over the same env thunks, random actions. pong and ppo-pong: a short seigen DQN or PPO
    run on ALE/Pong-v5 (the Atari preset with a small budget): steps/s, frames/s,
    episodes, return (and DQN's replay memory).
    """

    what: RLWhat = "all"
    """What to measure: cartpole (DQN against SB3), ppo-cartpole, a2c-cartpole, ppo-pendulum (PPO and A2C against SB3), atari-env (env frames/s), pong, ppo-pong (short DQN and PPO runs), or all of them."""
    seeds: tuple[int, ...] = (1, 2, 3)
    """Seeds of the runs against SB3 (each seed trains both implementations); pong and ppo-pong use the first."""
    steps: int = 50_000
    """Environment steps of each DQN CartPole training run (both implementations)."""
    ac_steps: int | None = None
    """Environment steps of each PPO and A2C training run (both implementations); default: each preset's total_steps (ppo-cartpole 100k, a2c-cartpole 200k, ppo-pendulum 200k)."""
    eval_episodes: int = 10
    """Deterministic evaluation episodes after each run against SB3."""
    peer: bool = True
    """Also run the peers (SB3's DQN, PPO and A2C, Gymnasium's AsyncVectorEnv); --no-peer measures seigen only."""
    threads: int = 1
    """torch threads of the training runs; 1 also pins the process to one CPU (the single-core figure)."""
    num_envs: int = 8
    """Atari envs stepped together in the atari-env measurement."""
    env_seconds: float = 3.0
    """Seconds each vector env steps per repeat in the atari-env measurement."""
    env_repeats: int = 3
    """Timed repeats per vector env; the median is reported."""
    pong_steps: int = 25_000
    """Agent steps (4 frames each) of the short Pong runs (ppo-pong rounds up to whole rollouts of 8 x 128)."""
    pong_learning_starts: int = 5_000
    """Agent steps of random play before the Pong run learns."""
    pong_buffer: int = 100_000
    """Replay capacity of the Pong run, in transitions."""
    pong_eval_episodes: int = 1
    """Evaluation episodes after the Pong runs (Machado protocol; DQN: epsilon 0.001, PPO: the most likely action)."""
    json: bool = False
    """Print one JSON object per line (each run, the medians, the ratios, the goal) instead of the tables."""
    plot: str | None = None
    """Also save the table as a bar chart (seigen against its peer, with the ratios) in this PNG file."""

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("--seeds needs at least one seed")
        for option, value in (
            ("--steps", self.steps),
            ("--eval-episodes", self.eval_episodes),
            ("--threads", self.threads),
            ("--num-envs", self.num_envs),
            ("--env-repeats", self.env_repeats),
            ("--pong-steps", self.pong_steps),
            ("--pong-buffer", self.pong_buffer),
            ("--pong-eval-episodes", self.pong_eval_episodes),
        ):
            if value < 1:
                raise ValueError(f"{option} must be at least 1, got {value}")
        if self.ac_steps is not None and self.ac_steps < 1:
            raise ValueError(f"--ac-steps must be at least 1, got {self.ac_steps}")
        if self.pong_learning_starts < 0:
            raise ValueError(f"--pong-learning-starts must be >= 0, got {self.pong_learning_starts}")
        if not self.env_seconds > 0:
            raise ValueError(f"--env-seconds must be positive, got {self.env_seconds}")


@dataclass(frozen=True)
class DemoConfig:
    """Play one random game, print the final board and its result, then a short board benchmark.

    The game is played with seigen's Board: uniform random legal moves that do not
    fill the mover's own single-point eye, until two passes in a row (or 3*N*N moves).
    """

    size: int = 9
    """Board size N (N x N board)."""
    seed: int = 0
    """Seed of the random game."""
    rules: RulesPreset = "chinese"
    """Rules preset (ko rule, suicide, scoring, komi)."""
    bench_seconds: float = 1.0
    """Seconds per implementation of the board benchmark that follows the game (0 skips it)."""

    def __post_init__(self) -> None:
        _check_size(self.size)
        if self.bench_seconds < 0:
            raise ValueError(f"--bench-seconds must be >= 0, got {self.bench_seconds}")


@dataclass(frozen=True)
class GTPConfig:
    """Run seigen as a GTP version 2 engine on stdin/stdout (for Sabaki, GoGui, Lizzie, match servers; KaTrain: seigen analysis).

    Add `seigen gtp` (with any options) as an engine in your GUI. Nothing but GTP
    answers is written to stdout; logs go to stderr or --log. Analysis commands
    (lz-analyze, kata-analyze) stream win rates and visits until the next command.
    The net player plays the board size of its network only (other sizes are refused)
    and takes its defaults for --size, --komi and --rules from the network's game.
    In Lizzie add --lizzie: Lizzie reads the version answer as Leela Zero's.
    """

    player: Literal["random", "rollout", "mcts", "hybrid", "puct", "net"] = "mcts"
    """Who chooses the moves: random (uniform over sensible legal moves), rollout (flat Monte Carlo with C light playouts), mcts (the default: UCT-RAVE with prior knowledge and heavy playouts, all in C, on --threads threads; the strongest player without a net), hybrid (mcts with a trained net's policy as prior knowledge in its tree, --model, --guide), puct (the batched PUCT tree search with C playouts at the leaves) or net (the PUCT search with a trained policy-value network, --model)."""
    model: str | None = None
    """Run directory (its latest checkpoint) or checkpoint file of a trained Go network, for --player net or hybrid; default: the 9x9 net that ships with seigen (docs/models/go9x9.md)."""
    visits: int | None = None
    """Cap on playouts (simulations for mcts and net) per move; without time settings from the GUI, the default is 10000 (800 for net)."""
    move_time: float | None = None
    """Seconds per move at most (the GUI's clock can only shorten it); with no --visits, moves are searched by time alone (e.g. --move-time 2 for 2 s a move in a seigen match)."""
    analysis_visits: int = 200_000
    """Analysis (lz-analyze, kata-analyze) stops searching when the position has this many visits, and the GUI keeps its last figures; GUIs such as Lizzie analyse until told to stop, and the tree of the mcts and net players grows by about 2 KB (9x9) to 10 KB (19x19) a visit. 0: no limit."""
    rules: RulesPreset | None = None
    """Rules preset until the GUI sets others (kgs-rules, kata-set-rules); default chinese (net and hybrid: the network's)."""
    size: int | None = None
    """Board size until the GUI sends boardsize; default 19 (net and hybrid: the network's, the only size they play)."""
    komi: float | None = None
    """Komi until the GUI sends komi (default: the rules preset's; net and hybrid: the network's)."""
    threads: int = 1
    """Search threads of the rollout and mcts players (their playouts run in C without the GIL); torch threads of the net player."""
    parallel: Literal["root", "shared"] = "root"
    """How the mcts player's threads share the work: root (a tree each, root statistics summed) or shared (one tree, virtual loss)."""
    evaluator: Literal["rollout", "uniform"] = "rollout"
    """Leaf evaluator of the puct player: rollout (playouts) or uniform (no evaluation; a test of the search)."""
    playout: Literal["light", "heavy"] | None = None
    """Playouts of the rollout, mcts and puct players (and their dead-stone judgement): light (uniform random moves that fill no own eye) or heavy (captures, atari escapes, 3x3 shapes, no big self-ataris first; seigen.ext.board.PlayoutPolicy); default heavy for mcts, light for the others."""
    c_puct: float | None = None
    """Exploration constant of the puct and net players' PUCT (default: the player's own)."""
    mix: float | None = None
    """The net player's leaf value as AlphaGo mixed it: (1 - MIX) * net value + MIX * one playout's result (heavy playouts unless --playout light); default 0.5 (at 0.5 s a move it beat the net alone 91-1-8); 0: the net alone."""
    uct: tuple[str, ...] = ()
    """Settings of the mcts player's tree as KEY=VALUE (seigen.engine.uct.UctConfig): rave=false (plain UCT), rave_b (RAVE equivalence b, 0.01), c_ucb (UCB exploration, 0), expand_after (2), fpu, prior_amaf, vloss, max_moves, max_nodes; e.g. --uct rave=false c_ucb=0.3."""
    prior: tuple[str, ...] = ()
    """The mcts player's prior knowledge (seigen.engine.uct.UctPriors): RULE=VISITS,VALUE or RULE=off for the rules even, capture, atari_escape, self_atari, eye_fill, near_last, near_last2, line1, line2, line34, pass_move, pattern (all=off: none), and edge_until=F; e.g. --prior all=off or --prior capture=30,1."""
    guide: tuple[str, ...] = ()
    """How the hybrid player's net guides its tree as KEY=VALUE (seigen.engine.uct.GuideConfig): eqex (virtual wins of a move the net gives probability 1, 40; sqrt(p) * eqex for p), value_eqex (virtual visits at the net's value per guided node, 0: off), min_visits (visits before a node is guided, 32), per_round (nodes per batch, 16), chunk (simulations a thread between batches, 250), share (the most of a timed search the net may take, 0.1), min_p; e.g. --guide eqex=20 min_visits=64."""
    resign_threshold: float = 0.05
    """Resign when the best move's estimated win rate is below this (0 never resigns)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the net player's network runs: auto = cuda when present, else cpu."""
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """Arithmetic of the net and hybrid players' network: bf16 (bfloat16 autocast, about twice as fast where the hardware has it), fp32, or auto = bf16 on cuda and on CPUs with AMX, else fp32."""
    seed: int = 0
    """Random seed of the player."""
    lizzie: bool = False
    """Answer version as Leela Zero 0.17 followed by seigen's own, e.g. "0.17 (seigen 0.1.0, mcts player)": Lizzie takes the first word for Leela Zero's version and stays at "Loading..." below 0.15."""
    log: str | None = None
    """Write the log to this file instead of stderr."""
    verbose: bool = False
    """Log every command and answer (debug level)."""

    def __post_init__(self) -> None:
        if self.size is not None:
            _check_size(self.size)
        if self.visits is not None and self.visits < 1:
            raise ValueError(f"--visits must be at least 1, got {self.visits}")
        if self.move_time is not None and not self.move_time > 0:
            raise ValueError(f"--move-time must be positive, got {self.move_time}")
        if self.threads < 1:
            raise ValueError(f"--threads must be at least 1, got {self.threads}")
        if self.analysis_visits < 0:
            raise ValueError(f"--analysis-visits must not be negative, got {self.analysis_visits}")
        if not 0 <= self.resign_threshold < 1:
            raise ValueError(f"--resign-threshold must be in [0, 1), got {self.resign_threshold}")
        if self.c_puct is not None and not self.c_puct > 0:
            raise ValueError(f"--c-puct must be positive, got {self.c_puct}")
        if self.mix is not None and not 0 <= self.mix <= 1:
            raise ValueError(f"--mix must be in [0, 1], got {self.mix}")


@dataclass(frozen=True)
class AnalysisConfig:
    """Run seigen as a JSON analysis engine in KataGo's protocol on stdin/stdout (for KaTrain and other analysis tools).

    One JSON query per line in, one JSON result per line out, as `katago analysis`
    speaks it. In KaTrain choose the custom engine command and enter
    `seigen analysis --player mcts` (with any options). KataGo's own arguments
    (-model, -config, -override-config, -analysis-threads, -human-model,
    -quit-without-waiting) are accepted too, so a tool that starts
    `katago analysis -model M -config C` can start seigen instead; from the -config file
    and -override-config seigen reads reportAnalysisWinratesAs, maxVisits, maxTime and
    analysisPVLen. seigen's players estimate no score: the score fields and ownership
    come from light playouts. Nothing but JSON is written to stdout; logs go to stderr
    or --log.
    """

    player: Literal["random", "rollout", "mcts", "hybrid", "puct", "net"] = "mcts"
    """Who analyses: random (its move only), rollout (flat Monte Carlo with C light playouts), mcts (UCT-RAVE with prior knowledge and heavy playouts in C; principal variations), hybrid (mcts with a trained net's policy as prior knowledge, --model, --guide), puct (the batched PUCT tree search with C playouts at the leaves) or net (the PUCT search with a trained policy-value network, --model)."""
    model: str | None = None
    """Run directory (its latest checkpoint) or checkpoint file of a trained Go network, for --player net or hybrid; default: the 9x9 net that ships with seigen (docs/models/go9x9.md)."""
    visits: int | None = None
    """Visits per position (playouts for the rollout player) when a query gives no maxVisits; default: maxVisits of the KataGo config, else 10000 (800 for net)."""
    max_time: float | None = None
    """Seconds per position when a query sets no maxTime; default: maxTime of the KataGo config, else no limit."""
    report_as: Literal["BLACK", "WHITE", "SIDETOMOVE"] | None = None
    """Whose view win rates, scores and ownership take when a query does not say (KataGo's reportAnalysisWinratesAs); default: the KataGo config's, else SIDETOMOVE."""
    pv_len: int | None = None
    """Moves of each principal variation after the first (KataGo's analysisPVLen); default: the KataGo config's, else 15."""
    score_playouts: int = 200
    """Light playouts per position for the score fields (mean and standard deviation of the final area score) and ownership; 0 reports scores of 0 and no ownership."""
    max_moves: int = 20
    """Most candidate moves per result, the most visited first (0: every move searched)."""
    threads: int = 1
    """Search threads of the rollout and mcts players (their playouts run in C without the GIL); torch threads of the net player."""
    parallel: Literal["root", "shared"] = "root"
    """How the mcts player's threads share the work: root (a tree each, root statistics summed) or shared (one tree, virtual loss)."""
    evaluator: Literal["rollout", "uniform"] = "rollout"
    """Leaf evaluator of the puct player: rollout (playouts) or uniform (no evaluation; a test of the search)."""
    playout: Literal["light", "heavy"] | None = None
    """Playouts of the rollout, mcts and puct players (and their dead-stone judgement): light (uniform random moves that fill no own eye) or heavy (captures, atari escapes, 3x3 shapes, no big self-ataris first; seigen.ext.board.PlayoutPolicy); default heavy for mcts, light for the others."""
    c_puct: float | None = None
    """Exploration constant of the puct and net players' PUCT (default: the player's own)."""
    mix: float | None = None
    """The net player's leaf value as AlphaGo mixed it: (1 - MIX) * net value + MIX * one playout's result (heavy playouts unless --playout light); default 0.5 (at 0.5 s a move it beat the net alone 91-1-8); 0: the net alone."""
    uct: tuple[str, ...] = ()
    """Settings of the mcts player's tree as KEY=VALUE (seigen.engine.uct.UctConfig): rave=false (plain UCT), rave_b (RAVE equivalence b, 0.01), c_ucb (UCB exploration, 0), expand_after (2), fpu, prior_amaf, vloss, max_moves, max_nodes; e.g. --uct rave=false c_ucb=0.3."""
    prior: tuple[str, ...] = ()
    """The mcts player's prior knowledge (seigen.engine.uct.UctPriors): RULE=VISITS,VALUE or RULE=off for the rules even, capture, atari_escape, self_atari, eye_fill, near_last, near_last2, line1, line2, line34, pass_move, pattern (all=off: none), and edge_until=F; e.g. --prior all=off or --prior capture=30,1."""
    guide: tuple[str, ...] = ()
    """How the hybrid player's net guides its tree as KEY=VALUE (seigen.engine.uct.GuideConfig): eqex (virtual wins of a move the net gives probability 1, 40; sqrt(p) * eqex for p), value_eqex (virtual visits at the net's value per guided node, 0: off), min_visits (visits before a node is guided, 32), per_round (nodes per batch, 16), chunk (simulations a thread between batches, 250), share (the most of a timed search the net may take, 0.1), min_p; e.g. --guide eqex=20 min_visits=64."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the net player's network runs: auto = cuda when present, else cpu."""
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """Arithmetic of the net and hybrid players' network: bf16 (bfloat16 autocast, about twice as fast where the hardware has it), fp32, or auto = bf16 on cuda and on CPUs with AMX, else fp32."""
    seed: int = 0
    """Random seed of the player and of the playouts."""
    quit_without_waiting: bool = False
    """At the end of input stop at once instead of finishing the queued queries (KataGo's -quit-without-waiting)."""
    katago_config: str | None = None
    """KataGo's -config FILE: seigen reads reportAnalysisWinratesAs, maxVisits, maxTime and analysisPVLen from it and ignores the rest."""
    override_config: str | None = None
    """KataGo's -override-config "KEY=VALUE,KEY=VALUE": read like --katago-config, and over it."""
    katago_model: str | None = None
    """KataGo's -model FILE: accepted and ignored (seigen cannot read KataGo networks; see --model)."""
    human_model: str | None = None
    """KataGo's -human-model FILE: accepted and ignored."""
    analysis_threads: int | None = None
    """KataGo's -analysis-threads N: accepted and ignored (seigen analyses one position at a time)."""
    log: str | None = None
    """Write the log to this file instead of stderr."""
    verbose: bool = False
    """Log every query and result (debug level)."""

    def __post_init__(self) -> None:
        if self.visits is not None and self.visits < 1:
            raise ValueError(f"--visits must be at least 1, got {self.visits}")
        if self.max_time is not None and not self.max_time > 0:
            raise ValueError(f"--max-time must be positive, got {self.max_time}")
        if self.pv_len is not None and not 1 <= self.pv_len <= 1000:
            raise ValueError(f"--pv-len must be between 1 and 1000, got {self.pv_len}")
        if self.score_playouts < 0:
            raise ValueError(f"--score-playouts must not be negative, got {self.score_playouts}")
        if self.max_moves < 0:
            raise ValueError(f"--max-moves must not be negative, got {self.max_moves}")
        if self.threads < 1:
            raise ValueError(f"--threads must be at least 1, got {self.threads}")
        if self.c_puct is not None and not self.c_puct > 0:
            raise ValueError(f"--c-puct must be positive, got {self.c_puct}")
        if self.mix is not None and not 0 <= self.mix <= 1:
            raise ValueError(f"--mix must be in [0, 1], got {self.mix}")


@dataclass(frozen=True)
class PlayConfig:
    """Play a game in the terminal against a trained agent: tic-tac-toe, Connect Four or Go.

    The game is the one the agent was trained on. Moves: tic-tac-toe a square 0-8 (row
    by row from the top left) or "row col" (0-2 each); Connect Four a column 0-6; Go a
    vertex like D4, or pass. Bad input is refused with a message and asked again;
    "quit" or the end of input leaves the game.
    """

    model: str
    """Run directory (its latest checkpoint) or checkpoint file of the agent (AlphaZero or a DQN board-game run)."""
    visits: int = 200
    """Search simulations per move of an AlphaZero agent."""
    color: Literal["first", "second"] = "first"
    """Whether you move first (X, black) or second (O, white)."""
    seed: int = 0
    """Seed of the agent's search."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the agent's network runs: auto = cuda when present, else cpu."""

    def __post_init__(self) -> None:
        if self.visits < 1:
            raise ValueError(f"--visits must be at least 1, got {self.visits}")


@dataclass(frozen=True)
class MatchConfig:
    """Play two GTP engines against each other: win rate with its 95% Wilson interval, Elo, SGF records.

    Engine A is the --black command, engine B the --white one; with --alternate they
    swap colours every other game (A plays black in games 1, 3, 5, ...). seigen's own
    board keeps every game under --rules and decides what is legal. A game ends by
    resignation, two passes or --max-moves; unresigned games are scored by the engines'
    final_score when both give the same, else by seigen's count (dead stones estimated
    from playouts when the engines disagree or the game was cut short). An engine that
    crashes, exceeds --move-timeout, or plays an illegal or malformed move loses that
    game (it is restarted and the match goes on). A draw counts half a win.
    """

    black: str
    """Command line of engine A, which plays black in the first game (split like a shell: "gnugo --mode gtp --level 1")."""
    white: str
    """Command line of engine B, which plays white in the first game."""
    games: int = 10
    """Number of games."""
    size: int = 9
    """Board size N (N x N board)."""
    komi: float | None = None
    """Komi; default: the rules preset's (7.5 for chinese)."""
    rules: RulesPreset = "chinese"
    """Rules preset: seigen's board enforces it (ko, suicide) and scores with it; engines are told with kgs-rules when they know it."""
    alternate: bool = False
    """Swap colours every other game (recommended for strength measurements)."""
    sgf_dir: str | None = None
    """Folder for the SGF of each game, games.jsonl, summary.json and each engine's stderr (engine-A.log, engine-B.log); default: a new matches/<timestamp> folder."""
    max_moves: int | None = None
    """Moves per game (passes included) after which the game is stopped and scored; default: 3*N*N."""
    parallel: int = 1
    """Games played at once, each by its own pair of engine processes."""
    move_timeout: float = 30.0
    """Seconds an engine may take for one genmove or play; past it, the engine loses the game."""
    startup_timeout: float = 60.0
    """Seconds an engine may take to start and set up a game (and to answer final_score)."""
    json: bool = False
    """Print one JSON object (wins, draws, win_rate, wilson_low/high, elo, elo_low/high, forfeits, ...) instead of the table."""
    resume: bool = False
    """Continue the match in --sgf-dir where it stopped (Ctrl-C, a crash): its finished games count and the rest of --games are played; the engines, board and rules must be the same."""

    def __post_init__(self) -> None:
        import shlex

        for option, command in (("--black", self.black), ("--white", self.white)):
            try:
                argv = shlex.split(command)
            except ValueError as e:
                raise ValueError(f"{option}: cannot split {command!r}: {e}") from None
            if not argv:
                raise ValueError(f"{option} must be a command line that starts a GTP engine")
        if self.games < 1:
            raise ValueError(f"--games must be at least 1, got {self.games}")
        _check_size(self.size)
        if self.max_moves is not None and self.max_moves < 1:
            raise ValueError(f"--max-moves must be at least 1, got {self.max_moves}")
        if self.parallel < 1:
            raise ValueError(f"--parallel must be at least 1, got {self.parallel}")
        if not self.move_timeout > 0:
            raise ValueError(f"--move-timeout must be positive, got {self.move_timeout}")
        if not self.startup_timeout > 0:
            raise ValueError(f"--startup-timeout must be positive, got {self.startup_timeout}")
        if self.resume and self.sgf_dir is None:
            raise ValueError("--resume needs the --sgf-dir of the match to continue")


@dataclass(frozen=True)
class EvalConfig:
    """Evaluate a trained agent: mean and std of the episodic return under its env's evaluation protocol.

    For a self-play (AlphaZero) run: win rates against random play and rollout MCTS, and
    the solver checks (tic-tac-toe: no loss against any reply; Connect Four: move accuracy).

    Atari follows Machado et al. 2018 (sticky actions, no reward clipping, no life-loss
    signal, 108k-frame cap) with epsilon 0.001 for DQN; classic control and board games
    are played greedily; PPO and A2C take their most likely action (--stochastic:
    sampled). Board games are played against the random player. The latest checkpoint
    of RUN_DIR is used.
    """

    run_dir: Annotated[str, tyro.conf.Positional, tyro.conf.arg(metavar="RUN_DIR")]
    """The run directory (written by seigen train)."""
    episodes: int = 10
    """Episodes to play."""
    epsilon: float | None = None
    """DQN runs: exploration during evaluation (default: the run's eval epsilon)."""
    stochastic: bool = False
    """PPO and A2C runs: sample actions from the policy instead of taking the most likely one."""
    seed: int | None = None
    """Seed of the evaluation envs (default: the run's seed + 10000, apart from training)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the network runs."""
    json: bool = False
    """Print one JSON object (mean, std, episodes, returns, ...) instead of a line of text."""
    visits: int = 100
    """Self-play runs: simulations per move of the net and of the rollout MCTS anchor."""
    games: int = 20
    """Self-play runs: games against random and against the rollout MCTS anchor (colours alternate)."""
    positions: int = 200
    """Self-play runs on Connect Four: solved positions for the move accuracy."""
    curve: bool = False
    """Self-play runs: measure every net kept in RUN_DIR/nets (a learning curve), not just the latest."""
    every: int = 1
    """With --curve: every this many nets (the last always)."""

    def __post_init__(self) -> None:
        if self.episodes < 1:
            raise ValueError(f"--episodes must be at least 1, got {self.episodes}")


@dataclass(frozen=True)
class BenchSelfPlayConfig:
    """Self-play positions and net evaluations per second, by games in flight, on one core.

    One actor plays the game's preset (net size, visits, Gumbel root) with an untrained net
    of that size; the peer is the same actor with one game in flight.
    """

    game: Literal["tictactoe", "connect4", "go", "all"] = "all"
    """Game to measure (go: 9x9), or all three."""
    games_in_flight: tuple[int, ...] = (1, 32, 128, 512)
    """Settings of games in flight; include 1 for the ratio column."""
    seconds: float = 10.0
    """Seconds per setting (after one warm-up step; at least one step)."""
    device: Literal["cpu", "cuda"] = "cpu"
    """Where the net runs."""
    json: bool = False
    """One JSON object per setting instead of the table."""
    plot: str | None = None
    """Also save the table as a bar chart (positions/s by games in flight, with the ratio to one game) in this PNG file."""


@dataclass(frozen=True)
class BenchScalingConfig:
    """Self-play positions per second with 1, 2, 4 ... actors, local processes against Ray actors.

    Each setting is a real self-play run with training held off; the rate is counted from
    the shards on disk over the steady state, and the time to the first shard shown apart.
    The peer of each Ray row is the local row with as many actors, in the same run.
    """

    game: Literal["tictactoe", "connect4", "go"] = "connect4"
    """Game (go: 9x9) with its preset net and search."""
    actors: tuple[int, ...] = (1, 2, 4)
    """Actor counts to measure."""
    games_in_flight: int = 32
    """Games each actor plays at once."""
    seconds: float = 20.0
    """Seconds of steady state per run."""
    repeats: int = 3
    """Runs of each setting (local and ray in turn); the table shows the medians."""
    warmup: float = 3.0
    """Seconds after the first shard that are not counted."""
    startup: float = 20.0
    """Seconds allowed for processes (and the Ray cluster) to start, before the warm-up."""
    shard_seconds: float = 2.0
    """How often actors deliver their finished games (both backends)."""
    json: bool = False
    """One JSON object per setting instead of the table."""

    def __post_init__(self) -> None:
        if not self.actors or min(self.actors) < 1:
            raise ValueError("--actors takes counts of at least 1")
        if self.repeats < 1:
            raise ValueError(f"--repeats must be at least 1, got {self.repeats}")


@dataclass(frozen=True)
class BenchAgentsConfig:
    """Trained agents against each other in the match harness: W-D-L, 95% Wilson interval, Elo.

    Each player is a run directory or checkpoint (AlphaZero, PPO, A2C, DQN: whatever
    seigen.agents.load_agent reads), random, or mcts-rollout-N (a search of N simulations
    over random-playout values); on Go also mcts-N, puct-N and rollout-N (seigen gtp's
    players of those names with N simulations or playouts a move; mcts-light-N,
    rollout-heavy-N and so on choose their playouts) and gtp:COMMAND (any GTP engine,
    e.g. "gtp:gnugo --mode gtp --level 10"). Every pair plays --games games in lock-step, colours
    alternating, each pair of games from the same random opening (2 plies; Go 4), so that
    deterministic agents do not replay one game. AlphaZero agents search --visits
    simulations per move; PPO, A2C and DQN agents play their most likely move. Ratings:
    Bradley-Terry on the Elo scale from all the games, random = 0.
    """

    players: tuple[str, ...]
    """Two or more players: RUN_DIR, a checkpoint file, random, mcts-rollout-N; on Go also mcts-N, puct-N, rollout-N, gtp:COMMAND."""
    game: Literal["auto", "tictactoe", "connect4", "go"] = "auto"
    """The game; auto: the game of the first trained agent."""
    size: int = 9
    """Go board size (when no trained agent says it)."""
    games: int = 100
    """Games per pair of players."""
    visits: int = 100
    """Simulations per move of AlphaZero agents."""
    seed: int = 0
    """Seed of the openings and of the random players."""
    device: Literal["auto", "cpu", "cuda"] = "cpu"
    """Where the nets run."""
    json: bool = False
    """Print one JSON object per pair (and one per player's rating) instead of the tables."""

    def __post_init__(self) -> None:
        if len(self.players) < 2:
            raise ValueError(f"--players needs two players at least, got {len(self.players)}")
        if self.games < 1:
            raise ValueError(f"--games must be at least 1, got {self.games}")
        if self.visits < 1:
            raise ValueError(f"--visits must be at least 1, got {self.visits}")


@dataclass(frozen=True)
class BenchAtari100kConfig:
    """The Atari 100k benchmark: DER, DrQ(epsilon) or PPO on each game and seed, with aggregates and intervals.

    Each (game, seed) trains for --steps agent steps (100k = 400k frames) in its own
    resumable run directory RUN_ROOT/ALGO/GAME/seed-S, then plays --eval-episodes whole
    games (epsilon 0.001); runs already done are skipped and started ones resume, so the
    command can be stopped and run again. Then human-normalized scores, and the median,
    IQM, mean and optimality gap with 95% stratified-bootstrap intervals (rliable), beside
    the published per-game scores of DER and DrQ(epsilon), go to RUN_ROOT/atari100k.json
    (and figures to RUN_ROOT/figures with --plot). Needs the bench extra: pip install -e ".[bench]".
    """

    algo: Literal["der", "drq", "ppo"] = "drq"
    """der: data-efficient Rainbow (van Hasselt et al. 2019); drq: DrQ(epsilon) (Agarwal et al. 2021); ppo: PPO with CleanRL's Atari settings."""
    games: tuple[str, ...] = ("atari5",)
    """all (the 26 Atari 100k games), atari5 (BattleZone, DoubleDunk, NameThisGame, Phoenix, Qbert) or game names (Pong, MsPacman, ...)."""
    seeds: tuple[int, ...] = (1, 2, 3)
    """Seeds; every game runs with each."""
    run_root: str = "runs/atari100k"
    """Where the runs and atari100k.json live."""
    parallel: int = 1
    """Runs trained at once (one process and --threads torch threads each)."""
    steps: int = 100_000
    """Agent steps of training per run (the benchmark: 100k; less only for a smoke test)."""
    eval_episodes: int = 100
    """Whole games played by each trained agent (the published figures use 100)."""
    eval_envs: int = 8
    """Games of the evaluation played side by side, each env a fixed share of them."""
    backend: Literal["auto", "gymnasium", "envpool"] = "auto"
    """The Atari envs: EnvPool (with --threads worker threads), Gymnasium's wrappers, or auto: EnvPool where installed; result.json records which ran."""
    learning_starts: int | None = None
    """Steps of random play before learning; default: the preset's 1600 (DER, DrQ)."""
    checkpoint_every: int = 10_000
    """Agent steps between checkpoints (a stopped run resumes from the last; its replay buffer restarts)."""
    threads: int = 1
    """torch threads per run, and EnvPool's worker threads."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the nets run: auto = cuda when present."""
    reps: int = 2000
    """Bootstrap resamples of the confidence intervals."""
    aggregate_only: bool = False
    """Train nothing: aggregate the runs already under --run-root."""
    peer_steps: int = 0
    """Also time --peer-steps agent steps of training of the preset against Stable-Baselines3's DQN with the same settings on --peer-game (0: no peer)."""
    peer_game: str = "Pong"
    """The game of the speed comparison with SB3."""
    plot: bool = False
    """Also draw the aggregates, the performance profile and the per-game scores as PNGs in RUN_ROOT/figures."""
    progress: bool = True
    """Show the runs' progress bars."""
    json: bool = False
    """Print the summary as one JSON object instead of the tables."""

    def __post_init__(self) -> None:
        if not self.seeds:
            raise ValueError("--seeds needs at least one seed")
        if not self.games:
            raise ValueError("--games needs at least one game (all, atari5 or names)")
        if self.peer_steps < 0:
            raise ValueError(f"--peer-steps must be at least 0, got {self.peer_steps}")
        for option in (
            "parallel",
            "steps",
            "eval_episodes",
            "eval_envs",
            "checkpoint_every",
            "threads",
            "reps",
        ):
            if getattr(self, option) < 1:
                raise ValueError(
                    f"--{option.replace('_', '-')} must be at least 1, got {getattr(self, option)}"
                )


@dataclass(frozen=True)
class ReportConfig:
    """Write a report of training runs with figures: learning curves, losses, Elo, accuracy, final figures.

    Writes OUT/index.html (self-contained: the figures are embedded) and OUT/index.md
    (linking OUT/figures/*.png). What each directory holds decides what is drawn: a
    seigen train dqn|ppo|a2c run gives its return against environment steps and against
    wall-clock time and its losses; a seigen selfplay run its nets' Elo against training
    time and self-play games (eval.jsonl), its losses and, with a RUN_DIR/curve.jsonl from
    seigen eval RUN_DIR --curve --json, the Connect Four move accuracy; a seigen train sl
    run its held-out move accuracy; a seigen bench atari100k root (atari100k.json) the
    Atari 100k aggregates and performance profiles. Runs of one env and algorithm whose
    configs differ only in the seed are drawn together: a thin line per seed, their mean
    and the min-max band over the seeds. A table gives each run's final figures.
    """

    run_dir: Annotated[
        tuple[str, ...],
        tyro.conf.Positional,
        tyro.conf.arg(metavar="RUN_DIR [RUN_DIR ...]", help_behavior_hint="(required)"),
    ]
    """One or more run directories (seigen train, seigen selfplay) or Atari 100k roots."""
    out: str | None = None
    """Folder for index.html, index.md and figures/; default: report/ under the first RUN_DIR."""
    smooth: int = 10
    """Episodes in the trailing mean of each seed's return curve (1: the raw episode returns)."""

    def __post_init__(self) -> None:
        if not self.run_dir:
            raise ValueError("seigen report needs at least one RUN_DIR")
        if self.smooth < 1:
            raise ValueError(f"--smooth must be at least 1, got {self.smooth}")
