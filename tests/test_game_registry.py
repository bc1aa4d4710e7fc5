"""The registry of games (``seigen.engine.games.GAMES``): its entries agree with the games they
make, every name switch left elsewhere agrees with it, and a new game is one entry plus its rules."""

from __future__ import annotations

import typing

import numpy as np
import pytest

from seigen.engine import arena
from seigen.engine.games import (
    GAMES,
    GameSpec,
    PettingZooGame,
    game_spec,
    make_game,
    register_game,
    resolve,
    symmetries,
    unregister_game,
)
from seigen.engine.search import BatchedSearch, SearchConfig, UniformEvaluator

BUILTIN = ("tictactoe", "connect4", "go")
SIZES = {"tictactoe": [9], "connect4": [9], "go": [5, 9, 19]}


def _random_moves(game, plies: int, rng: np.random.Generator) -> list[int]:
    moves = []
    while len(moves) < plies and not game.is_terminal():
        a = int(rng.choice(game.legal_actions()))
        game.play(a)
        moves.append(a)
    return moves


# ---------------------------------------------------------------------- the three games


def test_the_registry_lists_the_three_games_in_order():
    assert tuple(GAMES)[:3] == BUILTIN
    for name in BUILTIN:
        assert GAMES[name].name == name and game_spec(name) is GAMES[name]
    assert [n for n in BUILTIN if GAMES[n].sized] == ["go"]


@pytest.mark.parametrize("name", BUILTIN)
def test_shapes_and_action_counts_match_the_games(name):
    spec = game_spec(name)
    for size in SIZES[name]:
        game = make_game(name, size=size)
        assert game.legal_mask().shape == (spec.actions(size),)
        assert game.features().shape == spec.shape(size)
        assert (game.num_actions, tuple(game.feature_shape)) == (spec.actions(size), spec.shape(size))


@pytest.mark.parametrize("name", BUILTIN)
def test_symmetries_map_positions_and_legal_masks_to_their_images(name):
    """Replaying the moves' images gives the image of the features and of the legal mask."""
    rng = np.random.default_rng(1)
    size = 5
    transforms = symmetries(name, size)
    assert len(transforms) == (2 if name == "connect4" else 8)
    k0, flip0, perm0 = transforms[0]
    assert (k0, flip0) == (0, False) and np.array_equal(perm0, np.arange(len(perm0)))
    for _ in range(4):
        game = make_game(name, size=size)
        moves = _random_moves(game, int(rng.integers(0, 8)), rng)
        mask = game.legal_mask()
        for k, flip, perm in transforms:
            assert sorted(perm.tolist()) == list(range(game_spec(name).actions(size)))
            image = make_game(name, size=size)
            for a in moves:
                image.play(int(perm[a]))
            moved = np.rot90(np.flip(game.features(), -1) if flip else game.features(), k, (-2, -1))
            assert np.array_equal(image.features(), moved)
            assert np.array_equal(image.legal_mask()[perm], mask)


@pytest.mark.parametrize("name", BUILTIN)
def test_the_pettingzoo_env_of_each_game_has_its_shape(name):
    spec = game_spec(name)
    env = resolve(spec.pettingzoo)
    adapter = PettingZooGame((lambda: env(size=5)) if spec.sized else env)
    size = 5 if spec.sized else 9
    assert (adapter.num_actions, adapter.feature_shape) == (spec.actions(size), spec.shape(size))


def test_the_solvers_resolve_and_solve_tic_tac_toe():
    assert game_spec("go").solver is None
    assert callable(resolve(game_spec("connect4").solver))
    values = resolve(game_spec("tictactoe").solver)(())
    assert sorted(values) == list(range(9)) and set(values.values()) == {0}  # every first move draws


def test_the_name_lists_elsewhere_agree_with_the_registry():
    """The lists kept literal (for tyro's --help, or to parse a config without loading the core)."""
    from seigen.agents.agent import DQN_GAMES
    from seigen.agents.dqn_config import BOARD_GAMES
    from seigen.envs.classic import ENV_IDS, game_fn
    from seigen.scripts import configs
    from seigen.selfplay.config import GameName, SelfPlayConfig

    gym_ids = {spec.gym_id: spec.name for spec in GAMES.values() if spec.gym_id}
    assert set(BOARD_GAMES) == set(ENV_IDS.values()) == set(gym_ids)
    assert gym_ids == DQN_GAMES
    for env_name, gym_id in ENV_IDS.items():  # envs.classic names games as PettingZoo does (connect_four)
        ref = game_spec(gym_ids[gym_id]).pettingzoo
        assert ref is not None
        assert type(game_fn(env_name)().unwrapped) is type(resolve(ref)().unwrapped)
    assert typing.get_args(GameName) == BUILTIN
    assert typing.get_type_hints(SelfPlayConfig)["game"] == GameName
    for config in (configs.BenchSelfPlayConfig, configs.BenchScalingConfig, configs.BenchAgentsConfig):
        names = set(typing.get_args(typing.get_type_hints(config)["game"])) - {"all", "auto"}
        assert names == set(BUILTIN), config.__name__
    assert dict(arena.OPENING_PLIES) == {"tictactoe": 2, "connect4": 2, "go": 4}


def test_an_unknown_game_is_a_clear_error():
    message = "unknown game 'chess'; expected one of tictactoe, connect4, go"
    for call in (
        lambda: game_spec("chess"),
        lambda: make_game("chess"),
        lambda: symmetries("chess"),
        lambda: arena.new_game("chess"),
    ):
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(KeyError):
        arena.OPENING_PLIES["chess"]
    with pytest.raises(ValueError, match="already registered"):
        register_game(GAMES["go"])
    with pytest.raises(ValueError, match="Go board size must be 2 to 25, got 30"):
        make_game("go", size=30)


# ---------------------------------------------------------------------- a new game: one entry plus its rules


class Pile:
    """Take 1 (action 0) or 2 (action 1) stones from a pile; whoever takes the last stone wins.

    The rules of a toy game in plain Python, with the interface of ``seigen.engine.games``
    (a ``Game`` wraps a C ``NativeGame``; a Python game is driven like ``PettingZooGame``).
    Features ``[1, 1, 5]``: one cell per stone left.
    """

    num_actions = 2
    feature_shape = (1, 1, 5)

    def __init__(self, stones: int = 5) -> None:
        self.stones = stones
        self.history: list[int] = []

    @property
    def to_play(self) -> int:
        return len(self.history) % 2

    def legal_mask(self) -> np.ndarray:
        mask = np.zeros(2, dtype=np.uint8)
        mask[: min(2, self.stones)] = 1
        return mask

    def legal_actions(self) -> np.ndarray:
        return np.flatnonzero(self.legal_mask())

    def play(self, action: int) -> None:
        action = int(action)
        if not (0 <= action < 2) or not self.legal_mask()[action]:
            raise ValueError(f"illegal action {action}")
        self.stones -= action + 1
        self.history.append(action)

    def is_terminal(self) -> bool:
        return self.stones == 0

    def returns(self) -> float:
        if not self.is_terminal():
            raise ValueError("the game is not over")
        return 1.0 if len(self.history) % 2 == 1 else -1.0  # the first player took the last stone

    def features(self) -> np.ndarray:
        out = np.zeros(self.feature_shape, dtype=np.float32)
        out[0, 0, : self.stones] = 1.0
        return out

    def rollout(self, seed: int) -> float:
        rng = np.random.default_rng(seed)
        g = self.copy()
        while not g.is_terminal():
            g.play(int(rng.choice(g.legal_actions())))
        return g.returns() if self.to_play == 0 else -g.returns()

    def copy(self) -> Pile:
        other = Pile(self.stones)
        other.history = list(self.history)
        return other


@pytest.fixture
def pile():
    """The whole of adding a game: one registry entry (removed again after the test)."""
    spec = register_game(GameSpec("pile", make=lambda **_: Pile(), feature_shape=(1, 1, 5), num_actions=2))
    yield spec
    unregister_game("pile")
    assert "pile" not in GAMES


def test_a_registered_game_is_made_by_name(pile):
    game = make_game("pile")
    assert isinstance(game, Pile) and game.legal_mask().shape == (pile.actions(),)
    assert game.features().shape == pile.shape()
    (k, flip, perm), *rest = symmetries("pile")
    assert not rest and (k, flip) == (0, False) and perm.tolist() == [0, 1]
    assert arena.OPENING_PLIES["pile"] == 2
    with pytest.raises(ValueError, match="expected one of tictactoe, connect4, go, pile"):
        game_spec("chess")


def test_a_registered_game_plays_in_the_arena(pile):
    from seigen.agents.agent import RandomAgent, SearchAgent

    outcome = arena.play_match(RandomAgent(0), RandomAgent(1), "pile", games=8, opening_moves=1)
    assert outcome.games == 8 and outcome.draws == 0 and not outcome.interrupted
    assert all(moves[0] == outcome.moves[2 * (i // 2)][0] for i, moves in enumerate(outcome.moves))
    search = SearchAgent(UniformEvaluator(), visits=100, name="search")
    outcome = arena.play_match(search, RandomAgent(2), "pile", games=8)
    # the first player wins by leaving a multiple of 3: the search never misses it
    assert all(r == 1.0 for r, first in zip(outcome.results, outcome.a_first, strict=True) if first)


def test_a_registered_game_is_searched(pile):
    games = [make_game("pile") for _ in range(3)]
    search = BatchedSearch(games, UniformEvaluator(), SearchConfig(visits=200))
    results = search.run()
    assert [r.best_action for r in results] == [1, 1, 1]  # take 2, leave 3
    search.advance([1, 1, 1])
    assert [g.stones for g in games] == [3, 3, 3]
