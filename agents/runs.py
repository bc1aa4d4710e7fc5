"""A training run's directory: its config, checkpoints, metrics, and resuming after a crash.

::

    RUN_DIR/
      config.json          the resolved config (atomically; a self-play resume that changes settings rewrites it)
      checkpoints/
        step-000050000.pt  torch.save of a dict of state dicts and counters (atomic)
        latest             the name of the newest complete checkpoint (atomic)
      metrics.jsonl        one JSON object per line: step, time and whatever the learner logs
      evaluation.json      the final evaluation: its returns so far while it plays, the result at the end
      wandb/               with tracking on (offline unless asked otherwise)

Every file is written beside its target and renamed over it, so a crash at any moment
leaves the previous complete checkpoint. Checkpoints load with
``torch.load(..., weights_only=True)``; a corrupt one is a ``CheckpointError`` that names
the file. This module is the one place that knows these names: ``checkpoint_steps``
lists the step files, ``latest_checkpoint`` finds the newest (``latest`` first, the
highest step as a fallback) and ``NewestCheckpoint`` follows it for the processes that
reload the net when it changes (self-play actors, the inference server, the evaluator).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import torch

from seigen.engine.devices import resolve_device
from seigen.engine.files import read_jsonl, write_atomic

CHECKPOINT = re.compile(r"step-(\d+)\.pt$")
"""The name of a checkpoint file; group 1 is its step."""
POINTER = "latest"
"""The file in ``checkpoints/`` that names the newest complete checkpoint."""
EVALUATION = "evaluation.json"
"""The file in a run directory that holds its final evaluation (``RunDir.record_evaluation``)."""


class RunError(Exception):
    """The run directory cannot be used as asked (exists already, nothing to resume, ...)."""


class CheckpointError(RunError):
    """A checkpoint file is missing, corrupt or not one of ours; the message names the file."""


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """A checkpoint's dict, loaded on the CPU with ``weights_only=True``."""
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except Exception as e:  # torch raises many kinds for a damaged file
        first = (str(e).strip().splitlines() or [""])[0]  # torch's messages run over many lines
        raise CheckpointError(
            f"{path}: corrupt or unreadable checkpoint ({type(e).__name__}: {first})"
        ) from None
    if not isinstance(state, dict) or "step" not in state:
        raise CheckpointError(f"{path}: not a seigen checkpoint (no 'step' entry)")
    return state


def checkpoint_name(step: int) -> str:
    """The file name of the checkpoint at ``step``: ``step-000050000.pt``."""
    return f"step-{step:09d}.pt"


def checkpoint_steps(directory: str | os.PathLike) -> list[tuple[int, Path]]:
    """The ``step-N.pt`` files of ``directory`` (a run's ``checkpoints/``, or a self-play
    run's ``nets/``) as ``(N, path)``, lowest step first; no directory, no files."""
    return sorted(
        (int(m.group(1)), p) for p in Path(directory).glob("step-*.pt") if (m := CHECKPOINT.search(p.name))
    )


def read_pointer(checkpoints: str | os.PathLike) -> str | None:
    """The checkpoint name ``checkpoints/latest`` holds; None when there is no pointer, it
    cannot be read, or it is empty (torn while a non-atomic writer writes it)."""
    try:
        return (Path(checkpoints) / POINTER).read_text().strip() or None
    except OSError:
        return None


def latest_checkpoint(run_dir: str | os.PathLike) -> Path | None:
    """The newest complete checkpoint of a run: the one ``latest`` names, else the highest step on disk."""
    checkpoints = Path(run_dir) / "checkpoints"
    name = read_pointer(checkpoints)
    if name and (checkpoints / name).is_file():
        return checkpoints / name
    found = checkpoint_steps(checkpoints)
    return found[-1][1] if found else None


def checkpoints_newest_first(run_dir: str | os.PathLike) -> list[Path]:
    """Every checkpoint of a run in the order to try them on resume: the one
    :func:`latest_checkpoint` gives, then the others from the highest step down."""
    ordered = [p for _, p in reversed(checkpoint_steps(Path(run_dir) / "checkpoints"))]
    latest = latest_checkpoint(run_dir)
    if latest is not None and latest in ordered:
        ordered.remove(latest)
        ordered.insert(0, latest)
    return ordered


class NewestCheckpoint:
    """Follow a run's newest checkpoint (:func:`latest_checkpoint`) and load it each time it changes.

    ::

        follow = NewestCheckpoint(run_dir, load=load_net)
        ...
        loaded = follow.poll()  # None, or load(path) of a checkpoint new since the last one

    ``name`` is the file name of the checkpoint in use (None before the first). ``poll``
    looks at most once every ``every`` seconds; a checkpoint that does not load raises
    ``load``'s error (``CheckpointError`` for a removed or damaged file) and ``name`` stays
    as it was, so the next look tries it again.
    """

    def __init__(
        self,
        run_dir: str | os.PathLike,
        load: Callable[[Path], Any] = load_checkpoint,
        *,
        every: float = 1.0,
        name: str | None = None,
    ) -> None:
        self.run_dir = Path(run_dir)
        self.load = load
        self.every = every
        self.name = name
        self._looked = time.monotonic()

    def current(self) -> Path | None:
        """The newest checkpoint now (None when the run has none yet), taken as the one in use."""
        path = latest_checkpoint(self.run_dir)
        self.name = path.name if path is not None else None
        self._looked = time.monotonic()
        return path

    def changed(self) -> Path | None:
        """The newest checkpoint when it is not ``name`` (and ``every`` seconds have passed since the last look), else None."""
        now = time.monotonic()
        if now - self._looked < self.every:
            return None
        self._looked = now
        path = latest_checkpoint(self.run_dir)
        return path if path is not None and path.name != self.name else None

    def poll(self) -> Any:
        """``load(path)`` of the newest checkpoint when it changed (``name`` then names it), else None."""
        path = self.changed()
        if path is None:
            return None
        loaded = self.load(path)
        self.name = path.name
        return loaded


@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """``torch.set_num_threads(n)`` for the block, the previous number restored after."""
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


C = TypeVar("C")


def read_run_config(run_dir: str | os.PathLike, cls: type[C], kind: str, required: str) -> C:
    """The config a run was trained with (its ``config.json``) as a ``cls``, with ``resume`` off.

    Lists become tuples (JSON has none) and keys ``cls`` does not know are ignored. A missing
    or unreadable file, one without the key ``required``, or values ``cls`` refuses, is a
    ``CheckpointError`` naming the file (``kind`` names the learner in the message)."""
    config_file = Path(run_dir) / "config.json"
    try:
        data = json.loads(config_file.read_text())
    except (OSError, ValueError) as e:
        raise CheckpointError(f"{run_dir}: a {kind} checkpoint needs its run's config.json ({e})") from None
    if not isinstance(data, dict) or required not in data:
        raise CheckpointError(f"{config_file}: not a {kind} run's config (no {required!r})")
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names}
    try:
        return dataclasses.replace(cls(**values), resume=False)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{config_file}: {e}") from None


def pick_device(name: str | None = "auto") -> torch.device:
    """``auto`` or None (``resolve_device``: cuda when present, else cpu), ``cpu`` or ``cuda``
    (an error when there is none) as a ``torch.device``."""
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA device is available")
    return torch.device(resolve_device(name))


def checkpoint_file(path: str | os.PathLike) -> Path:
    """``path`` when it is a checkpoint file, or the latest checkpoint of a run directory."""
    path = Path(path)
    if path.is_dir():
        found = latest_checkpoint(path)
        if found is None:
            raise CheckpointError(f"{path}: no checkpoint in this run directory")
        return found
    return path


def config_dict(config: Any) -> dict[str, Any]:
    """A dataclass config as JSON-ready data (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(config), default=str))


class RunDir:
    """The directory of one run: create it fresh, or reopen it with ``resume=True``.

    A fresh run refuses a directory that already holds checkpoints (so a finished run is
    never overwritten by accident); ``resume`` needs one that does.
    """

    def __init__(self, path: str | os.PathLike, config: Any, *, resume: bool = False, keep: int = 3) -> None:
        self.path = Path(path)
        self.keep = keep
        self.checkpoints = self.path / "checkpoints"
        existing = self.latest_checkpoint() if self.path.exists() else None
        if resume and existing is None:
            raise RunError(f"{self.path}: nothing to resume (no checkpoint in {self.checkpoints})")
        if not resume and existing is not None:
            raise RunError(
                f"{self.path} already holds a run; pass --resume to continue it or choose another --run-dir"
            )
        try:
            self.checkpoints.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RunError(f"{self.path}: cannot create the run directory ({e.strerror})") from None
        self.config = config_dict(config) if dataclasses.is_dataclass(config) else dict(config)
        config_file = self.path / "config.json"
        if resume and config_file.exists():
            saved = json.loads(config_file.read_text())
            self.changed = {k: (saved.get(k), v) for k, v in self.config.items() if saved.get(k) != v}
        else:
            self.changed = {}
            self.keep_config()
        self._metrics = open(self.path / "metrics.jsonl", "a", buffering=1)  # noqa: SIM115 - kept open for the run
        self._wandb = None
        self.started = time.time()

    def keep_config(self) -> None:
        """Write this session's config as the run's ``config.json``: a resume that changed
        settings (a new learning rate, more visits) keeps them for the resumes after it."""
        write_atomic(self.path / "config.json", (json.dumps(self.config, indent=2) + "\n").encode())

    # ------------------------------------------------------------ checkpoints
    def latest_checkpoint(self) -> Path | None:
        return latest_checkpoint(self.path)

    def save_checkpoint(self, state: dict[str, Any], step: int) -> Path:
        """Write ``state`` (with ``step``) as ``step-N.pt``, point ``latest`` at it, drop old ones."""
        buffer = io.BytesIO()
        torch.save({**state, "step": int(step)}, buffer)
        path = self.checkpoints / checkpoint_name(step)
        write_atomic(path, buffer.getvalue())
        write_atomic(self.checkpoints / POINTER, (path.name + "\n").encode())
        old = [p for _, p in checkpoint_steps(self.checkpoints) if p != path]
        for p in old[: max(0, len(old) - (self.keep - 1))]:
            p.unlink(missing_ok=True)
        return path

    def load_latest(self) -> dict[str, Any]:
        path = self.latest_checkpoint()
        if path is None:
            raise CheckpointError(f"{self.checkpoints}: no checkpoint")
        return load_checkpoint(path)

    # ------------------------------------------------------------ metrics
    def track(self, project: str, mode: str = "offline", name: str | None = None) -> None:
        """Also send metrics to Weights & Biases (``offline``: files under RUN_DIR/wandb, no account)."""
        import wandb

        self._wandb = wandb.init(
            project=project,
            name=name or self.path.name,
            dir=str(self.path),
            config=self.config,
            mode=mode,
            resume="allow",
            id=re.sub(r"[^A-Za-z0-9_-]", "-", self.path.resolve().name),
        )

    def log(self, step: int, **metrics: Any) -> None:
        """One line of ``metrics.jsonl`` (and a wandb step when tracking)."""
        row = {"step": int(step), "time": round(time.time() - self.started, 3), **metrics}
        self._metrics.write(json.dumps(row) + "\n")
        if self._wandb is not None:
            self._wandb.log(metrics, step=int(step))

    def record_evaluation(
        self,
        evaluate: Callable[[Callable[[int, float], None]], dict[str, Any]],
        episodes: int,
        *,
        step: int,
        progress: bool = True,
    ) -> dict[str, Any]:
        """Run ``evaluate(on_episode)`` (a learner's ``evaluate`` with its ``on_episode``), keeping
        its games as they end in ``evaluation.json`` (atomically, ``"complete": false``), so that a
        crash keeps what was played, and the result with its ``seconds`` at the end (``"complete":
        true``, and an ``eval/...`` row of ``metrics.jsonl`` without the returns). Shows a
        progress bar, or without ``progress`` prints a line per episode to stderr (the log of a batch job)."""
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        path = self.path / EVALUATION
        played: list[float] = []

        def save(doc: dict[str, Any]) -> None:
            write_atomic(path, (json.dumps({"step": int(step), "episodes": episodes, **doc}) + "\n").encode())

        columns = [
            TextColumn("evaluating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
        ]
        with Progress(*columns, TimeElapsedColumn(), disable=not progress) as bar:
            task = bar.add_task("evaluating", total=episodes, info="")

            def on_episode(k: int, ret: float) -> None:
                played.append(ret)
                save({"complete": False, "returns": played})
                mean = sum(played) / len(played)
                if progress:
                    bar.update(task, completed=k, info=f"mean return {mean:,.1f}")
                else:
                    print(
                        f"evaluation: episode {k}/{episodes}, return {ret:g} (mean {mean:,.1f})",
                        file=sys.stderr,
                        flush=True,
                    )

            save({"complete": False, "returns": []})
            t0 = time.perf_counter()
            result = {**evaluate(on_episode), "seconds": time.perf_counter() - t0}
        save({"complete": True, **result})
        self.log(step, **{f"eval/{k}": v for k, v in result.items() if k != "returns"})
        return result

    def close(self) -> None:
        self._metrics.close()
        if self._wandb is not None:
            self._wandb.finish()
            self._wandb = None

    def __enter__(self) -> RunDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_evaluation(run_dir: str | os.PathLike) -> dict[str, Any] | None:
    """A run's ``evaluation.json`` (None when it has none or it cannot be read)."""
    try:
        return json.loads((Path(run_dir) / EVALUATION).read_text())
    except (OSError, ValueError):
        return None


def read_metrics(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The rows of a run's ``metrics.jsonl`` (or of that file; a torn last line, from a crash,
    is skipped; no file, no rows)."""
    file = Path(path)
    return read_jsonl(file / "metrics.jsonl" if file.is_dir() else file)
