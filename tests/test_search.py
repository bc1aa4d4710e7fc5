"""Batched MCTS: tiny trees checked by hand and against a plain reference MCTS.

The reference (``reference_mcts``) is a few lines of recursive, one-leaf-at-a-time
PUCT written from the AlphaZero formulas, independent of the C tree; with one leaf per
tree per pass the batched search must visit exactly what it visits.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from seigen.engine.games import ConnectFour, GoGame, TicTacToe
from seigen.engine.search import (
    BatchedSearch,
    MixedEvaluator,
    NetEvaluator,
    RolloutEvaluator,
    SearchConfig,
    UniformEvaluator,
    gumbel_schedule,
)


def _pseudo(key: bytes, salt: int) -> float:
    """A deterministic number in [-1, 1) from a position's bytes."""
    h = hash((key, salt)) & 0xFFFFFFFF
    return h / 2**31 - 1.0


class ScriptedEvaluator:
    """Deterministic logits and values from each position's features (a fake network)."""

    needs_features = True
    rollouts = 0

    def __init__(self, value_scale: float = 0.8) -> None:
        self.value_scale = value_scale
        self.calls = 0

    def logits_value(self, feats: np.ndarray, num_actions: int) -> tuple[np.ndarray, float]:
        key = feats.astype(np.uint8).tobytes()
        logits = np.array([2 * _pseudo(key, a) for a in range(num_actions)], dtype=np.float32)
        return logits, float(np.float32(self.value_scale * _pseudo(key, -1)))

    def __call__(self, features, legal_mask, rollout_values=None):
        self.calls += 1
        out = [self.logits_value(f, legal_mask.shape[1]) for f in features]
        return np.stack([o[0] for o in out]), np.array([o[1] for o in out], dtype=np.float32)


def reference_mcts(game, evaluator: ScriptedEvaluator, visits: int, cfg: SearchConfig) -> dict[int, int]:
    """Plain PUCT, one simulation at a time; returns root visits per action."""
    a_n = game.num_actions

    class Node:
        def __init__(self, prior: float) -> None:
            self.n = 0
            self.w = 0.0  # from the view of the player who moved into this node
            self.prior = prior
            self.children: dict[int, Node] | None = None
            self.terminal_value: float | None = None

    def evaluate(g) -> tuple[dict[int, float], float]:
        logits, value = evaluator.logits_value(g.features(), a_n)
        legal = np.flatnonzero(g.legal_mask())
        x = logits[legal].astype(np.float32)
        p = np.exp(x - x.max()).astype(np.float32)
        p = p / np.float32(p.sum())
        return {int(a): float(pa) for a, pa in zip(legal, p, strict=True)}, value

    def simulate(node: Node, g) -> float:
        """Returns the value for the side to move at ``node``."""
        if node.terminal_value is not None:
            v = node.terminal_value
        elif g.is_terminal():
            r = g.returns()
            v = r if g.to_play == 0 else -r
            node.terminal_value = v
        elif node.children is None:
            priors, v = evaluate(g)
            node.children = {a: Node(p) for a, p in priors.items()}
        else:
            parent_n = max(node.n - 1, 1)
            c = cfg.c_puct + (
                math.log((1 + parent_n + cfg.c_puct_base) / cfg.c_puct_base) if cfg.c_puct_base else 0
            )
            fpu = -node.w / node.n - cfg.fpu_reduction
            best, best_score = None, -1e300
            for a, ch in node.children.items():
                if ch.terminal_value is not None and ch.terminal_value < -0.5:
                    best = a  # a move that wins the game at once decides the node
                    break
                q = ch.w / ch.n if ch.n else fpu
                score = q + c * math.sqrt(parent_n) * ch.prior / (1 + ch.n)
                if score > best_score:
                    best, best_score = a, score
            g.play(best)
            v = -simulate(node.children[best], g)
        node.n += 1
        node.w -= v
        return v

    root = Node(1.0)
    simulate(root, game.copy())  # the root's own evaluation
    for _ in range(visits):
        simulate(root, game.copy())
    return {a: ch.n for a, ch in root.children.items()}


@pytest.mark.parametrize(
    "make, visits",
    [(lambda: TicTacToe(), 300), (lambda: TicTacToe([4, 0]), 200), (lambda: ConnectFour([3, 3, 2]), 300)],
)
def test_one_leaf_per_pass_matches_reference_puct(make, visits):
    cfg = SearchConfig(visits=visits, leaves_per_tree=1, fpu_reduction=0.2, c_puct_base=500.0)
    expected = reference_mcts(make(), ScriptedEvaluator(), visits, cfg)
    search = BatchedSearch([make(), make()], ScriptedEvaluator(), cfg)
    results = search.run()
    for r in results:
        got = {a: int(r.visits[a]) for a in expected}
        assert got == expected
        assert r.visits.sum() == visits


def test_first_picks_follow_prior_then_value_by_hand():
    """Root priors 0.5/0.3/0.2 on three moves, by hand: see the comments for each pick."""

    class ThreeMoves:
        needs_features = False
        rollouts = 0

        def __call__(self, features, legal_mask, rollout_values=None):
            b, a = legal_mask.shape
            logits = np.full((b, a), -30.0, dtype=np.float32)
            logits[:, :3] = np.log([0.5, 0.3, 0.2])
            # every non-root leaf is worth +0.5 to its side to move, so -0.5 to the mover
            return logits, np.full(b, 0.5, dtype=np.float32)

    game = TicTacToe()
    cfg = SearchConfig(visits=1, leaves_per_tree=1, c_puct=1.0, c_puct_base=0.0, fpu_reduction=0.0)
    search = BatchedSearch([game], ThreeMoves(), cfg)
    # root evaluated: value +0.5 for X; all children unvisited, q = fpu = +0.5: highest prior wins -> 0
    r = search.run(visits=1)
    assert r[0].visits[0] == 1 and r[0].visits.sum() == 1
    # now N=2 at the root, parent_n = 1: child 0 scores -0.5 + 0.5/2 = -0.25;
    # child 1 scores fpu = the root's mean for X, (0.5 - 0.5) / 2 = 0, plus 0.3 / 1: 0.3 > -0.25 -> 1
    search2 = BatchedSearch([TicTacToe()], ThreeMoves(), cfg)
    r = search2.run(visits=2)
    assert list(r[0].visits[:3]) == [1, 1, 0]
    _, visits, q, prior, _ = search2.trees.root_children(0)
    assert np.allclose(sorted(prior)[-3:], [0.2, 0.3, 0.5], atol=1e-6)
    assert np.allclose(q[visits > 0], -0.5)  # the mover's view of a leaf worth +0.5 to its side to move


def test_virtual_loss_spreads_leaves_over_distinct_children():
    search = BatchedSearch([TicTacToe()], UniformEvaluator(), SearchConfig(visits=1, leaves_per_tree=4))
    search.run(visits=1)  # expands the root and one child
    search.trees.start(np.array([4], dtype=np.int32))
    n, finished = search.trees.select(4, None, search._masks, None, 0)
    assert n == 4 and finished == 0
    paths = [tuple(search.trees.leaf_path(j)[1]) for j in range(n)]
    assert len(set(paths)) == 4, paths


def test_visits_add_up_and_no_virtual_loss_is_left():
    games = [ConnectFour(), ConnectFour([3]), ConnectFour([3, 4])]
    search = BatchedSearch(games, RolloutEvaluator(), SearchConfig(visits=500, leaves_per_tree=16))
    for r in search.run():
        assert r.simulations == 500
        assert r.visits.sum() == 500
        assert abs(r.policy.sum() - 1) < 1e-6
    for i in range(len(games)):
        search.trees.check(i)
        assert search.trees.root_stats(i)[0] == 501  # root evaluation + 500 simulations


def test_dirichlet_noise_changes_only_the_root_priors():
    cfg = SearchConfig(visits=200, dirichlet_epsilon=0.5, dirichlet_alpha=0.3, seed=3)
    search = BatchedSearch([TicTacToe()], UniformEvaluator(), cfg)
    search.run()
    _, _, _, root_prior, _ = search.trees.root_children(0)
    assert not np.allclose(root_prior, 1 / 9, atol=1e-3)
    assert abs(root_prior.sum() - 1) < 1e-5
    best = int(np.argmax(search.result(0).visits))
    _, visits, _, child_prior, _ = search.trees.node_children(0, [best])
    assert visits.sum() > 0
    assert np.allclose(child_prior, 1 / 8, atol=1e-6)  # below the root: the evaluator's priors


@pytest.mark.parametrize("game_moves, winner_move", [([0, 3, 1, 4], 2), ([0, 4, 2, 5, 7], 3)])
def test_values_are_from_the_movers_view(game_moves, winner_move):
    """X (or O) to move with a win in one: the root value is near +1 for the side to move,
    and the winning child's mean is +1 from the mover's view."""
    search = BatchedSearch([TicTacToe(game_moves)], RolloutEvaluator(), SearchConfig(visits=400))
    r = search.run()[0]
    assert r.best_action == winner_move
    win = next(c for c in r.children if c.action == winner_move)
    assert win.q == 1.0
    assert r.value > 0.8


def test_a_winning_move_once_found_takes_every_visit():
    # X (8, 5) to move against O (7, 6): 2 wins at once; 0, 1, 3 and 4 also win by force, later
    search = BatchedSearch([TicTacToe([8, 7, 5, 6])], RolloutEvaluator(), SearchConfig(visits=500))
    r = search.run()[0]
    assert r.best_action == 2
    assert r.visits[2] > 0.9 * 500


def test_seed_changes_the_playouts_and_repeats_them():
    def visits(seed: int) -> np.ndarray:
        cfg = SearchConfig(visits=300, seed=seed)
        return BatchedSearch([ConnectFour()], RolloutEvaluator(), cfg).run()[0].visits

    assert np.array_equal(visits(1), visits(1))
    assert not np.array_equal(visits(1), visits(2))


def test_terminal_leaves_are_scored_without_the_evaluator():
    calls = []

    class Counting(UniformEvaluator):
        def __call__(self, features, legal_mask, rollout_values=None):
            calls.append(legal_mask.shape[0])
            return super().__call__(features, legal_mask, rollout_values)

    # X has 0 and 1 and O 3 and 4; X to move: 2 wins, the game has five empty squares
    search = BatchedSearch([TicTacToe([0, 3, 1, 4])], Counting(), SearchConfig(visits=3000))
    r = search.run()[0]
    assert r.best_action == 2
    # the tree below this root has 5 + 5*4 + ... positions; far fewer evaluations than simulations
    assert sum(calls) < 3000


def test_tree_reuse_keeps_the_played_subtree():
    search = BatchedSearch([ConnectFour()], RolloutEvaluator(), SearchConfig(visits=600, leaves_per_tree=4))
    r = search.run()[0]
    a = r.best_action
    before = search.trees.node_children(0, [a])
    n_a = int(r.visits[a])
    search.advance([a])
    assert search.games[0].history == [a]
    visits, _, _, _ = search.trees.root_stats(0)
    assert visits == n_a
    after = search.trees.root_children(0)
    for x, y in zip(before, after, strict=True):
        assert np.array_equal(x, y)
    search.trees.check(0)
    r2 = search.run()[0]
    assert r2.visits.sum() == n_a - 1 + 600


def test_without_reuse_the_tree_starts_afresh():
    search = BatchedSearch([ConnectFour()], RolloutEvaluator(), SearchConfig(visits=200, reuse_tree=False))
    a = search.run()[0].best_action
    search.advance([a])
    assert search.trees.root_stats(0)[0] == 0
    assert search.trees.node_count(0) == 1


def test_advance_refuses_an_illegal_move_and_changes_nothing():
    search = BatchedSearch([TicTacToe([4])], UniformEvaluator(), SearchConfig(visits=50))
    search.run()
    with pytest.raises(ValueError):
        search.advance([4])
    assert search.games[0].history == [4]
    assert search.trees.root_stats(0)[0] == 51


def test_finished_games_are_not_searched():
    done = TicTacToe([0, 3, 1, 4, 2])
    search = BatchedSearch([done, TicTacToe()], UniformEvaluator(), SearchConfig(visits=30))
    results = search.run()
    assert results[0] is None
    assert results[1].visits.sum() == 30


def test_temperature_samples_then_plays_the_most_visited():
    cfg = SearchConfig(visits=300, temperature_moves=2, seed=1)
    search = BatchedSearch([ConnectFour()], RolloutEvaluator(), cfg)
    r = search.run()[0]
    picks = {search.choose(r, 0) for _ in range(200)}
    assert len(picks) > 1
    assert {search.choose(r, 5) for _ in range(20)} == {r.best_action}


def test_resign_flag_follows_the_root_value():
    cfg = SearchConfig(visits=300, resign_threshold=-0.9)
    # O to move, X threatens two lines (0-1-2 and 0-3-6): every O move loses
    search = BatchedSearch([TicTacToe([0, 4, 1, 8, 3])], RolloutEvaluator(), cfg)
    r = search.run()[0]
    assert r.value < -0.9 and r.resign
    search = BatchedSearch([TicTacToe()], RolloutEvaluator(), cfg)
    assert not search.run()[0].resign


def test_gumbel_schedule_by_hand():
    # 4 candidates, 8 simulations: one visit each, then the best two get two more each
    assert list(gumbel_schedule(4, 8)) == [0, 0, 0, 0, 1, 1, 2, 2]
    assert list(gumbel_schedule(1, 3)) == [0, 1, 2]
    assert len(gumbel_schedule(16, 50)) == 50


def test_gumbel_root_spends_its_budget_on_halving_candidates_and_finds_the_win():
    cfg = SearchConfig(visits=32, gumbel=True, gumbel_considered=4, seed=0)
    search = BatchedSearch([TicTacToe([0, 3, 1, 4])], RolloutEvaluator(), cfg)
    r = search.run()[0]
    assert r.simulations == 32
    visited = np.flatnonzero(r.visits)
    assert len(visited) == 4  # exactly the sampled candidates
    assert sorted(r.visits[visited].tolist()) == [4, 4, 12, 12]  # gumbel_schedule(4, 32)
    assert abs(r.policy.sum() - 1) < 1e-6
    assert r.best_action == 2 or r.visits[2] == 0  # the win is chosen whenever it was sampled
    search.trees.check(0)


def test_gumbel_with_all_candidates_finds_the_win():
    cfg = SearchConfig(visits=40, gumbel=True, gumbel_considered=16, seed=2)
    games = [TicTacToe([0, 3, 1, 4]) for _ in range(8)]
    for r in BatchedSearch(games, RolloutEvaluator(rollouts=4), cfg).run():
        assert r.best_action == 2
        assert r.policy[2] == r.policy.max()


def test_net_and_mixed_evaluators_run_a_torch_model():
    torch = pytest.importorskip("torch")

    class Tiny(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = torch.nn.Conv2d(2, 4, 3, padding=1)
            self.policy = torch.nn.Linear(4 * 6 * 7, 7)
            self.value = torch.nn.Linear(4 * 6 * 7, 1)

        def forward(self, x):
            h = torch.relu(self.body(x)).flatten(1)
            return self.policy(h), torch.tanh(self.value(h)).squeeze(1)

    torch.manual_seed(0)
    net = NetEvaluator(Tiny(), device="cpu", cache_size=10_000)
    search = BatchedSearch([ConnectFour() for _ in range(4)], net, SearchConfig(visits=100))
    results = search.run()
    assert all(r.visits.sum() == 100 for r in results)
    assert net.hits > 0  # four identical games: the cache answers three of them
    mixed = MixedEvaluator(NetEvaluator(Tiny(), device="cpu"), lam=1.0, rollouts=2)
    feats = np.stack([ConnectFour().features()])
    mask = np.ones((1, 7), dtype=np.uint8)
    _, v = mixed(feats, mask, rollout_values=np.array([0.25], dtype=np.float32))
    assert v[0] == pytest.approx(0.25)
    r = BatchedSearch([ConnectFour([3, 3, 4, 4, 5, 5])], mixed, SearchConfig(visits=200)).run()[0]
    assert r.best_action in (2, 6)  # lam = 1: rollouts alone, which see the open three


def test_go_leaf_features_match_the_game_replayed():
    """The C search writes history planes along the path; they must equal the planes of
    the game replayed move by move (history before the root included)."""
    seen = []

    class Recorder:
        needs_features = True
        rollouts = 0

        def __init__(self) -> None:
            self.search = None

        def __call__(self, features, legal_mask, rollout_values=None):
            for j in range(features.shape[0]):
                slot, path = self.search.trees.leaf_path(j)
                seen.append((slot, path, features[j].copy(), legal_mask[j].copy()))
            b, a = legal_mask.shape
            rng = np.random.default_rng(len(seen))
            return rng.normal(size=(b, a)).astype(np.float32), np.zeros(b, dtype=np.float32)

    game = GoGame(size=5, rules="tromp-taylor")
    for m in [6, 7, 12, 8, 13, 25, 11]:
        game.play(m)
    rec = Recorder()
    search = BatchedSearch([game], rec, SearchConfig(visits=150, leaves_per_tree=4))
    rec.search = search
    search.run()
    assert len(seen) > 100
    assert max(len(p) for _, p, _, _ in seen) >= 3
    for _, path, feats, mask in seen:
        g = game.copy()
        for a in path:
            g.play(a)
        assert np.array_equal(feats, g.features()), path
        assert np.all(mask >= g.legal_mask())  # superko is checked later, on the way down
        assert np.array_equal(feats, g.board.features()), path


def test_go_search_never_plays_a_superko_move():
    """A ko fight under positional superko: the board's own legality check must accept
    every move the search chooses, over whole self-play games."""
    rng = np.random.default_rng(0)
    for seed in range(3):
        game = GoGame(size=5, rules="tromp-taylor", komi=0.5)
        search = BatchedSearch([game], RolloutEvaluator(), SearchConfig(visits=60, seed=seed))
        moves = 0
        while not game.is_terminal() and moves < 60:
            r = search.run()[0]
            a = search.choose(r, 0) if rng.random() < 0.5 else int(rng.choice(np.flatnonzero(r.visits)))
            assert game.board.is_legal(a), (game.history, a)
            search.advance([a])
            moves += 1


def test_go_uniform_search_runs_on_every_size():
    for n in (2, 9, 19, 25):
        r = BatchedSearch([GoGame(size=n)], UniformEvaluator(), SearchConfig(visits=50)).run()[0]
        assert r.visits.sum() == 50
        assert len(r.visits) == n * n + 1


def test_a_failing_evaluator_leaves_the_trees_usable():
    class Flaky:
        needs_features = False
        rollouts = 0

        def __init__(self) -> None:
            self.calls = 0

        def __call__(self, features, legal_mask, rollout_values=None):
            self.calls += 1
            b, a = legal_mask.shape
            value = np.full(b, np.nan if self.calls == 3 else 0.0, dtype=np.float32)
            return np.zeros((b, a), dtype=np.float32), value

    search = BatchedSearch(
        [ConnectFour(), ConnectFour([3])], Flaky(), SearchConfig(visits=200, leaves_per_tree=4)
    )
    with pytest.raises(ValueError, match="finite values"):
        search.run()
    for i in range(2):
        search.trees.check(i)  # no virtual loss or pending leaf left behind
    results = search.run()
    assert all(r.visits.sum() > 0 for r in results)


def test_config_rejects_nonsense():
    with pytest.raises(ValueError):
        SearchConfig(visits=0)
    with pytest.raises(ValueError):
        SearchConfig(dirichlet_epsilon=2.0)
    with pytest.raises(ValueError):
        BatchedSearch([TicTacToe(), ConnectFour()], UniformEvaluator())
    with pytest.raises(ValueError):
        BatchedSearch([], UniformEvaluator())
