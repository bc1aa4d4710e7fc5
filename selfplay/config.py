"""The self-play config and its per-game presets, importing nothing heavy (the CLI parses it first)."""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

GameName = Literal["tictactoe", "connect4", "go"]


@dataclass(frozen=True)
class SelfPlayConfig:
    """Train an AlphaZero agent (tic-tac-toe, Connect Four, Go) by self-play; resumable, with an Elo ladder.

    Actors play games with a net and a search, a trainer learns from a window of recent
    games, an evaluator rates each new net against random play, rollout MCTS and the
    previous net.

    Unset fields (None) come from the game's preset, then from --config FILE (JSON), then
    from the flags given. The run directory holds the whole state (config.json, games/,
    checkpoints/, metrics.jsonl, eval.jsonl); --resume continues it after any crash.
    """

    game: GameName = "tictactoe"
    """The game: tictactoe, connect4 or go."""
    size: int = 9
    """Go: board size (2 to 25)."""
    komi: float = 7.0
    """Go: komi (area scoring)."""
    rules: str = "chinese"
    """Go: rules preset (chinese, tromp-taylor, ...; self-play scores by area)."""
    run_dir: str | None = None
    """Where the run lives; default runs/<game>-<date>-<time>."""
    resume: bool = False
    """Continue the run in --run-dir from its latest checkpoint and games, with its saved settings; flags given now replace them for this and later resumes (devices, threads and --progress are this session's alone)."""
    config: str | None = None
    """A JSON file of fields (as in config.json) applied over the preset; flags given win."""
    max_minutes: float | None = None
    """Stop after this many minutes of this session (Ctrl-C also stops cleanly)."""
    max_games: int | None = None
    """Stop once the run has this many finished games in all."""
    max_steps: int | None = None
    """Stop once the trainer has made this many gradient steps in all."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the trainer's net runs (auto: cuda when present)."""
    threads: int | None = None
    """CPU threads of the trainer's torch (default: the cores left over by the actors, at least 1)."""
    backend: Literal["local", "ray"] = "local"
    """Where the actors and the trainer run: local (processes on this machine) or ray (Ray actors on a cluster; pip install 'seigen[dist]')."""
    ray_address: str | None = None
    """--backend ray: the cluster to join (auto: the one `ray start` runs here; HOST:PORT: its head); default a new one-machine cluster."""
    gpus_per_actor: float = 0.0
    """--backend ray: GPUs each self-play actor reserves (a fraction shares a GPU; 0: the actors run on CPUs)."""
    train_processes: int = 1
    """Trainer processes with DDP, one per GPU (cuda, NCCL) or per CPU process (gloo); they split --batch-size, so the gradient is that of the whole batch."""
    inference: Literal["auto", "local", "server"] = "auto"
    """Where the actors' net runs: local (each actor its own), server (one process for all, batches merged), auto (server with cuda and several actors)."""
    actor_device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the actors' and evaluator's nets run (auto: the trainer's device)."""
    seed: int = 0
    """Seed of the actors' search noise, the trainer's sampling and the net's init."""
    track: bool = False
    """Also log to Weights & Biases (offline files under the run directory unless --wandb-mode online)."""
    wandb_mode: Literal["offline", "online"] = "offline"
    """Weights & Biases mode when --track is on."""
    progress: bool = True
    """Show a live progress line (games, positions/s, loss, Elo)."""
    final_eval: bool = True
    """At the end, play the final net against random and rollout MCTS (and the solver checks) and print the table."""

    # ---- network
    blocks: int | None = None
    """Residual blocks of the net."""
    channels: int | None = None
    """Channels of each block."""
    global_pool: bool | None = None
    """KataGo-style global pooling bias in every other block."""
    ownership: bool | None = None
    """Go: ownership and score heads as auxiliary targets."""
    opponent_policy: bool = False
    """KataGo's auxiliary target: a second policy head learns the opponent's reply to each move (weight 0.15); it changes the net, so a run keeps its choice."""

    # ---- self-play search
    actors: int | None = None
    """Self-play processes (each plays --games-in-flight games in lock-step)."""
    games_in_flight: int | None = None
    """Games each actor plays at once, with one batched net call per step (default: the preset's, else 32 on cpu, 256 on cuda)."""
    visits: int | None = None
    """Simulations per move in self-play."""
    full_search_prob: float | None = None
    """KataGo's playout cap randomization: the share of moves searched with --visits and recorded as policy targets; the others get --cheap-visits and are not recorded (1: every move full, recorded)."""
    cheap_visits: int | None = None
    """Visits of the moves that are not full searches (with --full-search-prob < 1)."""
    decided_value: float | None = None
    """KataGo's fewer visits once a game is decided: a game whose last root value is beyond +-this gets cheap searches (--cheap-visits), not recorded, to its end (1: off)."""
    random_opening: int | None = None
    """Each game starts after 0 to this many uniformly random moves (drawn per game; not searched, not recorded), so that self-play keeps seeing positions off its own lines (0: off; the connect4 preset plays up to 12, where an hour's accuracy rose from 0.902 to 0.944)."""
    gumbel: bool | None = None
    """Gumbel root with sequential halving (good with few visits) instead of PUCT with Dirichlet noise."""
    gumbel_considered: int | None = None
    """Gumbel root: actions sampled at the root."""
    gumbel_c_scale: float | None = None
    """Gumbel root: scale of the completed Q-values in the improved policy (sharper targets when larger)."""
    c_puct: float | None = None
    """PUCT exploration constant."""
    dirichlet_alpha: float | None = None
    """PUCT self-play: Dirichlet noise concentration at the root (weight 0.25)."""
    temperature_moves: int | None = None
    """Moves sampled in proportion to visits at the start of each game (PUCT; the Gumbel root samples by itself)."""
    leaves_per_tree: int | None = None
    """Leaves each tree adds to one net batch (virtual loss)."""
    resign_threshold: float | None = None
    """Resign when the root value is below this (-1: never)."""
    resign_off_fraction: float | None = None
    """Fraction of games played out without resigning (to check the threshold)."""
    max_moves: int | None = None
    """Go: a game ends after this many moves (scored as it stands)."""
    shard_seconds: float | None = None
    """Actors write the games finished so far at least this often (a game is safe once written)."""

    # ---- training
    batch_size: int | None = None
    """Positions per gradient step."""
    optimizer: Literal["sgd", "adamw"] | None = None
    """SGD with Nesterov momentum 0.9 (AlphaZero) or AdamW."""
    lr: float | None = None
    """Learning rate at the start ..."""
    lr_final: float | None = None
    """... falling along a cosine to this over --lr-decay-steps."""
    lr_decay_steps: int | None = None
    """Gradient steps of the cosine schedule (flat at --lr-final afterwards)."""
    weight_decay: float | None = None
    """L2 regularisation (as decoupled weight decay with AdamW)."""
    window: int | None = None
    """Positions in the training window (the most recent ones)."""
    min_positions: int | None = None
    """Positions on disk before training starts."""
    reuse: float | None = None
    """The trainer waits for new games once it has sampled this many positions per position played."""
    checkpoint_every: int | None = None
    """Gradient steps between checkpoints (the actors pick each one up)."""
    keep_nets: bool = True
    """Also keep each checkpoint's net (weights only) in RUN_DIR/nets/ for learning curves and matches."""
    augment: bool | None = None
    """Train on random board symmetries (8 for Go and tic-tac-toe, the mirror for Connect Four)."""
    amp: bool | None = None
    """Mixed precision (bfloat16 autocast) in training and in the actors' net where the hardware computes in bfloat16: cuda, and CPUs with AMX (seigen.engine.devices.resolve_precision); float32 elsewhere."""
    compile: bool | None = None
    """torch.compile the trainer's net (cuda)."""

    score_utility: float = 0.0
    """Go: KataGo's static score utility in the actors' search, (1 - W) * value + W * (2/pi) * atan(predicted margin / sqrt(points)), so that won games are won by more (needs the ownership heads; 0: off)."""
    mix: float = 0.0
    """Go: AlphaGo's mixed leaf value in the actors' and the evaluator's search, (1 - MIX) * net value + MIX * one heavy playout's result, to prop up a young value head (0: the net alone)."""
    teacher: Literal["none", "mcts"] = "none"
    """Go: the classic mcts player plays the games (its root visits are the policy targets) until a net beats it in the evaluator; then the net plays (expert iteration)."""
    teacher_visits: int = 1000
    """Simulations a move of the teacher, in its games and in the evaluator's games against it."""
    teacher_until: float = 0.55
    """The net's win rate against the teacher, in one evaluation, that ends the teacher's games."""

    # ---- evaluation
    eval_every: float | None = None
    """Minutes between evaluations of the latest net (0: no evaluator)."""
    eval_games: int | None = None
    """Games against each opponent per evaluation (colours alternate)."""
    eval_gnugo: int = 0
    """Go: also play this many games against GNU Go level 1 per evaluation (0: none; needs gnugo on the PATH)."""
    eval_gnugo_level: int = 1
    """GNU Go's level (1 to 10) in those games."""
    eval_visits: int | None = None
    """Simulations per move of the net, the previous net and the rollout MCTS anchor in evaluation."""

    def __post_init__(self) -> None:
        if self.game == "go" and not 2 <= self.size <= 25:
            raise ValueError(f"--size must be 2 to 25, got {self.size}")
        for name in (
            "actors",
            "games_in_flight",
            "visits",
            "batch_size",
            "window",
            "eval_games",
            "eval_visits",
        ):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        if self.train_processes < 1:
            raise ValueError(f"--train-processes must be at least 1, got {self.train_processes}")
        if self.gpus_per_actor < 0:
            raise ValueError(f"--gpus-per-actor must be at least 0, got {self.gpus_per_actor}")
        if self.backend == "local" and (self.ray_address or self.gpus_per_actor):
            raise ValueError("--ray-address and --gpus-per-actor go with --backend ray")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise ValueError(f"--max-minutes must be positive, got {self.max_minutes}")
        if not 0.0 <= self.score_utility <= 1.0:
            raise ValueError(f"--score-utility must be in [0, 1], got {self.score_utility}")
        if not 0.0 <= self.mix <= 1.0:
            raise ValueError(f"--mix must be in [0, 1], got {self.mix}")
        if self.full_search_prob is not None and not 0.0 < self.full_search_prob <= 1.0:
            raise ValueError(f"--full-search-prob must be in (0, 1], got {self.full_search_prob}")
        if self.decided_value is not None and not 0.0 < self.decided_value <= 1.0:
            raise ValueError(f"--decided-value must be in (0, 1], got {self.decided_value}")
        if self.random_opening is not None and self.random_opening < 0:
            raise ValueError(f"--random-opening must be at least 0, got {self.random_opening}")
        if self.cheap_visits is not None and self.cheap_visits < 1:
            raise ValueError(f"--cheap-visits must be at least 1, got {self.cheap_visits}")
        if not 1 <= self.eval_gnugo_level <= 10:
            raise ValueError(f"--eval-gnugo-level must be 1 to 10, got {self.eval_gnugo_level}")
        if self.teacher != "none" and self.backend == "ray":
            raise ValueError(
                "--teacher runs with --backend local only (the Ray actors do not follow the teacher's end)"
            )
        if self.teacher_visits < 1:
            raise ValueError(f"--teacher-visits must be at least 1, got {self.teacher_visits}")
        if not 0.0 <= self.teacher_until <= 1.0:
            raise ValueError(f"--teacher-until must be a win rate in [0, 1], got {self.teacher_until}")
        if not self.resume:  # a resumed run plays its saved game, which resume_config knows
            self.check_game()

    def check_game(self) -> None:
        """Raise ``ValueError`` for a setting the run's game does not have."""
        if self.score_utility and self.game != "go":
            raise ValueError(f"--score-utility needs Go's score head, not {self.game}")
        if self.mix and self.game != "go":
            raise ValueError(f"--mix mixes in Go playouts: Go only, not {self.game}")
        if self.teacher != "none" and self.game != "go":
            raise ValueError(f"--teacher {self.teacher} plays Go only, not {self.game}")


@dataclass(frozen=True)
class SupervisedConfig:
    """Train the Go policy-value net on SGF games: policy from the moves played, value from the results.

    The run directory is a self-play run's (its config, checkpoints and metrics.jsonl):
    `seigen selfplay --resume --run-dir DIR` continues it by self-play (supervised, then
    reinforcement, as AlphaGo), and `seigen gtp --player net --model DIR` plays its net.
    Every file's board size, handicap stones and komi are its own; files that cannot be read,
    are another size or hold moves out of turn are skipped and named. Games without a usable
    result (RE) count for the policy only. A share of the games is held out: move-prediction
    accuracy and value loss on them are reported as training goes.
    """

    sgf: tuple[str, ...] = ()
    """SGF files, or folders searched recursively for *.sgf (required, except with --resume)."""
    game: Literal["go"] = "go"
    """The game (Go only: SGF holds Go games)."""
    size: int = 9
    """Board size: games of other sizes are skipped."""
    komi: float = 7.0
    """The run's komi for the self-play that follows (each SGF game keeps its own)."""
    rules: str = "chinese"
    """Rules for files without RU, and for the self-play that follows."""
    run_dir: str | None = None
    """The run directory; default: a new runs/go-sl-<time>."""
    resume: bool = False
    """Continue an interrupted supervised stage in --run-dir from its last checkpoint (the games read at its start)."""
    epochs: float = 4.0
    """Passes over the training positions."""
    max_steps: int | None = None
    """Gradient steps, instead of --epochs."""
    max_minutes: float | None = None
    """Stop (with a checkpoint) after this many minutes."""
    holdout: float = 0.05
    """Share of the games held out to measure move prediction and value loss."""
    eval_every: int = 200
    """Gradient steps between measurements on the held-out games (and lines of metrics.jsonl)."""
    blocks: int | None = None
    """Residual blocks (default: the Go self-play preset's)."""
    channels: int | None = None
    """Channels per block."""
    global_pool: bool | None = None
    """KataGo's global pooling in the blocks."""
    ownership: bool | None = None
    """Ownership and score heads (trained later, by self-play)."""
    batch_size: int | None = None
    """Positions per gradient step (default: the preset's)."""
    lr: float | None = None
    """Learning rate at the start (default: the preset's); it decays by cosine over the stage."""
    lr_final: float | None = None
    """Learning rate at the end of the stage (default: lr / 10)."""
    weight_decay: float | None = None
    amp: bool | None = None
    """Mixed precision (bfloat16 autocast) where the hardware computes in bfloat16, cuda and CPUs with AMX (default: on, the Go preset's; --amp False: float32)."""
    augment: bool = True
    """Train on the 8 board symmetries."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where to train: auto is cuda when present, else cpu."""
    threads: int | None = None
    """Torch threads on the CPU (default: torch's)."""
    seed: int = 0
    """Seed of the split, the batches and the net's initial weights."""
    track: bool = False
    """Also log to Weights & Biases (offline unless --wandb-mode online)."""
    wandb_mode: Literal["offline", "online"] = "offline"
    progress: bool = True
    """Show a progress line on stderr."""
    json: bool = False
    """Print the summary as one JSON object."""

    def __post_init__(self) -> None:
        if not 2 <= self.size <= 25:
            raise ValueError(f"--size must be 2 to 25, got {self.size}")
        if not self.sgf and not self.resume:
            raise ValueError("--sgf must name SGF files or folders to learn from")
        if not 0 <= self.holdout < 1:
            raise ValueError(f"--holdout must be in [0, 1), got {self.holdout}")
        if not self.epochs > 0:
            raise ValueError(f"--epochs must be positive, got {self.epochs}")
        for name in ("max_steps", "eval_every", "batch_size", "blocks", "channels"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        if self.max_minutes is not None and self.max_minutes <= 0:
            raise ValueError(f"--max-minutes must be positive, got {self.max_minutes}")
        if self.resume and self.run_dir is None:
            raise ValueError("--resume needs --run-dir: the run to continue")


PRESETS: dict[str, dict[str, Any]] = {
    "tictactoe": dict(
        blocks=2,
        channels=32,
        global_pool=False,
        ownership=False,
        actors=1,
        games_in_flight=128,
        visits=32,
        gumbel=True,
        gumbel_considered=9,
        gumbel_c_scale=0.1,
        c_puct=1.25,
        dirichlet_alpha=1.0,
        temperature_moves=4,
        leaves_per_tree=4,
        resign_threshold=-1.0,
        resign_off_fraction=0.0,
        max_moves=0,
        shard_seconds=5.0,
        batch_size=256,
        optimizer="adamw",
        lr=2e-3,
        lr_final=2e-4,
        lr_decay_steps=4_000,
        weight_decay=1e-4,
        window=20_000,
        min_positions=1_000,
        reuse=4.0,
        checkpoint_every=200,
        augment=True,
        amp=False,  # a net this small trains no faster in bfloat16 (0.97x on an AMX CPU, seigen bench net)
        compile=False,
        eval_every=1.0,
        eval_games=20,
        eval_visits=32,
        max_minutes=10.0,
        random_opening=0,
    ),
    "connect4": dict(
        blocks=4,
        channels=48,
        global_pool=False,
        ownership=False,
        actors=1,
        visits=32,
        gumbel=True,
        gumbel_considered=7,
        gumbel_c_scale=0.1,
        c_puct=1.25,
        dirichlet_alpha=1.0,
        temperature_moves=10,
        leaves_per_tree=4,
        resign_threshold=-1.0,
        resign_off_fraction=0.0,
        max_moves=0,
        shard_seconds=10.0,
        batch_size=256,
        optimizer="adamw",
        lr=1e-3,
        lr_final=1e-4,
        lr_decay_steps=30_000,
        weight_decay=1e-4,
        window=150_000,
        min_positions=5_000,
        reuse=4.0,
        checkpoint_every=500,
        augment=True,
        amp=True,
        compile=False,
        eval_every=5.0,
        eval_games=20,
        eval_visits=100,
        max_minutes=60.0,
        random_opening=12,  # an hour of self-play narrowed to a few dozen openings without it
    ),
    "go": dict(
        blocks=6,
        channels=64,
        global_pool=True,
        ownership=True,
        actors=1,
        visits=32,
        gumbel=True,
        gumbel_considered=16,
        gumbel_c_scale=0.1,
        c_puct=1.25,
        dirichlet_alpha=0.1,
        temperature_moves=20,
        leaves_per_tree=4,
        resign_threshold=-0.95,
        resign_off_fraction=0.2,
        max_moves=None,  # 3 * size * size
        shard_seconds=30.0,
        batch_size=256,
        optimizer="sgd",
        lr=0.02,
        lr_final=0.002,
        lr_decay_steps=200_000,
        weight_decay=1e-4,
        window=250_000,
        min_positions=10_000,
        reuse=4.0,
        checkpoint_every=1_000,
        augment=True,
        amp=True,
        compile=False,
        eval_every=20.0,
        eval_games=10,
        eval_visits=200,
        max_minutes=None,
        random_opening=0,
    ),
}


def _uses_cuda(cfg: SelfPlayConfig) -> bool:
    from seigen.engine.devices import resolve_device

    return resolve_device(cfg.actor_device if cfg.actor_device != "auto" else cfg.device) == "cuda"


def resolve(cfg: SelfPlayConfig) -> SelfPlayConfig:
    """The config with fields from ``--config FILE`` where the flags left their defaults,
    then every unset field (None) from the game's preset."""
    if cfg.config:
        path = Path(cfg.config)
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: cannot read the config file ({e})") from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a config file holds one JSON object of fields")
        fields = {f.name: f for f in dataclasses.fields(SelfPlayConfig)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ValueError(f"{path}: unknown fields {', '.join(unknown)}")
        skip = ("config", "resume", "run_dir", "max_minutes", "max_games", "max_steps")
        given = {
            k: v
            for k, v in data.items()
            if k not in skip and getattr(cfg, k) == fields[k].default and v is not None
        }
        cfg = dataclasses.replace(cfg, **given)
    filled: dict[str, Any] = {k: v for k, v in PRESETS[cfg.game].items() if getattr(cfg, k) is None}
    if cfg.games_in_flight is None and "games_in_flight" not in filled:
        # a CPU runs a conv net fastest on small batches (seigen bench selfplay); a GPU wants large ones
        filled["games_in_flight"] = 256 if _uses_cuda(cfg) else 32
    if cfg.full_search_prob is None:
        filled["full_search_prob"] = 1.0
    if cfg.decided_value is None:
        filled["decided_value"] = 1.0
    if cfg.cheap_visits is None:
        filled["cheap_visits"] = max(1, filled.get("visits", cfg.visits) // 4)
    if cfg.run_dir is None:
        filled["run_dir"] = f"runs/{cfg.game}-{time.strftime('%Y%m%d-%H%M%S')}"
    if filled.get("max_moves", cfg.max_moves) is None:
        filled["max_moves"] = 3 * cfg.size * cfg.size
    return dataclasses.replace(cfg, **filled)


STRUCTURAL = (
    "game",
    "size",
    "komi",
    "rules",
    "blocks",
    "channels",
    "global_pool",
    "ownership",
    "opponent_policy",
)
"""Fields a resumed run cannot change: its games and checkpoints depend on them."""


SESSION = (
    "resume",
    "run_dir",
    "config",
    "backend",
    "ray_address",
    "gpus_per_actor",
    "train_processes",
    "device",
    "actor_device",
    "inference",
    "threads",
    "progress",
)
"""Fields of this session only, never taken from the saved config: a run written by one
backend or on one machine resumes on another with that machine's devices and threads, and
a session without a progress line leaves the next one its own."""


def resume_config(cfg: SelfPlayConfig, saved: dict[str, Any]) -> SelfPlayConfig:
    """The config of a resumed run: the saved ``config.json`` with the flags given now on top
    (a flag counts as given when it differs from its default; the run writes the result back,
    so they stay for later resumes). Changing a structural field is an error."""
    fields = {f.name: f for f in dataclasses.fields(SelfPlayConfig)}
    merged = {k: v for k, v in saved.items() if k in fields}
    merged.setdefault("opponent_policy", False)  # runs saved before the field had no such head
    merged.setdefault("random_opening", 0)  # nor random openings
    for name, f in fields.items():
        value = getattr(cfg, name)
        if value == f.default or name in SESSION:
            continue
        if name in STRUCTURAL and name in merged and merged[name] != value:
            raise ValueError(
                f"--{name.replace('_', '-')} {value} does not match the run being resumed ({merged[name]}); "
                "a resumed run keeps its game and network"
            )
        merged[name] = value
    merged.update({name: getattr(cfg, name) for name in SESSION}, resume=True, config=None)
    resumed = resolve(SelfPlayConfig(**merged))
    resumed.check_game()
    return resumed
