"""A small client for engines that speak GTP (Go Text Protocol, version 2) over a pipe.

>>> with GTPClient(["gnugo", "--mode", "gtp"]) as engine:  # doctest: +SKIP
...     engine.send("boardsize 9")
...     engine.send("play black E5")
...     engine.send("genmove white")
'C3'

Each command is sent with a numeric id and the answer's id is checked, so a reply can
never be matched to the wrong command. ``send`` returns the body of a ``=`` answer;
a ``?`` answer raises :class:`GTPError` with the engine's message. An engine that
exits, closes its output or stays silent past the timeout raises
:class:`GTPEngineDied` or :class:`GTPTimeout`, and the client is closed, since its
state is no longer known.
"""

from __future__ import annotations

import collections
import contextlib
import queue
import subprocess
import threading
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any

__all__ = ["GTPAgent", "GTPClient", "GTPEngineDied", "GTPError", "GTPProtocolError", "GTPTimeout"]

_EOF = None  # what the reader thread queues when the engine's stdout closes


class _Default:
    """Marks "use the client's timeout" (``None`` already means "wait forever")."""


_DEFAULT = _Default()


class GTPError(RuntimeError):
    """The engine answered a command with ``?``; ``message`` is its explanation."""

    def __init__(self, command: str, message: str) -> None:
        self.command = command
        self.message = message
        super().__init__(f"GTP command {command!r} failed: {message}")


class GTPEngineDied(RuntimeError):
    """The engine could not start, or exited (or closed its output) before answering."""

    def __init__(
        self, message: str, command: str | None = None, returncode: int | None = None, stderr_tail: str = ""
    ) -> None:
        self.command = command
        self.returncode = returncode
        self.stderr_tail = stderr_tail
        tail = f"; its last stderr lines:\n{stderr_tail}" if stderr_tail else ""
        super().__init__(f"{message}{tail}")


class GTPTimeout(TimeoutError):
    """The engine gave no complete answer in time; the client has been closed."""


class GTPProtocolError(RuntimeError):
    """The engine's answer is not GTP, or answers another command; the client has been closed."""


class GTPClient:
    """A GTP engine in a subprocess.

    ``argv`` is the command line that starts the engine in GTP mode. ``timeout`` (seconds,
    ``None`` for no limit) bounds the wait for each answer; ``send`` can override it.
    The engine's stderr is kept (its last ``stderr_lines`` lines) for error messages, and
    each of its lines goes to ``on_stderr`` too (from the reader thread) when one is given.
    One client talks to one engine from one thread at a time.
    """

    def __init__(
        self,
        argv: Sequence[str],
        timeout: float | None = 30.0,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        stderr_lines: int = 50,
        on_stderr: Callable[[str], None] | None = None,
    ) -> None:
        if not argv:
            raise ValueError("argv must name the engine to start")
        self.argv = list(argv)
        self.timeout = timeout
        self._next_id = 1
        self._closed = False
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: collections.deque[str] = collections.deque(maxlen=stderr_lines)
        self._on_stderr = on_stderr
        try:
            self._proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=cwd,
                env=env,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
            )
        except OSError as e:
            raise GTPEngineDied(f"could not start GTP engine {self.argv!r}: {e}") from e
        self._stdout_thread = threading.Thread(target=self._read_stdout, name="gtp-stdout", daemon=True)
        self._stderr_thread = threading.Thread(target=self._read_stderr, name="gtp-stderr", daemon=True)
        self._stdout_thread.start()
        self._stderr_thread.start()

    # ------------------------------------------------------------------ reader threads
    def _read_stdout(self) -> None:
        assert self._proc.stdout is not None
        try:
            for line in self._proc.stdout:
                self._lines.put(line)
        except (OSError, ValueError):
            pass
        finally:
            self._lines.put(_EOF)

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        try:
            for line in self._proc.stderr:
                line = line.rstrip("\n")
                self._stderr.append(line)
                if self._on_stderr is not None:
                    try:
                        self._on_stderr(line)
                    except Exception:  # a failing log must not stop the reading: the engine would block
                        self._on_stderr = None
        except (OSError, ValueError):
            pass

    # ------------------------------------------------------------------ protocol
    @property
    def alive(self) -> bool:
        """Whether the engine is running and the client is usable."""
        return not self._closed and self._proc.poll() is None

    @property
    def stderr_tail(self) -> str:
        """The engine's last stderr lines."""
        return "\n".join(self._stderr)

    def _died(self, command: str) -> GTPEngineDied:
        try:
            returncode = self._proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            returncode = None
        self._stderr_thread.join(timeout=1.0)
        code = "it is still running" if returncode is None else f"exit status {returncode}"
        err = GTPEngineDied(
            f"GTP engine {self.argv[0]!r} died while answering {command!r} ({code})",
            command,
            returncode,
            self.stderr_tail,
        )
        self.close()
        return err

    def _write(self, lines: Iterable[str], first: str) -> None:
        if self._closed:
            raise RuntimeError("the GTP client is closed")
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write("".join(lines))
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            raise self._died(first) from None

    def _read_answer(self, command: str, cid: int, timeout: float | None) -> str:
        """The body of the answer to command number ``cid``; raises on ``?``."""
        lines: list[str] = []
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except queue.Empty:
                self.close(timeout=0.5)  # a silent engine will not read "quit" either
                raise GTPTimeout(f"no answer to GTP command {command!r} within {timeout} s") from None
            if line is _EOF:
                raise self._died(command)
            line = line.replace("\r", "").replace("\t", " ").rstrip("\n")
            if not lines and not line.startswith(("=", "?")):
                continue  # blank lines between answers, or chatter that is not GTP
            if lines and not line.strip():
                break
            lines.append(line)
        head, _, rest = lines[0].partition(" ")
        status, answer_id = head[:1], head[1:]
        if answer_id != str(cid):
            self.close()
            raise GTPProtocolError(
                f"answer {lines[0]!r} to GTP command {command!r} does not carry its id {cid}"
            )
        body = "\n".join([rest.lstrip(" "), *lines[1:]]).strip("\n").rstrip()
        if status == "?":
            raise GTPError(command, body)
        return body

    @staticmethod
    def _check(command: str) -> str:
        command = command.strip()
        if not command or "\n" in command or "\r" in command:
            raise ValueError(f"a GTP command is one non-empty line, got {command!r}")
        return command

    def send(self, command: str, timeout: float | _Default | None = _DEFAULT) -> str:
        """Send one command; return the answer's body (without ``=``), or raise ``GTPError``."""
        command = self._check(command)
        wait = self.timeout if isinstance(timeout, _Default) else timeout
        cid = self._next_id
        self._next_id += 1
        self._write([f"{cid} {command}\n"], command)
        return self._read_answer(command, cid, wait)

    def send_many(self, commands: Sequence[str], timeout: float | _Default | None = _DEFAULT) -> list[str]:
        """Send several commands at once (pipelined) and return their answers in order.

        Every answer is read before the first ``?`` answer's ``GTPError`` is raised, so
        the client stays in step with the engine; ``timeout`` bounds each answer.
        """
        checked = [self._check(c) for c in commands]
        if not checked:
            return []
        wait = self.timeout if isinstance(timeout, _Default) else timeout
        first = self._next_id
        self._next_id += len(checked)
        self._write([f"{first + i} {c}\n" for i, c in enumerate(checked)], checked[0])
        answers: list[str] = []
        error: GTPError | None = None
        for i, command in enumerate(checked):
            try:
                answers.append(self._read_answer(command, first + i, wait))
            except GTPError as e:
                error = error or e
                answers.append("")
        if error is not None:
            raise error
        return answers

    # ------------------------------------------------------------------ lifetime
    def close(self, timeout: float = 2.0) -> None:
        """Ask the engine to quit, then terminate (and at last kill) it if it does not."""
        if self._closed:
            return
        self._closed = True
        proc = self._proc
        if proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.write(f"{self._next_id} quit\n")
                proc.stdin.flush()
            except (OSError, ValueError):
                pass
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except (OSError, ValueError):
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for thread, stream in ((self._stdout_thread, proc.stdout), (self._stderr_thread, proc.stderr)):
            thread.join(timeout=timeout)
            if stream is not None and not thread.is_alive():  # never close under a reading thread
                stream.close()

    def __enter__(self) -> GTPClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close(timeout=0.5)

    def __repr__(self) -> str:
        state = "running" if self.alive else "closed"
        return f"GTPClient({self.argv!r}, {state})"


class GTPAgent:
    """A GTP engine as an arena agent (``seigen.engine.arena.Agent``) for native Go games.

    ``select(games)`` asks the engine for one move in each game, one after the other: the
    engine is brought to the game's position first (``boardsize``, ``komi``,
    ``clear_board`` and the game's moves with ``play``; only the new moves when the game
    continues the one the engine holds), then ``genmove``. ``setup`` commands (e.g.
    ``kgs-rules chinese``) are sent after each ``boardsize``; a ``?`` answer to them is
    ignored, since they are optional GTP. The arena plays every game to its end, so a
    resignation is played as a pass. Positions with setup stones (handicap) cannot be
    sent and are a ``ValueError``; so is an answer that is not a move on the board.
    ``engine``: the engine's command line, or a started ``GTPClient``.
    """

    def __init__(
        self,
        engine: Sequence[str] | GTPClient,
        name: str | None = None,
        *,
        setup: Sequence[str] = (),
        timeout: float | None = 60.0,
    ) -> None:
        self.client = engine if isinstance(engine, GTPClient) else GTPClient(engine, timeout=timeout)
        self.name = name or self.client.argv[0].rsplit("/", 1)[-1]
        self.setup = list(setup)
        self._held: tuple[Any, ...] | None = None  # (size, komi) of the engine's game
        self._moves: list[tuple[str, int]] = []

    def _sync(self, board: Any) -> None:
        """Bring the engine to ``board``'s position."""
        if board.setup_black or board.setup_white:
            raise ValueError(f"{self.name}: positions with setup stones cannot be sent over GTP")
        held = (board.size, board.komi)
        moves = list(board.moves)
        if self._held != held or moves[: len(self._moves)] != self._moves:
            if self._held is None or self._held[0] != board.size:
                self.client.send(f"boardsize {board.size}")
                for command in self.setup:
                    with contextlib.suppress(GTPError):
                        self.client.send(command)
            self.client.send(f"komi {board.komi:g}")
            self.client.send("clear_board")
            self._held, self._moves = held, []
        new = moves[len(self._moves) :]
        self.client.send_many([f"play {color} {board.vertex(index)}" for color, index in new])
        self._moves = moves

    def select(self, games: Sequence[Any]) -> list[int]:
        out = []
        for game in games:
            board = game.board
            self._sync(board)
            color = board.to_play
            answer = self.client.send(f"genmove {color}").strip()
            if answer.lower() == "resign":
                move = board.pass_move
            else:
                try:
                    move = board.parse_move(answer)
                except ValueError as e:
                    raise ValueError(f"{self.name} answered genmove with {answer!r}: {e}") from None
            self._moves.append((color, move))
            out.append(move)
        return out

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> GTPAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
