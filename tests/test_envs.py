"""The env layer: Atari preprocessing and protocols, vector envs, Go as a PettingZoo env, single-agent games.

Known answers come from a scripted fake ALE (``FakeAtari``: every frame is one flat grey
level and a scripted reward, so the max-pooled, resized frame and the clipped reward are
known exactly) and from the real emulator (ale-py ships the ROMs), where a frame is replayed
by hand from a cloned state and pooled independently.
"""

from __future__ import annotations

import functools
import warnings

import cv2
import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pettingzoo.classic import connect_four_v3, tictactoe_v3
from pettingzoo.test import api_test, seed_test

from seigen.engine import Board
from seigen.envs import OpponentPool, SingleAgentEnv, go_env, is_atari, make_env, make_vector_env
from seigen.envs.classic import ENV_IDS, MaskedDiscrete
from seigen.envs.make import (
    MAX_EPISODE_FRAMES,
    EpisodicLife,
    SeedFirstReset,
    ended_episodes,
    episode_stats,
    play_episodes,
    sign_reward,
    vector_backend,
    wrap_atari,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def find_wrapper(env: gym.Env, cls: type) -> gym.Env | None:
    while isinstance(env, gym.Wrapper):
        if isinstance(env, cls):
            return env
        env = env.env
    return None


# ---------------------------------------------------------------- a scripted fake ALE


class FakeALE:
    def __init__(self, game: FakeAtari) -> None:
        self.game = game

    def lives(self) -> int:
        return self.game.lives_left

    def getScreenGrayscale(self, out: np.ndarray) -> None:
        out[...] = self.game.level(self.game.frame)


class FakeAtari(gym.Env):
    """Frame ``t`` is a flat screen of ``level(t)``; every frame gives reward ``frame_reward``.

    A life is lost every ``life_every`` frames (3 lives); the game ends with the last one.
    """

    metadata = {"render_modes": []}  # noqa: RUF012

    def __init__(self, frame_reward: float = 5.0, life_every: int = 40) -> None:
        self.observation_space = gym.spaces.Box(0, 255, (210, 160, 3), np.uint8)
        self.action_space = gym.spaces.Discrete(4)
        self._frameskip = 1
        self.ale = FakeALE(self)
        self.frame_reward = frame_reward
        self.life_every = life_every
        self.frame = 0
        self.total_frames = 0
        self.lives_left = 3
        self.resets = 0

    @staticmethod
    def level(t: int) -> int:
        return (t * 97) % 251  # not monotonic: max(previous, last) often differs from the last

    def get_action_meanings(self) -> list[str]:
        return ["NOOP", "FIRE", "RIGHT", "LEFT"]

    def _obs(self) -> np.ndarray:
        return np.full((210, 160, 3), self.level(self.frame), np.uint8)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.frame = 0
        self.lives_left = 3
        self.resets += 1
        return self._obs(), {"lives": self.lives_left}

    def step(self, action):
        self.frame += 1
        self.total_frames += 1
        if self.frame % self.life_every == 0:
            self.lives_left -= 1
        terminated = self.lives_left == 0
        return self._obs(), self.frame_reward, terminated, False, {"lives": self.lives_left}


def test_is_atari() -> None:
    assert is_atari("ALE/Pong-v5") and is_atari("BreakoutNoFrameskip-v4")
    assert not is_atari("CartPole-v1") and not is_atari("seigen/Go-v0")


def test_fake_atari_max_pools_the_last_two_frames_and_stacks_four() -> None:
    fake = FakeAtari()
    env = wrap_atari(fake, training=False)
    obs, _ = env.reset(seed=3)
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    assert env.observation_space.shape == (4, 84, 84) and env.observation_space.dtype == np.uint8
    start = fake.frame
    assert 1 <= start <= 30  # no-op start
    assert np.all(obs == obs[-1])  # the stack is padded with the reset frame
    pooled_differs = 0
    for k in range(1, 6):
        prev = obs
        obs, *_ = env.step(2)
        t = start + 4 * k
        assert fake.frame == t  # frame skip 4
        want = max(FakeAtari.level(t - 1), FakeAtari.level(t))
        assert np.all(obs[-1] == want), (k, obs[-1, 0, 0], want)
        pooled_differs += want != FakeAtari.level(t)
        assert np.array_equal(obs[:-1], prev[1:])  # the stack shifts by one frame
    assert pooled_differs > 0  # the script really tells max-pooling from the last frame


def test_reward_clipping_only_for_training_and_the_episode_return_is_the_real_score() -> None:
    for training, step_reward in ((True, 1.0), (False, 20.0)):
        env = wrap_atari(FakeAtari(frame_reward=5.0, life_every=10_000), training=training)
        env.reset(seed=0)
        for _ in range(3):
            _, r, *_ = env.step(0)
            assert r == step_reward  # 4 frames x 5
    # episode statistics see the unclipped rewards
    fake = FakeAtari(frame_reward=-2.0, life_every=20)
    env = wrap_atari(fake, training=True, protocol="machado")
    env.reset(seed=0)
    start = fake.frame  # the no-op frames are not part of the recorded episode
    rewards, steps = [], 0
    while True:
        _, r, terminated, truncated, info = env.step(0)
        rewards.append(r)
        steps += 1
        if terminated or truncated:
            break
    assert set(rewards) == {-1.0}
    assert fake.frame == 60  # machado: the three lives are one episode
    assert info["episode"]["l"] == steps
    assert info["episode"]["r"] == pytest.approx(-2.0 * (60 - start))  # unclipped
    assert sign_reward(7.0) == 1.0 and sign_reward(-0.5) == -1.0 and sign_reward(0.0) == 0.0


def test_dqn2015_training_ends_episodes_at_lost_lives_without_restarting_the_game() -> None:
    fake = FakeAtari(frame_reward=1.0, life_every=40)  # longer than the no-op start
    env = wrap_atari(fake, training=True, protocol="dqn2015")
    assert find_wrapper(env, EpisodicLife) is not None
    env.reset(seed=0)
    start = fake.frame
    ends = []
    for _ in range(60):
        _, _, terminated, truncated, info = env.step(0)
        if terminated or truncated:
            ends.append((fake.lives_left, "episode" in info))
            if fake.lives_left == 0:
                break
            env.reset()
    assert [lives for lives, _ in ends] == [2, 1, 0]
    assert [has for _, has in ends] == [False, False, True]  # statistics only for the whole game
    assert fake.resets == 1  # a lost life does not restart the game
    assert info["episode"]["r"] == pytest.approx(120 - start)  # the whole game, unclipped
    # evaluation (and the machado protocol) never signal a lost life
    assert find_wrapper(wrap_atari(FakeAtari(), training=False, protocol="dqn2015"), EpisodicLife) is None
    assert find_wrapper(wrap_atari(FakeAtari(), training=True, protocol="machado"), EpisodicLife) is None


# ---------------------------------------------------------------- real ALE games


@pytest.fixture(scope="module")
def pong() -> gym.Env:
    env = make_env("ALE/Pong-v5", seed=0)()
    yield env
    env.close()


def test_atari_machado_protocol_on_pong(pong: gym.Env) -> None:
    obs, _ = pong.reset()
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    pre = find_wrapper(pong, gym.wrappers.AtariPreprocessing)
    assert pre is not None
    assert (pre.frame_skip, pre.noop_max, pre.screen_size) == (4, 30, (84, 84))
    assert pre.grayscale_obs and not pre.scale_obs and not pre.terminal_on_life_loss
    ale_env = pong.unwrapped
    assert ale_env._frameskip == 1  # the wrapper repeats actions; the emulator must not
    assert ale_env.ale.getFloat("repeat_action_probability") == pytest.approx(0.25)
    assert ale_env.ale.getInt("max_num_frames_per_episode") == MAX_EPISODE_FRAMES == 108_000
    assert pong.action_space.n == 6  # the minimal action set
    assert find_wrapper(pong, gym.wrappers.TransformReward) is not None  # training=True clips
    assert find_wrapper(pong, EpisodicLife) is None
    # the wrappers in their order: statistics below the reward clipping
    names = []
    env = pong
    while isinstance(env, gym.Wrapper):
        names.append(type(env).__name__)
        env = env.env
    assert (
        names.index("TransformReward")
        < names.index("RecordEpisodeStatistics")
        < names.index("AtariPreprocessing")
    )


def test_atari_dqn2015_protocol_and_options() -> None:
    env = make_env("ALE/Breakout-v5", protocol="dqn2015", training=False, full_action_space=True)()
    assert env.unwrapped.ale.getFloat("repeat_action_probability") == 0.0
    assert env.action_space.n == 18
    assert find_wrapper(env, gym.wrappers.TransformReward) is None
    assert find_wrapper(env, EpisodicLife) is None
    env.close()
    train = make_env("ALE/Breakout-v5", protocol="dqn2015")()
    assert find_wrapper(train, EpisodicLife) is not None
    train.close()
    with pytest.raises(ValueError, match="protocol"):
        make_env("ALE/Pong-v5", protocol="nature")


def test_atari_pooling_replayed_by_hand_on_breakout() -> None:
    env = make_env("ALE/Breakout-v5", protocol="dqn2015", training=False)()  # no sticky actions
    env.reset(seed=1)
    ale, action_set = env.unwrapped.ale, env.unwrapped._action_set
    screen = np.empty((210, 160), np.uint8)
    differs = 0
    for k in range(12):
        a = (1, 2, 3)[k % 3]
        state = ale.cloneState()
        obs, *_ = env.step(a)
        ale.restoreState(state)
        frames = []
        for _ in range(4):
            ale.act(action_set[a])
            ale.getScreenGrayscale(screen)
            frames.append(screen.copy())
        pooled = cv2.resize(np.maximum(frames[2], frames[3]), (84, 84), interpolation=cv2.INTER_AREA)
        assert np.array_equal(obs[-1], pooled)
        differs += not np.array_equal(obs[-1], cv2.resize(frames[3], (84, 84), interpolation=cv2.INTER_AREA))
    assert differs > 0
    env.close()


def test_atari_frame_cap_truncates_and_records_the_real_return() -> None:
    env = make_env("ALE/Pong-v5", seed=0, max_num_frames_per_episode=400)()
    env.reset()
    steps = 0
    while True:
        _, _, terminated, truncated, info = env.step(env.action_space.sample())
        steps += 1
        if terminated or truncated:
            break
    assert truncated and not terminated
    assert info["episode_frame_number"] == 400
    assert info["episode"]["l"] == steps
    env.close()


def test_atari_check_env(pong: gym.Env) -> None:
    check_env(pong, skip_render_check=True)


# ---------------------------------------------------------------- classic control, vector envs


def test_make_env_is_a_seeded_thunk() -> None:
    thunk = make_env("CartPole-v1", seed=7)
    assert callable(thunk)
    a, b = thunk(), thunk()
    assert find_wrapper(a, gym.wrappers.RecordEpisodeStatistics) is not None
    assert find_wrapper(a, SeedFirstReset) is not None
    obs_a, _ = a.reset()
    obs_b, _ = b.reset()
    assert np.array_equal(obs_a, obs_b)
    assert np.array_equal(obs_a, gym.make("CartPole-v1").reset(seed=7)[0])
    check_env(thunk(), skip_render_check=True)


def test_box2d_when_installed() -> None:
    pytest.importorskip("Box2D")
    env = make_env("LunarLander-v3", seed=0)()
    obs, _ = env.reset()
    assert obs.shape == (8,)
    check_env(env, skip_render_check=True)


@pytest.mark.parametrize("asynchronous", [False, True])
def test_vector_env_same_step_autoreset(asynchronous: bool) -> None:
    envs = make_vector_env("CartPole-v1", 3, seed=10, asynchronous=asynchronous)
    try:
        assert envs.metadata["autoreset_mode"] == gym.vector.AutoresetMode.SAME_STEP
        obs, _ = envs.reset()
        for i in range(3):  # env i seeded seed + i
            assert np.allclose(obs[i], gym.make("CartPole-v1").reset(seed=10 + i)[0])
        finished = 0
        for _ in range(200):
            prev = obs
            obs, _, terminated, truncated, infos = envs.step(np.ones(3, dtype=np.int64))  # always push right
            done = terminated | truncated
            if done.any():
                assert infos["_final_obs"].tolist() == done.tolist()
                for i in np.flatnonzero(done):
                    final = infos["final_obs"][i]
                    assert final.shape == (4,) and not np.allclose(final, obs[i])
                    assert abs(final[0] - prev[i][0]) < 0.1  # continues the old episode
                    assert np.all(np.abs(obs[i]) <= 0.05)  # the reset observation
                    assert infos["final_info"]["episode"]["l"][i] > 0
                finished += int(done.sum())
        assert finished >= 3
    finally:
        envs.close()


class Uneven(gym.Env):
    """Episodes of one step and return 0 when first seeded with an even seed, ten steps and return 1 with an odd one."""

    def __init__(self, render_mode: str | None = None) -> None:
        self.observation_space = gym.spaces.Box(0.0, 1.0, (1,), np.float32)
        self.action_space = gym.spaces.Discrete(2)
        self.long = None
        self.t = 0

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if self.long is None:
            self.long = seed % 2 == 1
        self.t = 0
        return np.zeros(1, np.float32), {}

    def step(self, action):
        self.t += 1
        done = self.t >= (10 if self.long else 1)
        return np.zeros(1, np.float32), float(done and self.long), done, False, {}


gym.register("SeigenUneven-v0", entry_point=Uneven)


def test_play_episodes_gives_each_env_a_fixed_share_so_short_episodes_are_not_favoured() -> None:
    envs = make_vector_env(
        "SeigenUneven-v0", 2, seed=0
    )  # env 0: short episodes worth 0; env 1: long, worth 1
    seen: list[tuple[int, float]] = []
    try:
        returns = play_episodes(
            envs,
            lambda obs, infos: np.zeros(len(obs), dtype=np.int64),
            5,
            seed=0,
            on_episode=lambda k, ret: seen.append((k, ret)),
        )
    finally:
        envs.close()
    # env 0 ends ten episodes before env 1 ends one: the first five to end would all be 0
    assert returns == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert [k for k, _ in seen] == [1, 2, 3, 4, 5] and sorted(r for _, r in seen) == sorted(returns)
    with pytest.raises(ValueError, match="episodes"):
        play_episodes(make_vector_env("SeigenUneven-v0", 1), lambda o, i: np.zeros(1, np.int64), 0)


def test_ended_episodes_name_the_env_and_vector_backend_says_which_ran() -> None:
    envs = make_vector_env("CartPole-v1", 2, seed=3)
    try:
        envs.reset()
        ended: list[tuple[int, float, int]] = []
        while len(ended) < 2:
            _, _, _, _, infos = envs.step(np.ones(2, dtype=np.int64))
            ended += ended_episodes(infos)
            assert [(r, n) for _, r, n in ended_episodes(infos)] == episode_stats(infos)
        assert {i for i, _, _ in ended} <= {0, 1} and all(r == n for _, r, n in ended)  # CartPole: 1 a step
        assert vector_backend(envs) == "gymnasium"
    finally:
        envs.close()


# ---------------------------------------------------------------- Go as a PettingZoo env


@pytest.mark.parametrize("size", [5, 9])
def test_go_env_passes_pettingzoo_api_and_seed_tests(size: int) -> None:
    api_test(go_env.env(size=size), num_cycles=1000)
    seed_test(functools.partial(go_env.env, size=size), num_cycles=500)


@pytest.mark.parametrize("rules", ["tromp-taylor", "japanese", "nz"])
def test_go_env_presets_and_truncation(rules: str) -> None:
    api_test(go_env.env(size=7, rules=rules, komi=0.5, max_moves=20), num_cycles=100)
    env = go_env.raw_env(size=7, rules=rules, max_moves=20)
    assert env.rules.scoring == "area"
    env.reset(seed=0)
    for _ in range(20):  # every move a stone: no two passes
        mask = env.observe(env.agent_selection)["action_mask"]
        env.step(int(np.flatnonzero(mask[:-1])[0]))
    assert all(env.truncations.values()) and not any(env.terminations.values())
    assert env.rewards == {"black_0": 0.0, "white_0": 0.0}


def test_go_env_spaces_and_default_cap() -> None:
    env = go_env.raw_env(size=9)
    assert env.max_moves == 2 * 81
    assert env.observation_space("black_0")["observation"].shape == (9, 9, 17)
    assert env.observation_space("white_0")["action_mask"].shape == (82,)
    assert env.action_space("black_0").n == 82
    with pytest.raises(ValueError):
        go_env.raw_env(size=1)
    with pytest.raises(ValueError):
        go_env.raw_env(size=5, rules="klingon")


def play_random_go(size: int, seed: int, rules: str = "chinese", komi: float | None = None):
    """A random game to its end; after every move the observations are checked against a mirror Board."""
    rng = np.random.default_rng(seed)
    env = go_env.raw_env(size=size, rules=rules, komi=komi, max_moves=10_000)
    env.reset(seed=seed)
    mirror = Board(size, rules=env.rules)
    n = size * size
    while not any(env.terminations.values()):
        agent = env.agent_selection
        assert agent == ("black_0" if mirror.to_play == "black" else "white_0")
        obs = env.observe(agent)
        assert np.array_equal(obs["action_mask"], mirror.legal_mask())
        assert np.array_equal(obs["observation"], np.moveaxis(mirror.features(), 0, -1))
        other = env.observe("white_0" if agent == "black_0" else "black_0")
        assert not other["action_mask"].any()
        feats = mirror.features()
        assert np.array_equal(other["observation"][..., :8], np.moveaxis(feats[8:16], 0, -1))
        assert np.array_equal(other["observation"][..., 8:16], np.moveaxis(feats[:8], 0, -1))
        assert np.all(other["observation"][..., 16] == (1.0 if agent == "white_0" else 0.0))
        legal = np.flatnonzero(obs["action_mask"][:n])
        # pass rarely while the board is open, so games end by two passes with real territory
        action = n if len(legal) == 0 or rng.random() < 0.05 else int(rng.choice(legal))
        mirror.play(action)
        env.step(action)
    return env, mirror


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    size=st.integers(2, 7),
    seed=st.integers(0, 2**31 - 1),
    rules=st.sampled_from(["chinese", "tromp-taylor", "aga"]),
    komi=st.sampled_from([None, 0.0, 2.5]),
)
def test_go_env_rewards_match_board_score(size: int, seed: int, rules: str, komi: float | None) -> None:
    env, mirror = play_random_go(size, seed, rules, komi)
    assert mirror.is_over
    score = mirror.score()
    assert env.infos["black_0"]["score"] == score
    want = float(np.sign(score))
    assert env.rewards == {"black_0": want, "white_0": -want}
    assert env._cumulative_rewards["black_0"] + env._cumulative_rewards["white_0"] == 0.0
    assert not any(env.truncations.values())


def test_go_env_illegal_move_loses_under_the_wrapper() -> None:
    env = go_env.env(size=5)
    env.reset(seed=0)
    env.step(12)
    env.step(12)  # white plays on black's stone
    assert all(env.terminations.values())
    assert env.rewards["white_0"] == -1


# ---------------------------------------------------------------- single-agent view of two-player games

GAME_FNS = {
    "tictactoe": tictactoe_v3.env,
    "connect_four": connect_four_v3.env,
    "go5": functools.partial(go_env.env, size=5),
}


@pytest.mark.parametrize("game", list(GAME_FNS))
def test_single_agent_env_passes_check_env(game: str) -> None:
    for side in ("first", "second", "random"):
        env = SingleAgentEnv(GAME_FNS[game], seed=0, learner_side=side)
        check_env(env, skip_render_check=True)
        assert isinstance(env.action_space, MaskedDiscrete)


@pytest.mark.parametrize("env_id", list(ENV_IDS.values()))
def test_registered_ids_pass_check_env(env_id: str) -> None:
    check_env(gym.make(env_id).unwrapped, skip_render_check=True)
    check_env(make_env(env_id, seed=1)(), skip_render_check=True)


def test_registered_go_vector_env_batches_masks() -> None:
    envs = make_vector_env("seigen/Go-v0", 2, seed=0, size=5)
    obs, infos = envs.reset()
    assert obs.shape == (2, 5, 5, 17) and infos["action_mask"].shape == (2, 26)
    for _ in range(5):
        actions = np.array([np.flatnonzero(m[:-1])[0] for m in infos["action_mask"]])
        obs, _, _, _, infos = envs.step(actions)
    envs.close()


def test_opponent_moves_inside_step_and_masks_are_respected() -> None:
    seen = []

    def first_legal(obs: dict) -> int:
        seen.append(obs["action_mask"].copy())
        return int(np.flatnonzero(obs["action_mask"])[0])

    env = SingleAgentEnv(tictactoe_v3.env, opponent=first_legal, learner_side="first", seed=0)
    obs, info = env.reset()
    assert obs.sum() == 0 and info["action_mask"].tolist() == [1] * 9
    obs, reward, terminated, truncated, info = env.step(4)
    assert obs.sum() == 2  # the learner's mark and the opponent's reply
    assert obs[..., 0].sum() == 1 and obs[..., 1].sum() == 1  # plane 0: the learner's marks
    assert info["action_mask"].sum() == 7 and info["action_mask"][4] == 0 and info["action_mask"][0] == 0
    assert len(seen) == 1 and seen[0][4] == 0
    with pytest.raises(ValueError, match="illegal"):
        env.step(4)
    with pytest.raises(ValueError, match="illegal"):
        env.step(9)
    while True:
        legal = np.flatnonzero(info["action_mask"])
        obs, reward, terminated, truncated, info = env.step(int(legal[-1]))
        if terminated or truncated:
            break
    assert reward in (-1.0, 0.0, 1.0) and terminated and not truncated
    with pytest.raises(RuntimeError):
        env.step(0)


def test_rewards_are_from_the_learners_view() -> None:
    # squares 0 1 2 make a line, and so do 0 3 6
    def scripted(moves):
        it = iter(moves)
        return lambda obs: next(it)

    win = SingleAgentEnv(tictactoe_v3.env, opponent=scripted([3, 6]), learner_side="first", seed=0)
    win.reset()
    assert win.step(0)[1:3] == (0.0, False)
    assert win.step(1)[1:3] == (0.0, False)
    _, reward, terminated, *_ = win.step(2)
    assert (reward, terminated) == (1.0, True)

    lose = SingleAgentEnv(tictactoe_v3.env, opponent=scripted([0, 1, 2]), learner_side="second", seed=0)
    _, info = lose.reset()
    assert info["action_mask"][0] == 0  # the opponent opened
    lose.step(3)
    _, reward, terminated, *_ = lose.step(4)
    assert (reward, terminated) == (-1.0, True)  # the opponent completed a column inside step


def test_go_single_agent_end_reward_matches_board_score() -> None:
    env = SingleAgentEnv(functools.partial(go_env.env, size=5), learner_side="second", seed=3)
    env.reset()
    total = 0.0
    while True:
        mask = env.unwrapped._mask
        action = 25 if mask[:25].sum() == 0 or env.np_random.random() < 0.1 else env.action_space.sample()
        _, reward, terminated, truncated, _ = env.step(action)
        total += reward
        if terminated or truncated:
            break
    board = env.aec.unwrapped.board
    if terminated:
        assert total == -float(np.sign(board.score()))  # the learner is white
    else:
        assert total == 0.0


def test_opponent_pool_samples_past_selves() -> None:
    pool = OpponentPool(max_size=3)
    with pytest.raises(ValueError):
        pool.sample(np.random.default_rng(0))
    env = SingleAgentEnv(connect_four_v3.env, opponent=pool, learner_side="first", seed=0)
    env.reset()
    assert env.opponent_policy == env._random_move  # an empty pool plays at random

    used = []

    def snapshot(k: int):
        def policy(obs: dict) -> int:
            used.append(k)
            return int(np.flatnonzero(obs["action_mask"])[k % 2])

        return policy

    selves = [snapshot(k) for k in range(5)]
    for s in selves:
        pool.add(s)
    assert len(pool) == 3 and pool.policies == selves[2:]  # the oldest dropped
    drawn = set()
    for ep in range(40):
        env.reset(seed=ep)
        drawn.add(selves.index(env.opponent_policy))
        used.clear()
        env.step(0)
        assert set(used) == {selves.index(env.opponent_policy)}  # one self per episode
    assert drawn == {2, 3, 4}
    with pytest.raises(TypeError):
        pool.add("not a policy")


def test_masked_discrete_samples_legal_actions() -> None:
    legal = np.zeros(9, np.int8)
    legal[[2, 5]] = 1
    space = MaskedDiscrete(9, legal, seed=0)
    assert {int(space.sample()) for _ in range(50)} == {2, 5}
    assert space.contains(0)  # legality is the env's business
    legal[:] = 0
    assert 0 <= space.sample() < 9


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    side=st.sampled_from(["first", "second", "random"]),
    game=st.sampled_from(["tictactoe", "connect_four"]),
)
def test_random_episodes_keep_the_single_agent_contract(seed: int, side: str, game: str) -> None:
    env = SingleAgentEnv(GAME_FNS[game], learner_side=side, seed=seed)
    obs, info = env.reset()
    first = env.learner == env.agents[0]
    # the learner always moves with the same number of own and opponent marks (or one fewer own)
    stones = obs[..., 0].sum(), obs[..., 1].sum()
    assert stones == ((0, 0) if first else (0, 1))
    steps = 0
    while True:
        mask = info["action_mask"]
        assert mask.dtype == np.int8 and mask.any()
        obs, reward, terminated, truncated, info = env.step(env.action_space.sample())
        steps += 1
        own, opp = int(obs[..., 0].sum()), int(obs[..., 1].sum())
        assert own == steps
        if terminated or truncated:
            assert reward in (-1.0, 0.0, 1.0)
            assert opp in (own - 1, own) if first else opp in (own, own + 1)
            break
        assert reward == 0.0
        assert opp == (own if first else own + 1)
    # the same seed, the same side and opening
    env2 = SingleAgentEnv(GAME_FNS[game], learner_side=side, seed=seed)
    obs2, _ = env2.reset()
    assert env2.learner == env.learner
    assert np.array_equal(obs2, env.reset(seed=seed)[0])


def test_single_agent_env_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        SingleAgentEnv(tictactoe_v3.env, opponent="greedy")
    with pytest.raises(ValueError):
        SingleAgentEnv(tictactoe_v3.env, learner_side="middle")
    with pytest.raises(TypeError):
        SingleAgentEnv(tictactoe_v3.env, opponent=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError):
            gym.make("seigen/TicTacToe-v0", render_mode="human")
