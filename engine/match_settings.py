"""What defines a match between two GTP engines (``seigen.engine.match``): its settings.

:class:`MatchSettings` (the engines' command lines, games, board, rules, timeouts, where the
records go), checked when built; the engines' command lines as argv (:func:`argv_of`) and
as text (:func:`command_text`); the canonical name of a rules preset (:func:`preset_name`);
and :class:`MatchError`, for a match that cannot be played as set up.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from seigen.engine.rules import Rules


class MatchError(RuntimeError):
    """The match cannot be played as set up (an engine does not start, rejects the board size, ...)."""


@dataclass(frozen=True)
class MatchSettings:
    """Everything that defines a match (see the module docstring)."""

    black: str | Sequence[str]
    """Engine A's command line (a string, split with shlex, or an argv list); plays black in game 0."""
    white: str | Sequence[str]
    """Engine B's command line; plays white in game 0."""
    games: int = 10
    size: int = 9
    komi: float | None = None
    """Komi; None takes the rules preset's."""
    rules: str = "chinese"
    """A ``Rules`` preset name."""
    alternate: bool = False
    """Swap colours every other game."""
    max_moves: int | None = None
    """Moves (passes included) after which a game stops and is scored; None: 3 * size * size."""
    parallel: int = 1
    """Games played at once (each with its own pair of engine processes)."""
    move_timeout: float = 30.0
    """Seconds an engine may take to answer ``genmove`` or ``play``."""
    startup_timeout: float = 60.0
    """Seconds an engine may take to start and answer the setup commands (and ``final_score``)."""
    sgf_dir: str | None = None
    """Folder for the SGF records and the JSON logs; None: a new ``matches/<timestamp>`` folder."""
    resume: bool = False
    """Continue the match already in ``sgf_dir``: its finished games are kept and the others
    (up to ``games``) are played; the engines, board and rules must be the ones it was started with."""

    def __post_init__(self) -> None:
        for key, command in (("black", self.black), ("white", self.white)):
            argv_of(command, key)  # raises ValueError for an empty or unbalanced command
        if self.games < 1:
            raise ValueError(f"games must be at least 1, got {self.games}")
        if not 2 <= self.size <= 25:
            raise ValueError(f"size must be between 2 and 25, got {self.size}")
        Rules.preset(self.rules)
        if self.komi is not None and not math.isfinite(self.komi):
            raise ValueError(f"komi must be finite, got {self.komi}")
        if self.max_moves is not None and self.max_moves < 1:
            raise ValueError(f"max_moves must be at least 1, got {self.max_moves}")
        if self.parallel < 1:
            raise ValueError(f"parallel must be at least 1, got {self.parallel}")
        if not self.move_timeout > 0 or not self.startup_timeout > 0:
            raise ValueError("timeouts must be positive")
        if self.resume and self.sgf_dir is None:
            raise ValueError("resume needs the sgf_dir of the match to continue")

    @property
    def move_cap(self) -> int:
        return self.max_moves if self.max_moves is not None else 3 * self.size * self.size

    @property
    def board_rules(self) -> Rules:
        rules = Rules.preset(self.rules)
        return rules if self.komi is None else rules.with_komi(self.komi)

    def same_match(self) -> dict[str, object]:
        """What must not change when a match is resumed: the engines, the board and the rules."""
        return {
            "black": command_text(self.black),
            "white": command_text(self.white),
            "size": self.size,
            "komi": self.board_rules.komi,
            "rules": preset_name(self.rules),
            "alternate": self.alternate,
            "max_moves": self.move_cap,
        }

    def a_plays_black(self, index: int) -> bool:
        """Whether engine A plays black in game ``index`` (0-based)."""
        return not (self.alternate and index % 2 == 1)


def argv_of(command: str | Sequence[str], what: str = "engine") -> list[str]:
    """An engine's command line as argv: a string is split like a shell would (shlex)."""
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as e:
            raise ValueError(f"cannot split the {what} command {command!r}: {e}") from None
    else:
        argv = [str(a) for a in command]
    if not argv:
        raise ValueError(f"the {what} command is empty")
    return argv


def command_text(command: str | Sequence[str]) -> str:
    return command if isinstance(command, str) else shlex.join(command)


def preset_name(rules: str) -> str:
    """The canonical name of a rules preset given in any spelling ``Rules.preset`` accepts."""
    wanted = Rules.preset(rules)
    return next(name for name in Rules.PRESETS if Rules.preset(name) == wanted)
