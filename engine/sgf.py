"""SGF FF[4] game records for the Go board, on top of sgfmill.

>>> board, info = read_sgf("game.sgf")          # doctest: +SKIP
>>> text = write_sgf(board, "copy.sgf", info)    # doctest: +SKIP

Reading takes the main line only (the first child at each branch) and replays it
through ``Board.play``, so an illegal move in a file is an error. Setup stones
(``AB``/``AW``/``AE``) are accepted in any node before the first move; setup after
it is rejected. Any problem with a file raises ``SGFError`` naming the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

from sgfmill import sgf, sgf_grammar

from seigen.engine.board import Board, IllegalMoveError
from seigen.engine.files import write_atomic
from seigen.engine.rules import Rules

__all__ = ["GameInfo", "SGFError", "read_sgf", "write_sgf"]

# RU names (lower case, spaces and underscores as hyphens) -> seigen presets
RULES_NAMES = {
    "chinese": "chinese",
    "cn": "chinese",
    "japanese": "japanese",
    "jp": "japanese",
    "korean": "japanese",
    "aga": "aga",
    "nz": "nz",
    "new-zealand": "nz",
    "tromp-taylor": "tromp-taylor",
    "tromptaylor": "tromp-taylor",
    "tt": "tromp-taylor",
}
# What write_sgf puts in RU for each preset
PRESET_RU = {
    "chinese": "Chinese",
    "japanese": "Japanese",
    "aga": "AGA",
    "nz": "NZ",
    "tromp-taylor": "Tromp-Taylor",
}
# RU for rules that match no preset: "seigen:ko=simple,suicide=0,scoring=area,handicap_compensation=none"
CUSTOM_RU_PREFIX = "seigen:"


class SGFError(ValueError):
    """A corrupt, unreadable or unsupported SGF file; ``source`` names it, ``problem`` says what."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = " ".join(str(problem).split())  # one line
        super().__init__(f"{source}: {self.problem}")


@dataclass
class GameInfo:
    """The game-information properties that the Board does not hold.

    rules_name: ``RU`` exactly as the file has it (``None`` when absent). The Board's
    ``rules`` are what it maps to, or the default when it names no known rule set.
    comment: the root node's ``C``; game_comment: ``GC``.
    """

    black: str | None = None  # PB
    white: str | None = None  # PW
    result: str | None = None  # RE, e.g. "B+3.5", "W+R", "0"
    rules_name: str | None = None  # RU
    game_comment: str | None = None  # GC
    comment: str | None = None  # C on the root


# ---------------------------------------------------------------------- rules


def _rules_from_sgf(ru: str, komi: float | None = None) -> Rules | None:
    """The Rules an ``RU`` value names, or ``None`` when it is not recognised."""
    text = ru.strip()
    if text.lower().startswith(CUSTOM_RU_PREFIX):
        fields = {}
        for item in text[len(CUSTOM_RU_PREFIX) :].split(","):
            key, _, value = item.partition("=")
            fields[key.strip()] = value.strip()
        if set(fields) != {"ko", "suicide", "scoring", "handicap_compensation"}:
            return None
        if fields["suicide"] not in ("0", "1"):
            return None
        try:
            rules = Rules(
                ko=fields["ko"],  # type: ignore[arg-type]
                suicide=fields["suicide"] == "1",
                scoring=fields["scoring"],  # type: ignore[arg-type]
                handicap_compensation=fields["handicap_compensation"],  # type: ignore[arg-type]
            )
        except ValueError:
            return None
    else:
        key = "-".join(text.lower().replace("_", " ").replace("-", " ").split())
        if key not in RULES_NAMES:
            return None
        rules = Rules.preset(RULES_NAMES[key])
    return rules if komi is None else rules.with_komi(komi)


def _rules_to_sgf(rules: Rules) -> str:
    """The ``RU`` value for ``rules`` (komi aside): a preset's name, else seigen's own spelling."""
    for preset, name in PRESET_RU.items():
        if Rules.preset(preset) == replace(rules, komi=Rules.PRESETS[preset]["komi"]):
            return name
    return (
        f"{CUSTOM_RU_PREFIX}ko={rules.ko},suicide={int(rules.suicide)},"
        f"scoring={rules.scoring},handicap_compensation={rules.handicap_compensation}"
    )


def _same_rules(a: Rules, b: Rules) -> bool:
    return replace(a, komi=0.0) == replace(b, komi=0.0)


# ---------------------------------------------------------------------- reading


def read_sgf(source: str | os.PathLike | bytes, *, rules: Rules | str = "chinese") -> tuple[Board, GameInfo]:
    """Read an SGF game: a path, or the file's contents as bytes.

    The board gets the size (``SZ``, square, 2..25), the rules named by ``RU`` (else
    ``rules``), the komi ``KM`` (else the rules' own), the handicap count ``HA``, the
    setup stones and the main line's moves. Raises ``SGFError`` for any problem.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        name, data = "<sgf bytes>", bytes(source)
    else:
        name = os.fsdecode(source)
        try:
            with open(source, "rb") as f:
                data = f.read()
        except OSError as e:
            raise SGFError(name, f"cannot read the file: {e.strerror or e}") from e
    default_rules = Rules.preset(rules) if isinstance(rules, str) else rules
    try:
        return _read(data, name, default_rules)
    except SGFError:
        raise
    except ValueError as e:  # a malformed value that slipped past the checks in _read
        raise SGFError(name, f"malformed SGF: {e or type(e).__name__}") from e


def _read(data: bytes, name: str, default_rules: Rules) -> tuple[Board, GameInfo]:
    def fail(problem: str) -> SGFError:
        return SGFError(name, problem)

    if not data.strip():
        raise fail("empty file")
    try:
        coarse = sgf_grammar.parse_sgf_game(data)
    except ValueError as e:
        raise fail(f"not a readable SGF file ({e})") from e
    root_props = coarse.sequence[0]

    gm = root_props.get("GM", [b"1"])[0]
    if not gm.strip().isdigit() or int(gm) != 1:
        raise fail(f"GM[{_show(gm)}] is not a game of Go (GM[1])")

    raw_sz = root_props.get("SZ", [b"19"])[0].strip()
    cols, _, rows = raw_sz.partition(b":")
    try:
        size = int(cols)
        height = int(rows) if rows else size
    except ValueError:
        raise fail(f"bad board size SZ[{_show(raw_sz)}]") from None
    if height != size:
        raise fail(f"non-square board SZ[{_show(raw_sz)}] is not supported")
    if not 2 <= size <= 25:
        raise fail(f"board size {size} is not supported (2..25)")
    root_props["SZ"] = [str(size).encode()]  # "19:19" -> "19", for sgfmill

    override = None
    if "CA" not in root_props and not data.isascii():
        try:
            data.decode("utf-8")
            override = "UTF-8"  # no CA: the spec says Latin-1, but valid UTF-8 almost surely is UTF-8
        except UnicodeDecodeError:
            pass
    try:
        game = sgf.Sgf_game.from_coarse_game_tree(coarse, override_encoding=override)
    except ValueError as e:
        raise fail(f"unsupported SGF ({e})") from e
    root = game.get_root()

    def get(ident: str, what: str):
        if not root.has_property(ident):
            return None
        try:
            return root.get(ident)
        except ValueError as e:
            raise fail(f"bad {what} {ident}[{_show(root.get_raw(ident))}]") from e

    info = GameInfo(
        black=get("PB", "black player"),
        white=get("PW", "white player"),
        result=get("RE", "result"),
        rules_name=get("RU", "rules"),
        game_comment=get("GC", "game comment"),
        comment=get("C", "comment"),
    )
    komi = get("KM", "komi")
    handicap = get("HA", "handicap")
    if handicap is not None and not 0 <= handicap <= size * size:
        raise fail(f"bad handicap HA[{handicap}]")

    board_rules = default_rules
    if info.rules_name is not None:
        board_rules = _rules_from_sgf(info.rules_name) or default_rules
    board = Board(size, rules=board_rules, komi=komi)
    board.handicap = handicap or 0

    def point(rc: tuple[int, int]) -> int:
        row, col = rc  # sgfmill: row 0 at the bottom
        return (size - 1 - row) * size + col

    black: set[int] = set()
    white: set[int] = set()
    number = 0  # moves played so far
    to_play: str | None = None  # from PL
    for node in game.get_main_sequence():
        props = node.get_raw_property_map()
        if node.has_setup_stones():
            if number:
                raise fail(f"setup stones (AB/AW/AE) after move {number} are not supported")
            try:
                ab, aw, ae = node.get_setup_stones()
            except ValueError as e:
                raise fail("bad setup stones (AB/AW/AE): not points on the board") from e
            if ab & aw:
                raise fail("a setup point is given both colours (AB and AW)")
            empty = {point(p) for p in ae}
            black = (black - empty) | {point(p) for p in ab}
            white = (white - empty) | {point(p) for p in aw}
            black -= {point(p) for p in aw}
            white -= {point(p) for p in ab}
        if "B" in props and "W" in props:
            raise fail(f"move {number + 1}: a node holds both B and W")
        colour, raw = node.get_raw_move()
        if colour is not None:
            number += 1
            text = f"{colour.upper()}[{_show(raw)}]"
            try:
                move = node.get_move()[1]
            except ValueError as e:
                raise fail(f"move {number} {text}: not a point on the {size}x{size} board") from e
            if number == 1:
                _setup(board, black, white, to_play or ("black" if colour == "b" else "white"), fail)
            index = board.pass_move if move is None else point(move)
            try:
                board.play(index, colour)
            except IllegalMoveError as e:
                raise fail(f"move {number} {text} ({board.vertex(index)}) is illegal: {e.reason}") from e
        if "PL" in props:
            try:
                pl = node.get("PL")
            except ValueError as e:
                raise fail(f"bad PL[{_show(node.get_raw('PL'))}]") from e
            to_play = "black" if pl == "b" else "white"
            if number:
                board.to_play = to_play
    if number == 0:
        _setup(board, black, white, to_play or ("white" if board.handicap >= 2 else "black"), fail)
    return board, info


def _show(raw: bytes, limit: int = 24) -> str:
    """A raw property value for an error message: ASCII, escaped, short."""
    text = ascii(raw[:limit].decode("latin-1"))[1:-1]
    return text + ("..." if len(raw) > limit else "")


def _setup(board: Board, black: set[int], white: set[int], to_play: str, fail) -> None:
    if black or white:
        try:
            board.setup(black=sorted(black), white=sorted(white), to_play=to_play)
        except ValueError as e:
            raise fail(f"bad setup stones: {e}") from e
    board.to_play = to_play


# ---------------------------------------------------------------------- writing


def write_sgf(board: Board, path: str | os.PathLike | None = None, info: GameInfo | None = None) -> str:
    """The game as SGF FF[4] text (UTF-8); also written to ``path`` atomically when given.

    Writes ``FF GM CA SZ KM RU``, ``HA`` when set, the setup stones as ``AB``/``AW``,
    ``PB PW RE GC C`` from ``info`` and the moves (a pass as ``B[]``/``W[]``). ``RU``
    names the board's rules: a preset's name (``info.rules_name`` when it names the same
    rules), else seigen's own ``seigen:ko=...`` spelling.
    """
    info = info or GameInfo()
    n = board.size
    game = sgf.Sgf_game(n, encoding="UTF-8")
    root = game.get_root()

    def rc(index: int) -> tuple[int, int]:
        row, col = divmod(index, n)
        return n - 1 - row, col

    root.set("KM", float(board.rules.komi))
    ru = _rules_to_sgf(board.rules)
    if info.rules_name is not None:
        named = _rules_from_sgf(info.rules_name)
        if named is not None and _same_rules(named, board.rules):
            ru = info.rules_name
    root.set("RU", ru)
    if board.handicap:
        root.set("HA", int(board.handicap))
    root.set_setup_stones([rc(i) for i in board.setup_black], [rc(i) for i in board.setup_white])
    for ident, value in (
        ("PB", info.black),
        ("PW", info.white),
        ("RE", info.result),
        ("GC", info.game_comment),
        ("C", info.comment),
    ):
        if value is not None:
            root.set(ident, value)

    node = root
    for colour, index in board.moves:
        node = node.new_child()
        ident = "B" if colour == "black" else "W"
        if index == board.pass_move:
            node.set_raw(ident, b"")
        else:
            node.set(ident, rc(index))
    # PL only where the side to move differs from what a reader would assume
    if board.moves:
        expected = "white" if board.moves[-1][0] == "black" else "black"
    else:
        expected = "white" if board.handicap >= 2 else "black"
    if board.to_play != expected:
        # PL is a setup property: beside the root's setup, else in a node of its own
        (node.new_child() if board.moves else node).set("PL", board.to_play[0])

    data = game.serialise()
    if path is not None:
        write_atomic(path, data)
    return data.decode("utf-8")
