"""Every command line of the README runs as written.

Each ``seigen ...`` command line in README.md runs here as a subprocess, in one scratch
working directory, exactly as written with only a budget added: the options of
``BUDGETS`` (fewer minutes, steps, seconds, games, moves or visits) replace the README's
values of the same options, and nothing is switched off. A command line is a line of a
shell code block (each part between ``&&`` that starts with ``seigen``, with the text an
``echo ... |`` before it gives as its input), or inline code that gives a command
arguments (``seigen eval RUN_DIR --curve``); inline code that only names a command
(``seigen gtp``) is a mention. Synopsis lines run on their defaults: optional parts in
brackets and ``...`` are dropped, and ``RUN_DIR`` is a run that a README command made.
Commands that read runs (``RUN_DIR``, ``runs/...``) run after the others. Each command
must exit 0 and leave the files it promises (``check_promises``). A command added to the
README is tested here without anyone remembering to, and every ``seigen`` subcommand must
have a command line in the README.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from seigen.scripts.cli import COMMANDS, Group, resolve

README = Path(__file__).resolve().parents[1] / "README.md"


@dataclass(frozen=True)
class Budget:
    """What a command gets in CI: options that bound its work, and its standard input."""

    options: str = ""
    stdin: str = ""
    timeout: float = 120.0

    @property
    def flags(self) -> list[str]:
        return shlex.split(self.options)


GTP_SESSION = "boardsize 9\nclear_board\nplay b E5\nlz-genmove_analyze w 50\nfinal_score\nquit\n"
QUERY = {"id": "q", "moves": [["B", "E5"]], "rules": "chinese", "komi": 7, "boardXSize": 9, "boardYSize": 9}

BUDGETS: dict[str, Budget] = {
    "selfplay": Budget("--max-minutes 0.25 --eval-games 2 --eval-visits 4", timeout=240),
    "train dqn": Budget("--total-steps 300 --eval-episodes 1"),
    "train ppo": Budget("--total-steps 256 --eval-episodes 1 --snapshot-games 2"),
    "train a2c": Budget("--total-steps 256 --eval-episodes 1"),
    "train sl": Budget("--max-steps 4 --eval-every 2"),
    "eval": Budget("--games 2 --positions 10 --episodes 1 --visits 8"),
    "bench board": Budget("--seconds 0.2 --repeats 1"),
    "bench search": Budget("--seconds 0.2 --repeats 1 --visits 32 --split-batches 64"),
    "bench net": Budget("--seconds 0.05 --repeats 1 --batches 1 8"),
    "bench selfplay": Budget("--seconds 1 --games-in-flight 1 4"),
    "bench scaling": Budget("--seconds 2 --warmup 0.5 --startup 8 --repeats 1 --actors 1", timeout=240),
    "bench agents": Budget("--games 2 --visits 8"),
    "bench rl": Budget(
        "--seeds 1 --steps 300 --ac-steps 256 --eval-episodes 1 --env-seconds 0.2 --env-repeats 1 "
        "--num-envs 2 --pong-steps 300 --pong-learning-starts 100 --pong-buffer 1000",
        timeout=300,
    ),
    "bench atari100k": Budget("--aggregate-only"),  # training runs: tests/test_atari100k.py
    "report": Budget(),
    "gtp": Budget("--visits 64", stdin=GTP_SESSION),
    "analysis": Budget("--visits 32", stdin=json.dumps(QUERY) + "\n"),
    "play": Budget("--visits 8", stdin="quit\n"),
    "match": Budget("--games 2 --max-moves 40"),
    "demo": Budget("--bench-seconds 0.2"),
    "": Budget(),  # seigen --help
}
GO_SELFPLAY = "--games-in-flight 8 --max-moves 10 --max-minutes 0.25"  # 9x9 games that finish in the budget, start-up included
RAY_SELFPLAY = "--max-minutes 0.3"  # Ray's workers start within the budget: time for an evaluation too


def budget_for(args: list[str]) -> Budget:
    """The budget of a command: its subcommand's, for Go self-play shorter games too, and for
    self-play on Ray more minutes (later options win)."""
    leaf = " ".join(command_path(args))
    if leaf not in BUDGETS or (not leaf and args[:1] != ["--help"]):
        raise KeyError(f"no CI budget for 'seigen {leaf}': add one to BUDGETS in {Path(__file__).name}")
    budget = BUDGETS[leaf]
    extra = []
    if leaf == "selfplay" and option(args, "--game") == "go":
        extra.append(GO_SELFPLAY)
    if leaf == "selfplay" and option(args, "--backend") == "ray":
        extra.append(RAY_SELFPLAY)
    options = with_budget(budget.flags, Budget(" ".join(extra))) if extra else budget.flags
    return Budget(shlex.join(options), budget.stdin, budget.timeout)


def option(args: list[str], name: str) -> str | None:
    """The value given to ``name`` last (as the command line parser reads it), or None."""
    values = [args[i + 1] for i, a in enumerate(args[:-1]) if a == name]
    return values[-1] if values else None


# ---------------------------------------------------------------------- reading the README


@dataclass(frozen=True)
class ReadmeCommand:
    """One command line of the README: as written, and as it runs in CI."""

    line: str
    args: list[str]  # without "seigen", the budget applied
    stdin: str

    @property
    def leaf(self) -> str:
        return " ".join(command_path(self.args))

    @property
    def reads_runs(self) -> bool:
        """It reads a run that another command makes (``RUN_DIR``, ``runs/...`` not after --run-dir)."""
        pairs = zip(["", *self.args], self.args, strict=False)
        return "RUN_DIR" in self.args or any(w.startswith("runs/") and p != "--run-dir" for p, w in pairs)


def command_lines(text: str) -> list[str]:
    """Every ``seigen`` command line of a README, in order of appearance."""
    found: list[tuple[int, str]] = []
    for block in re.finditer(r"```(\w*)\n(.*?)```", text, re.S):
        if block.group(1) not in ("bash", "sh", "console", ""):
            continue
        body = block.group(2).replace("\\\n", " ")
        for line in body.splitlines():
            for part in line.split("&&"):
                part = " ".join(part.split())
                if part.startswith("seigen ") or re.match(r"echo .*\| *seigen ", part):
                    found.append((block.start(), part))
    prose = re.sub(r"```.*?```", lambda m: " " * len(m.group(0)), text, flags=re.S)
    for span in re.finditer(r"`(seigen [^`]+)`", prose):
        words = span.group(1).split()
        if len(words) > len(command_path(words[1:])) + 1:  # gives arguments: a command line
            found.append((span.start(), " ".join(words)))
    return [line for _, line in sorted(found, key=lambda f: f[0])]


def command_path(words: list[str]) -> list[str]:
    """The subcommand words at the start of ``words`` (``["bench", "board"]``)."""
    node, path = COMMANDS, []
    for word in words:
        if not isinstance(node, Group) or word not in node.children:
            break
        node = node.children[word]
        path.append(word)
    return path


def leaves(group: Group = COMMANDS, prefix: str = "") -> list[str]:
    """Every runnable command, as its words (``"bench board"``)."""
    out = []
    for name, child in group.children.items():
        path = f"{prefix} {name}".strip()
        out += leaves(child, path) if isinstance(child, Group) else [path]
    return out


def runnable(line: str) -> tuple[list[str], str | None]:
    """A README command line as (arguments without ``seigen``, the input an ``echo`` pipes
    into it or None): synopsis brackets and ``...`` dropped."""
    stdin = None
    echo = re.match(r"echo (.*?)\| *(seigen .*)$", line)
    if echo:
        stdin = " ".join(shlex.split(echo.group(1))) + "\n"
        line = echo.group(2)
    text = re.sub(r"\[[^\[\]]*\]", " ", line)
    if "[" in text or "]" in text:
        raise ValueError(f"unbalanced brackets in the README's command line {line!r}")
    words = [w for w in shlex.split(text) if w != "..."]
    return words[1:], stdin


def with_budget(args: list[str], budget: Budget) -> list[str]:
    """``args`` with the budget's options in place of the README's values of the same options."""
    replaced = {f for f in budget.flags if f.startswith("--")}
    out, skipping = [], False
    for word in args:
        if word.startswith("--"):
            skipping = word in replaced
        if not skipping:
            out.append(word)
    return out + budget.flags


def parsed(args: list[str]) -> str:
    """What a command line means: its command and the config its options parse to, so that
    two lines that differ only in defaults spelt out (``--game tictactoe``) run once. A line
    that does not parse keys on its words, and fails when it runs."""
    import tyro

    path = command_path(args)
    node = COMMANDS
    for word in path:
        node = node.children[word]
    if isinstance(node, Group):
        return repr(args)
    rest = args[len(path) :]
    if node.argv is not None:
        rest = resolve(node.argv)(rest)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return f"{path} {tyro.cli(resolve(node.config), args=rest)!r}"
    except (SystemExit, ValueError):
        return repr(args)


def readme_commands(text: str) -> list[ReadmeCommand]:
    """Every distinct command of a README with its budget; those that read runs last."""
    seen, commands = set(), []
    for line in command_lines(text):
        args, stdin = runnable(line)
        budget = budget_for(args)
        args = with_budget(args, budget)
        key = (parsed(args), stdin)
        if key in seen:
            continue
        seen.add(key)
        commands.append(ReadmeCommand(line, args, budget.stdin if stdin is None else stdin))
    return sorted(commands, key=lambda c: c.reads_runs)  # stable: README order otherwise


COMMANDS_TO_RUN = readme_commands(README.read_text())


# ---------------------------------------------------------------------- running them


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """One working directory for all the README's commands: later ones read earlier runs."""
    return tmp_path_factory.mktemp("readme")


def fill(args: list[str], cwd: Path) -> list[str]:
    """``RUN_DIR`` as a run a README command made: a Go run for the GTP engine, else tic-tac-toe."""
    if "RUN_DIR" not in args:
        return args
    game = "go" if args[0] == "gtp" else "tictactoe"
    runs = sorted((cwd / "runs").glob(f"{game}-*"), key=lambda p: p.stat().st_mtime)
    assert runs, f"RUN_DIR needs a {game} self-play run, made by a README command"
    return [str(runs[-1]) if a == "RUN_DIR" else a for a in args]


def seigen_executable() -> str:
    exe = shutil.which("seigen", path=str(Path(sys.executable).parent)) or shutil.which("seigen")
    assert exe, "the seigen console script is not installed"
    return exe


def files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*") if p.is_file()}


def check_promises(cmd: ReadmeCommand, out: str, made: set[Path], cwd: Path) -> None:
    """The files and output a command promises (the README and each command's --help)."""
    names = {p.name for p in made}
    if cmd.leaf == "selfplay":
        found = re.search(r"^(\S+): [\d,]+ games", out, re.M)
        assert found, out
        run = cwd / found.group(1)
        assert (run / "config.json").exists() and (run / "metrics.jsonl").exists()
        assert list((run / "games").glob("*.npz")), "no finished game on disk"
        latest = (run / "checkpoints" / "latest").read_text().strip()
        assert (run / "checkpoints" / latest).exists()
        if json.loads((run / "config.json").read_text()).get("eval_every"):  # the evaluator was on
            rows = [json.loads(r) for r in (run / "eval.jsonl").read_text().splitlines()]
            assert rows and not any("error" in r for r in rows), rows
        assert "play it: seigen play --model" in out
    elif cmd.leaf.startswith("train "):
        assert {"config.json", "metrics.jsonl"} <= names, sorted(names)
        assert any(n.endswith(".pt") for n in names), f"no checkpoint among {sorted(names)}"
    elif cmd.leaf == "match":
        assert {"summary.json", "games.jsonl"} <= names, sorted(names)
        assert sum(n.endswith(".sgf") for n in names) == int(option(cmd.args, "--games"))
    elif cmd.leaf == "gtp":
        answers = [a for a in out.split("\n\n") if a.strip()]
        assert answers and all(a.startswith("=") for a in answers), out
        assert "info move" in out  # the analysis of genmove streamed candidates
    elif cmd.leaf == "analysis":
        replies = [json.loads(r) for r in out.splitlines()]
        assert replies and all(r["moveInfos"] and "rootInfo" in r for r in replies), out
    elif cmd.leaf == "":
        assert "usage: seigen" in out
    else:
        assert out.strip(), "printed nothing"


@pytest.mark.parametrize("cmd", COMMANDS_TO_RUN, ids=[" ".join(c.args[:4]) for c in COMMANDS_TO_RUN])
def test_the_readme_command_runs_as_written(cmd: ReadmeCommand, workdir: Path) -> None:
    args = fill(cmd.args, workdir)
    before = files_under(workdir)
    env = {**os.environ, "WANDB_MODE": "offline", "PYTHONUNBUFFERED": "1"}
    p = subprocess.run(
        [seigen_executable(), *args],
        input=cmd.stdin,
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
        timeout=budget_for(args).timeout,
    )
    ran = f"README: {cmd.line}\nran: seigen {shlex.join(args)}"
    assert p.returncode == 0, f"{ran}\n{p.stderr[-3000:]}"
    check_promises(cmd, p.stdout, files_under(workdir) - before, workdir)


# ---------------------------------------------------------------------- the reading itself


def test_every_seigen_command_has_a_command_line_in_the_readme() -> None:
    assert set(leaves()) - {c.leaf for c in COMMANDS_TO_RUN} == set()


def test_command_lines_are_read_from_blocks_pipes_and_inline_code() -> None:
    text = (
        "Run `seigen gtp` in a GUI, or `seigen eval RUN_DIR --curve`.\n\n"
        "```bash\npython3 -m venv .venv && . .venv/bin/activate && seigen demo --size 5\n"
        "seigen match --black a \\\n    --white b [--json]\n"
        "echo '{\"id\": 1}' | seigen analysis --visits 9\n```\n"
        "```python\nseigen = 1\n```\n"
    )
    lines = command_lines(text)
    assert lines == [
        "seigen eval RUN_DIR --curve",
        "seigen demo --size 5",
        "seigen match --black a --white b [--json]",
        "echo '{\"id\": 1}' | seigen analysis --visits 9",
    ]
    assert runnable(lines[2]) == (["match", "--black", "a", "--white", "b"], None)
    assert runnable(lines[3]) == (["analysis", "--visits", "9"], '{"id": 1}\n')
    assert runnable('seigen match --black "gnugo --mode gtp" ...') == (
        ["match", "--black", "gnugo --mode gtp"],
        None,
    )
    with pytest.raises(ValueError, match="unbalanced"):
        runnable("seigen demo [--size 9")
    [eval_cmd, *_] = readme_commands(text)[-1:]
    assert eval_cmd.reads_runs and eval_cmd.args[:2] == ["eval", "RUN_DIR"]  # readers run last


def test_the_budget_replaces_the_readme_values_of_its_options() -> None:
    args = ["selfplay", "--max-minutes", "50", "--actors", "1", "2", "4", "--eval-every", "0"]
    budget = Budget("--max-minutes 0.2 --actors 1")
    assert with_budget(args, budget) == [
        "selfplay",
        "--eval-every",
        "0",
        "--max-minutes",
        "0.2",
        "--actors",
        "1",
    ]
    go = budget_for(["selfplay", "--game", "connect4", "--game", "go"])
    assert option(go.flags, "--max-moves") == "10"
    with pytest.raises(KeyError, match="no CI budget"):
        budget_for(["no-such-command"])
