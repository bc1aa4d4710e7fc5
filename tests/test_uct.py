"""The UCT-RAVE search in C (``seigen.ext.uct``) and its player (``seigen.engine.uct``)."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seigen.engine.board import Board
from seigen.engine.players import SearchLimits
from seigen.engine.uct import GuideConfig, UctConfig, UctPlayer, UctPriors
from seigen.ext import uct

B, W = 1, 2


def by_move(children: dict, key: str) -> dict[int, float]:
    """``{point: value}`` of one statistic, for the children where it is not 0."""
    return {int(m): float(v) for m, v in zip(children["move"], children[key], strict=True) if v}


# ------------------------------------------------------------------ AMAF backup worked out by hand


@pytest.mark.parametrize("shared", [False, True])
def test_amaf_backup_by_hand(shared: bool) -> None:
    """3x3, black to move. Points: 0 1 2 / 3 4 5 / 6 7 8 (row * 3 + col), pass = 9.

    Simulation 1: tree moves B0 W4, then a playout whose first plays are B1 W3 B5 W8, W0
    (after a capture) and B4 (after a capture); black wins. At the root (black to move)
    the points first played by black from there on are 0 (the tree move, before the
    playout's W0), 1 and 5, not 4 (white's tree move came first). At node [0] (white to
    move) they are white's 3, 4 and 8 (0 is occupied there: not a child).
    Simulation 2: tree move B0, playout B2 W4; a tie: root AMAF of 0 and 2 grows by half
    a win; node [0] is the leaf, so its children's AMAF does not change.
    """
    board = Board(3, komi=0.5)
    tree = uct.UctTree(3, shared=shared)
    tree.reset(board._c, 0.5)
    assert tree.expand_path([0]) == 9  # white's 8 points and pass
    first = [0] * 9
    first[1], first[3], first[5], first[8], first[0], first[4] = B, W, B, W, W, B
    tree.backup_path([0, 4], first, 1.0)

    root = tree.stats()
    assert (root["visits"], root["wins"], root["leaf_visits"]) == (1, 0.0, 0)  # white moved into the root
    ch = root["children"]
    assert by_move(ch, "visits") == {0: 1}
    assert by_move(ch, "wins") == {0: 1.0}
    assert by_move(ch, "amaf_visits") == {0: 1, 1: 1, 5: 1}
    assert by_move(ch, "amaf_wins") == {0: 1.0, 1: 1.0, 5: 1.0}
    node = tree.stats([0])
    assert (node["visits"], node["wins"], node["leaf_visits"]) == (1, 1.0, 0)
    assert by_move(node["children"], "visits") == {4: 1}
    assert by_move(node["children"], "wins") == {}  # white lost
    assert by_move(node["children"], "amaf_visits") == {3: 1, 4: 1, 8: 1}
    assert tree.stats([0, 4])["leaf_visits"] == 1

    first = [0] * 9
    first[2], first[4] = B, W
    tree.backup_path([0], first, 0.5)
    ch = tree.stats()["children"]
    assert by_move(ch, "visits") == {0: 2}
    assert by_move(ch, "wins") == {0: 1.5}
    assert by_move(ch, "amaf_visits") == {0: 2, 1: 1, 2: 1, 5: 1}
    assert by_move(ch, "amaf_wins") == {0: 1.5, 1: 1.0, 2: 0.5, 5: 1.0}
    node = tree.stats([0])
    assert (node["visits"], node["leaf_visits"]) == (2, 1)
    assert by_move(node["children"], "amaf_visits") == {3: 1, 4: 1, 8: 1}
    assert tree.check() == {"nodes": 1 + 10 + 9, "depth": 2}
    assert not tree.stats()["children"]["virtual_loss"].any()


def test_plain_uct_keeps_no_amaf() -> None:
    """With ``rave=False`` the backup of the worked example leaves every AMAF count at 0
    while the visits and wins are the same."""
    board = Board(3, komi=0.5)
    tree = uct.UctTree(3, rave=False)
    tree.reset(board._c, 0.5)
    tree.expand_path([0])
    first = [0] * 9
    first[1], first[3], first[5], first[8], first[0], first[4] = B, W, B, W, W, B
    tree.backup_path([0, 4], first, 1.0)
    ch = tree.stats()["children"]
    assert by_move(ch, "visits") == {0: 1} and by_move(ch, "wins") == {0: 1.0}
    assert not ch["amaf_visits"].any()
    assert not tree.stats([0])["children"]["amaf_visits"].any()


def test_settings_from_the_command_line() -> None:
    cfg = UctConfig().with_settings(["rave=false", "c-ucb=0.3", "expand_after=4", "playout=heavy"])
    assert (cfg.rave, cfg.c_ucb, cfg.expand_after, cfg.playout) == (False, 0.3, 4, "heavy")
    for bad in ("rave_b", "bogus=1", "expand_after=1.5", "rave=maybe", "c_ucb=-1", "fpu=nan"):
        with pytest.raises(ValueError, match="uct setting"):
            UctConfig().with_settings([bad])
    priors = UctPriors().with_settings(["all=off", "even=10,0.5", "capture=30,1", "edge_until=0.5"])
    assert priors.even == (10.0, 0.5) and priors.capture == (30.0, 1.0) and priors.edge_until == 0.5
    assert priors.atari_escape[0] == 0 and priors.pattern[0] == 0 and priors.pattern_table() is None
    assert UctPriors().with_settings(["pattern=off"]).pattern[0] == 0
    for bad in ("capture", "capture=1", "capture=1,2", "capture=-1,0.5", "ladder=1,1", "line1=a,b"):
        with pytest.raises(ValueError, match="prior"):
            UctPriors().with_settings([bad])


def test_beta_schedule() -> None:
    """beta = n_amaf / (n + n_amaf + 4 b^2 n n_amaf) (Gelly & Silver's minimum-MSE schedule)."""
    assert uct.rave_beta(0, 0, 0.1) == 0.0
    assert uct.rave_beta(0, 50, 0.1) == 1.0
    assert uct.rave_beta(10, 10, 0.0) == 0.5
    assert uct.rave_beta(10, 10, 0.5) == pytest.approx(10 / (10 + 10 + 100))
    assert uct.rave_beta(1000, 1000, 0.01) == pytest.approx(1000 / (2000 + 4e-4 * 1e6))
    # more real visits: the AMAF weight falls; more AMAF visits: it rises
    assert uct.rave_beta(100, 100, 0.1) > uct.rave_beta(1000, 100, 0.1)
    assert uct.rave_beta(100, 1000, 0.1) > uct.rave_beta(100, 100, 0.1)
    # the mix: Q = 1, Q_amaf = 0 -> 1 - beta; no AMAF -> Q; nothing at all -> fpu
    assert uct.rave_mix(10, 10, 10, 0, 0.5) == pytest.approx(1 - 10 / 120)
    assert uct.rave_mix(4, 3, 0, 0, 0.5) == 0.75
    assert uct.rave_mix(0, 0, 0, 0, 0.5, fpu=0.9) == 0.9


# ------------------------------------------------------------------ priors


def tree_with(rule: str, pair: tuple[float, float], size: int = 7, **extra: object) -> uct.UctTree:
    """A tree whose priors have the one rule ``rule`` (visits, value)."""
    tree = uct.UctTree(size)
    off = {**UctPriors().without(*uct.PRIOR_RULES).rules(), "pattern": (0.0, 0.5)}
    UctPriors(**{**off, rule: pair}, **extra).apply(tree)
    return tree


PRIOR_BOARD = """
. . . . . . .
. X O . . . .
. X O . X X .
. . X O X . X
. . . X X X .
. . . . . . .
. . . . . . .
"""


@pytest.mark.parametrize(
    ("rule", "point", "holds"),
    [
        ("capture", 2 * 7 + 3, True),  # takes the white stone at (3, 3)
        ("capture", 6 * 7 + 6, False),
        ("atari_escape", 0, False),
        ("self_atari", 5 * 7 + 0, False),
        ("eye_fill", 3 * 7 + 5, True),  # black's own eye at (3, 5)
        ("eye_fill", 4 * 7 + 6, False),
        ("near_last", 2 * 7 + 3, True),  # the last move is (3, 3)
        ("near_last", 6 * 7 + 6, False),
        ("line1", 6 * 7 + 3, True),
        ("line1", 5 * 7 + 3, False),
        ("line2", 5 * 7 + 3, True),
        ("line34", 4 * 7 + 2, True),
        ("line34", 3 * 7 + 3 - 2, False),  # (3, 1): the second line
        ("pass_move", 49, True),
        ("pass_move", 48, False),
        ("even", 6 * 7 + 6, True),
    ],
)
def test_each_prior_rule(rule: str, point: int, holds: bool) -> None:
    board = Board.from_diagram(PRIOR_BOARD, to_play="black")
    tree = tree_with(rule, (10.0, 0.8), edge_until=0.5)
    got = tree.prior(board._c, point, last1=3 * 7 + 3)
    assert got == ((10.0, pytest.approx(8.0)) if holds else (0.0, 0.0))
    # the line rules hold early in the game only
    if rule.startswith("line") and holds:
        assert tree_with(rule, (10.0, 0.8), edge_until=0.1).prior(board._c, point) == (0.0, 0.0)


def test_the_pattern_prior_holds_on_the_heavy_playouts_shapes_only() -> None:
    """Black (to move) at the hane point: ``hane_enclosing`` (X O X above an empty centre)."""
    board = Board.from_diagram(
        """
        . . . . .
        . X O X .
        . . . . .
        . . . . .
        . . . . .
        """,
        to_play="black",
    )
    tree = tree_with("pattern", (10.0, 0.8), size=5)
    assert tree.prior(board._c, 2 * 5 + 2) == (10.0, pytest.approx(8.0))  # under the white stone
    assert tree.prior(board._c, 4 * 5 + 4) == (0.0, 0.0)  # empty surroundings: no shape
    assert UctPriors().without("pattern").pattern_table() is None


def test_tactical_priors() -> None:
    """Capture, atari escape and self-atari for the side to move.

    White B3 (2,1) and C2 (3,2) are in atari with the one liberty C3 (2,2): white C3 joins
    them to C4 and D3 with three liberties (an escape), black C3 takes both (a capture).
    White A2 (3,0) would have the one liberty A1 and capture nothing (a self-atari).
    """
    board = Board.from_diagram(
        """
        . . . . .
        . X O . .
        X O . O .
        . X O X .
        . . X . .
        """,
        to_play="white",
    )
    escape = tree_with("atari_escape", (10.0, 1.0), size=5)
    self_atari = tree_with("self_atari", (10.0, 0.0), size=5)
    capture = tree_with("capture", (10.0, 1.0), size=5)
    assert escape.prior(board._c, 2 * 5 + 2) == (10.0, 10.0)
    assert escape.prior(board._c, 4 * 5 + 4) == (0.0, 0.0)
    assert self_atari.prior(board._c, 3 * 5 + 0) == (10.0, 0.0)
    assert self_atari.prior(board._c, 4 * 5 + 4) == (0.0, 0.0)
    assert capture.prior(board._c, 2 * 5 + 2) == (0.0, 0.0)  # white captures nothing there
    board.to_play = "black"
    assert capture.prior(board._c, 2 * 5 + 2) == (10.0, 10.0)
    assert capture.prior(board._c, 4 * 5 + 4) == (0.0, 0.0)


def test_pattern_hook_and_code() -> None:
    board = Board.from_diagram(
        """
        . O .
        X . .
        . . .
        """,
        to_play="black",
    )
    # the centre, from black's view: NW . N O NE . W X E . SW . S . SE .
    code = uct.UctTree.pattern_code(board._c, 4, B)
    assert code == (2 << 2) | (1 << 6)
    assert uct.UctTree.pattern_code(board._c, 4, W) == (1 << 2) | (2 << 6)
    # the corner A3 (0,0): NW N NE W SW off the board, E O, S X, SE .
    corner = uct.UctTree.pattern_code(board._c, 0, B)
    assert corner == 3 | 3 << 2 | 3 << 4 | 3 << 6 | 2 << 8 | 3 << 10 | 1 << 12
    table = np.zeros((uct.N_PAT3, 2), dtype=np.float32)
    table[code] = (7.0, 1.0)
    tree = tree_with("even", (0.0, 0.5), size=3, pat3=table)
    assert tree.prior(board._c, 4) == (7.0, 7.0)
    assert tree.prior(board._c, 8) == (0.0, 0.0)


# ------------------------------------------------------------------ tree invariants after searches


def random_position(size: int, moves: list[int]) -> Board:
    board = Board(size, komi=0.5)
    for m in moves:
        legal = board.sensible_moves()
        if legal.size == 0:
            break
        board.play(int(legal[m % legal.size]))
    return board


@settings(max_examples=12, deadline=None)
@given(
    size=st.integers(3, 7),
    moves=st.lists(st.integers(0, 10_000), max_size=12),
    shared=st.booleans(),
    expand_after=st.integers(0, 3),
    sims=st.integers(1, 300),
)
def test_tree_invariants_after_threaded_search(
    size: int, moves: list[int], shared: bool, expand_after: int, sims: int
) -> None:
    """After searches on two threads (one shared tree, or one tree each), every node has
    as many visits as ended there plus its children's, no virtual loss is left, and every
    win count is within its visits."""
    board = random_position(size, moves)
    trees = [uct.UctTree(size, shared=shared, expand_after=expand_after, vloss=2.0) for _ in range(2)]
    for t in trees:
        UctPriors().apply(t)
        t.reset(board._c, 0.5)
    if shared:
        trees[0].reserve(2 * sims)
    own = [np.zeros(size * size), np.zeros(size * size)]

    def run(i: int) -> None:
        trees[0 if shared else i].search(sims, 17 + i, own[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for t in trees[:1] if shared else trees:
        t.check()
        root = t.stats()
        assert root["visits"] == (2 * sims if shared else sims)
        ch = root["children"]
        assert ch["visits"].sum() == root["visits"] - root["leaf_visits"]
        assert (ch["wins"] <= ch["visits"]).all() and (ch["amaf_wins"] <= ch["amaf_visits"]).all()
    assert np.abs(own[0]).max() <= sims


# black E3 (2, 4) takes three white stones
CAPTURE = """
. . . . .
. X X X .
X O O O .
. X X X .
. . . . .
"""


def test_shared_and_root_parallel_players_agree_on_a_capture() -> None:
    board = Board.from_diagram(CAPTURE, komi=0.5)
    for parallel in ("root", "shared"):
        player = UctPlayer(playouts=1500, threads=2, parallel=parallel)
        decision = player.genmove(board, "black", SearchLimits())
        assert decision.move == 2 * 5 + 4, parallel
        for tree in player._trees:
            tree.check()
        player.close()


# ------------------------------------------------------------------ the player


def test_player_captures_and_saves() -> None:
    capture = Board.from_diagram(CAPTURE, komi=0.5)
    assert UctPlayer(playouts=1000).genmove(capture, "black", SearchLimits()).move == 2 * 5 + 4
    save = Board.from_diagram(
        """
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . O O O O O . . .
        O X X X X X . . .
        . O O O O O . . .
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        """,
        komi=7.5,
    )
    for priors in (UctPriors(), UctPriors().without(*uct.PRIOR_RULES)):
        decision = UctPlayer(playouts=2000, priors=priors).genmove(save, "black", SearchLimits())
        assert decision.move == 4 * 9 + 6


def test_pv_stops_where_visits_run_out() -> None:
    board = Board(5, komi=0.5)
    player = UctPlayer(playouts=400, pv_min_visits=2, priors=UctPriors().without("pattern"))
    analysis = player.search(board, SearchLimits(playouts=400))
    tree = player._trees[0]
    assert analysis.moves and analysis.moves[0].visits >= analysis.moves[-1].visits
    for ms in analysis.moves:
        pv = list(ms.pv)
        assert pv[0] == ms.move
        for k in range(1, len(pv)):
            assert tree.stats(pv[: k + 1])["visits"] >= 2
        end = tree.stats(pv)
        if end["expanded"]:
            assert end["children"]["visits"].max() < 2
    assert any(len(ms.pv) > 2 for ms in analysis.moves)
    assert any(len(ms.pv) == 1 for ms in analysis.moves)
    # the policy is a distribution over the root moves; the ownership is in range
    assert analysis.policy[analysis.policy >= 0].sum() == pytest.approx(1.0)
    own = player.ownership()
    assert own.shape == (5, 5) and np.abs(own).max() <= 1.0


def test_tree_reuse_keeps_the_subtree() -> None:
    board = Board(7, komi=0.5)
    player = UctPlayer(playouts=3000)
    first = player.genmove(board, "black", SearchLimits()).move
    tree = player._trees[0]
    replies = tree.stats([first])["children"]
    reply = int(replies["move"][np.argmax(replies["visits"])])
    kept = tree.stats([first, reply])
    assert kept["visits"] >= 2
    board.play(first)
    board.play(reply)
    assert player._trees_for(board)[0] is tree
    root = tree.stats()
    assert root["visits"] == kept["visits"]
    assert sorted(by_move(root["children"], "visits").items()) == sorted(
        by_move(kept["children"], "visits").items()
    )
    tree.check()
    # a position that does not follow starts a new tree
    assert player._trees_for(Board(7, komi=0.5))[0] is not tree


def test_passes_only_when_passing_wins() -> None:
    # black has the whole board; white passed: black passes (the count wins)
    board = Board.from_diagram(
        """
        . X . X .
        X X X X X
        . X . X .
        X X X X X
        . X . X .
        """,
        komi=0.5,
        to_play="white",
    )
    board.play("pass")
    assert UctPlayer(playouts=200).genmove(board, "black", SearchLimits()).move == board.pass_move
    # white has no legal move but pass (every empty point is black's eye)
    assert UctPlayer(playouts=200).genmove(board, "white", SearchLimits()).move == board.pass_move


def test_any_size_and_arena_select() -> None:
    from seigen.engine.games import GoGame

    for size in (2, 13, 25):
        game = GoGame(Board(size, komi=0.5))
        (move,) = UctPlayer(playouts=64).select([game])
        assert 0 <= move <= size * size


# ------------------------------------------------------------------ guidance by a net (the hybrid player)


def test_guide_adds_the_policy_as_virtual_wins_and_marks_the_node() -> None:
    """3x3 (points 0-8, pass 9): sqrt(q) * eqex virtual visits, all won, for each move the
    policy gives q >= min_p; the value goes to the guided node itself."""
    board = Board(3, komi=0.5)
    tree = uct.UctTree(3)
    tree.reset(board._c, 0.5)
    assert tree.frontier(32, 10) == [(0, [])]  # the root at once, whatever its visits
    before = tree.stats()["children"]
    policy = np.zeros(10, dtype=np.float32)
    policy[4], policy[0], policy[9] = 0.64, 0.0005, 0.25
    tree.add_guide(0, policy, 10.0)
    after = tree.stats()["children"]
    added_n = {
        m: a - b for m, a, b in zip(after["move"], after["prior_visits"], before["prior_visits"], strict=True)
    }
    added_w = {
        m: a - b for m, a, b in zip(after["move"], after["prior_wins"], before["prior_wins"], strict=True)
    }
    assert added_n[4] == pytest.approx(8.0) and added_w[4] == pytest.approx(8.0)
    assert added_n[9] == pytest.approx(5.0) and added_w[9] == pytest.approx(5.0)
    assert all(added_n[m] == 0 for m in (0, 1, 2, 3, 5, 6, 7, 8))  # 0 is below min_p
    assert tree.guided() and tree.frontier(0, 10) == []

    # a child with enough visits joins the frontier; its value goes into its own prior
    assert tree.expand_path([4]) == 9
    for result in (1.0, 1.0, 0.0):
        tree.backup_path([4], [0] * 9, result)
    ((node, path),) = tree.frontier(3, 10)
    assert path == [4] and tree.frontier(4, 10) == []
    tree.add_guide(node, np.full(10, 0.1, dtype=np.float32), 0.0, value=0.25, value_eqex=4.0)
    ch = tree.stats()["children"]
    k = int(np.flatnonzero(ch["move"] == 4)[0])
    assert ch["prior_visits"][k] == pytest.approx(after["prior_visits"][k] + 4.0)
    assert ch["prior_wins"][k] == pytest.approx(after["prior_wins"][k] + 1.0)
    assert tree.guided([4]) and not tree.guided([4, 0]) and tree.guided([0, 4]) is None
    tree.check()

    # the mark survives tree reuse: the new root is not guided twice
    assert tree.advance(4)
    assert tree.guided() and tree.frontier(0, 10) == []

    for bad, match in (
        (lambda: tree.add_guide(999, policy, 1.0), "not an expanded node"),
        (lambda: tree.add_guide(0, policy[:5], 1.0), "10 entries"),
        (lambda: tree.add_guide(0, policy, -1.0), "negative"),
    ):
        with pytest.raises(ValueError, match=match):
            bad()


def test_frontier_takes_the_most_visited_and_skips_pruned_moves() -> None:
    board = Board(3, komi=0.5)
    tree = uct.UctTree(3)
    tree.reset(board._c, 0.5)
    tree.add_guide(0, np.zeros(10, dtype=np.float32), 0.0)
    for point, visits in ((0, 2), (4, 5), (8, 3)):
        tree.expand_path([point])
        for _ in range(visits):
            tree.backup_path([point], [0] * 9, 1.0)
    assert [path for _, path in tree.frontier(2, 10)] == [[4], [8], [0]]
    assert [path for _, path in tree.frontier(2, 2)] == [[4], [8]]
    assert [path for _, path in tree.frontier(3, 10)] == [[4], [8]]
    allowed = np.ones(10, dtype=np.uint8)
    allowed[4] = 0
    tree.restrict_root(allowed)
    assert [path for _, path in tree.frontier(2, 10)] == [[8], [0]]


class FavouringNet:
    """A stand-in policy-value net that gives one move all the probability (a test of how
    the search uses a net, not of a net)."""

    def __init__(self, favour: int) -> None:
        self.favour = favour
        self.batches: list[int] = []

    def __call__(self, features: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        assert features.shape[1:] == (17, 7, 7) and legal.shape == (len(features), 50)
        self.batches.append(len(features))
        logits = np.zeros(legal.shape, dtype=np.float32)
        logits[:, self.favour] = 20.0
        return logits, np.zeros(len(features), dtype=np.float32)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_guiding_net_steers_the_search(threads: int) -> None:
    """Every net-guided tree gets the root's policy (one evaluation per position however
    many trees hold it); a net sure of the 1-1 point makes the player play it, which the
    player alone never does; the search stays reproducible and the trees sound."""
    board = Board(7, komi=0.5)
    limits = SearchLimits(playouts=3000)
    alone = UctPlayer(playouts=3000, threads=threads).genmove(board, "black", limits).move
    assert alone != 0
    net = FavouringNet(0)
    guide = GuideConfig(eqex=500.0, min_visits=16, per_round=4, chunk=200)
    player = UctPlayer(playouts=3000, threads=threads, net=net, game={"size": 7}, guide=guide)
    assert player.board_size == 7
    assert player.genmove(board, "black", limits).move == 0
    assert net.batches[0] == 1  # the root alone, once for every tree
    assert max(net.batches) <= 4 and player.guide_stats["nodes"] == sum(net.batches) > 1
    assert player.guide_stats["rounds"] == len(net.batches)
    for tree in player._trees:
        assert tree.guided()
        ch = tree.stats()["children"]
        assert ch["prior_visits"][ch["move"] == 0][0] >= 500.0
        tree.check()
    runs = [
        UctPlayer(playouts=3000, threads=threads, net=FavouringNet(0), game={"size": 7}, guide=guide).search(
            board, limits
        )
        for _ in range(2)
    ]
    assert [(m.move, m.visits) for m in runs[0].moves] == [(m.move, m.visits) for m in runs[1].moves]
    with pytest.raises(ValueError, match="plays 7x7 only"):
        player.genmove(Board(9), "black", limits)


def test_a_slow_net_keeps_to_its_share_of_a_timed_search() -> None:
    """By time, a round of guidance waits while the net has had more than ``share`` of the
    time searched: only the last round can take it past that share."""
    import time

    class SlowNet(FavouringNet):
        def __call__(self, features: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            time.sleep(0.05)
            return super().__call__(features, legal)

    net = SlowNet(0)
    player = UctPlayer(net=net, game={"size": 7}, guide=GuideConfig(share=0.2, chunk=100, min_visits=4))
    start = time.perf_counter()
    player.search(Board(7, komi=0.5), SearchLimits(seconds=1.0))
    elapsed = time.perf_counter() - start
    stats = player.guide_stats
    assert 2 <= stats["rounds"] < 1.0 / 0.05
    assert stats["seconds"] <= 0.2 * elapsed + stats["seconds"] / stats["rounds"] + 0.05


def test_guide_settings_from_the_command_line() -> None:
    g = GuideConfig().with_settings(["eqex=20", "min-visits=64", "value_eqex=5", "per_round=8"])
    assert (g.eqex, g.min_visits, g.value_eqex, g.per_round) == (20.0, 64, 5.0, 8)
    for bad in ("eqex", "bogus=1", "min_visits=1.5", "eqex=-1", "chunk=0", "eqex=inf", "share=1.5"):
        with pytest.raises(ValueError, match="guide setting"):
            GuideConfig().with_settings([bad])
