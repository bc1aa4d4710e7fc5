"""The replay buffer against known answers and against a naive reference that keeps every transition whole.

The reference (``Recorder``) stores each ``add`` call as given and computes the n-step return, discount,
bootstrap observation and mask of every transition by walking its episode; the buffer must give the same,
exactly for observations (so frame stacks rebuilt from de-duplicated frames must equal what
gymnasium's FrameStackObservation produced).
"""

from __future__ import annotations

from typing import ClassVar

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from gymnasium.wrappers import FrameStackObservation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seigen.agents.replay import (
    ReplayBuffer,
    load_replay,
    min_tree_set,
    save_replay,
    sum_tree_find,
    sum_tree_set,
)

GAMMA = 0.9


# ---------------------------------------------------------------------------- the naive reference
class Recorder:
    """Forwards ``add`` to the buffer and keeps every call whole."""

    def __init__(self, rb: ReplayBuffer):
        self.rb = rb
        self.steps: list[dict[str, np.ndarray]] = []
        self.episode_start: list[np.ndarray] = []  # per step: the step at which each env's episode began
        self._start = np.zeros(rb.num_envs, dtype=np.int64)

    def add(self, obs, actions, rewards, terminated, truncated, next_obs, next_masks=None) -> None:
        step = {
            "obs": np.array(obs),
            "actions": np.array(actions),
            "rewards": np.array(rewards, dtype=np.float64),
            "terminated": np.array(terminated, dtype=bool),
            "truncated": np.array(truncated, dtype=bool),
            "next_obs": np.array(next_obs),
            "next_masks": None if next_masks is None else np.array(next_masks),
        }
        self.steps.append(step)
        self.episode_start.append(self._start.copy())
        k = len(self.steps) - 1
        done = step["terminated"] | step["truncated"]
        self._start[done] = k + 1
        self.rb.add(obs, actions, rewards, terminated, truncated, next_obs, next_masks)

    def expected(self, k: int, e: int) -> dict | None:
        """The transition of step k in env e, or None while its n steps are not all stored."""
        n, T = self.rb.n_step, len(self.steps)
        ret, m, terminal = 0.0, 0, False
        for i in range(n):
            if k + i >= T:
                return None
            s = self.steps[k + i]
            ret += GAMMA**i * s["rewards"][e]
            m = i + 1
            if s["terminated"][e] or s["truncated"][e]:
                terminal = bool(s["terminated"][e])
                break
        last = self.steps[k + m - 1]
        return {
            "obs": self.steps[k]["obs"][e],
            "action": self.steps[k]["actions"][e],
            "return": ret,
            "discount": 0.0 if terminal else GAMMA**m,
            "next_obs": last["next_obs"][e],
            "next_mask": None if last["next_masks"] is None else last["next_masks"][e],
        }

    def expected_valid(self) -> dict[int, tuple[int, int]]:
        """flat index -> (step, env) of every transition the buffer must be able to sample."""
        rb, T = self.rb, len(self.steps)
        R, E, fs = rb.rows, rb.num_envs, rb.frame_stack
        out = {}
        for k in range(max(0, T - R), T):
            for e in range(E):
                oldest_frame_needed = max(k - (fs - 1), int(self.episode_start[k][e]))
                if oldest_frame_needed >= T - R and self.expected(k, e) is not None:
                    out[(k % R) * E + e] = (k, e)
        return out

    def check(self) -> int:
        """Compare every sampleable transition with the reference; returns how many there are."""
        rb = self.rb
        expected = self.expected_valid()
        valid = rb.valid_indices()
        assert sorted(expected) == valid.tolist()
        if rb.prioritized:  # exactly the valid transitions have a priority
            leaves = rb._sum_tree[len(rb._sum_tree) // 2 :][: rb.capacity]
            assert np.flatnonzero(leaves > 0).tolist() == valid.tolist()
        if len(valid) == 0:
            with pytest.raises(ValueError, match="no transition"):
                rb.sample(4)
            return 0
        self.compare(rb.get(valid), expected)
        self.compare(rb.sample(64, beta=0.5), expected)
        return len(valid)

    def compare(self, batch, expected: dict[int, tuple[int, int]]) -> None:
        B = len(batch.indices)
        assert batch.obs.shape == (B, *self.rb.obs_shape) == batch.next_obs.shape
        assert batch.obs.dtype == self.rb.obs_dtype
        assert batch.actions.dtype == np.int64 and batch.indices.dtype == np.int64
        assert batch.returns.dtype == batch.discounts.dtype == batch.weights.dtype == np.float32
        for b, flat in enumerate(batch.indices):
            assert int(flat) in expected, f"sampled an invalid index {flat}"
            want = self.expected(*expected[int(flat)])
            np.testing.assert_array_equal(batch.obs[b], want["obs"])
            assert batch.actions[b] == want["action"]
            assert batch.returns[b] == pytest.approx(want["return"], rel=1e-5, abs=1e-5)
            assert batch.discounts[b] == pytest.approx(want["discount"], rel=1e-6)
            if want["discount"] > 0:
                np.testing.assert_array_equal(batch.next_obs[b], want["next_obs"])
            if want["next_mask"] is None:
                assert batch.next_masks is None
            else:
                np.testing.assert_array_equal(batch.next_masks[b], want["next_mask"] != 0)


# ---------------------------------------------------------------------------- a fake env with distinct frames
class FakeEnv(gym.Env):
    """Frames that are all different (env id and a running counter are written into them); episodes of the
    given (length, "term" | "trunc") in turn."""

    metadata: ClassVar[dict] = {"render_modes": []}

    def __init__(self, env_id: int, episodes: list[tuple[int, str]], shape: tuple[int, ...] = (84, 84)):
        self.env_id = env_id
        self.episodes = episodes
        self.shape = shape
        self.observation_space = gym.spaces.Box(0, 255, shape, np.uint8)
        self.action_space = gym.spaces.Discrete(4)
        self.count = 0
        self.episode = -1

    def _frame(self) -> np.ndarray:
        self.count += 1
        c = self.count
        f = np.full(self.shape, (c * 37 + self.env_id * 101) % 256, dtype=np.uint8)
        f.flat[0], f.flat[1], f.flat[2] = self.env_id, c % 256, c // 256
        return f

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.episode += 1
        self.t = 0
        self.length, self.kind = self.episodes[self.episode % len(self.episodes)]
        return self._frame(), {}

    def step(self, action):
        self.t += 1
        end = self.t >= self.length
        reward = float(self.count % 7) - 3.0 + 0.25 * int(action)
        return self._frame(), reward, end and self.kind == "term", end and self.kind == "trunc", {}


def run_vector_env(rec: Recorder, episodes: list[list[tuple[int, str]]], steps: int, shape, seed: int = 0):
    """Drive FrameStackObservation(FakeEnv) envs in a SAME_STEP vector env into the recorder."""
    fs = rec.rb.frame_stack
    venv = SyncVectorEnv(
        [lambda i=i: FrameStackObservation(FakeEnv(i, episodes[i], shape), fs) for i in range(len(episodes))],
        autoreset_mode=AutoresetMode.SAME_STEP,
    )
    rng = np.random.default_rng(seed)
    obs, _ = venv.reset(seed=seed)
    for _ in range(steps):
        actions = rng.integers(4, size=len(episodes))
        nxt, rewards, term, trunc, infos = venv.step(actions)
        real = nxt.copy()
        if "_final_obs" in infos:
            for i in np.flatnonzero(infos["_final_obs"]):
                real[i] = infos["final_obs"][i]
        rec.add(obs, actions, rewards, term, trunc, real)
        obs = nxt
    venv.close()


# ---------------------------------------------------------------------------- n-step known answers
# One env: episode A (obs 0..3) terminates, episode B (obs 10..12) is truncated with final obs 99,
# episode C (obs 20, 21) goes on. The reset obs after B is 20: the bootstrap must be 99, not 20.
TRAJ = [  # obs, reward, terminated, truncated, next_obs
    (0, 1, 0, 0, 1),
    (1, 2, 0, 0, 2),
    (2, 3, 0, 0, 3),
    (3, 4, 1, 0, 50),
    (10, 10, 0, 0, 11),
    (11, 20, 0, 0, 12),
    (12, 30, 0, 1, 99),
    (20, 5, 0, 0, 21),
    (21, 6, 0, 0, 22),
]

# step: (return, discount, next obs or None when not bootstrapped)
N1 = {
    0: (1, 0.9, 1),
    1: (2, 0.9, 2),
    2: (3, 0.9, 3),
    3: (4, 0.0, None),
    4: (10, 0.9, 11),
    5: (20, 0.9, 12),
    6: (30, 0.9, 99),
    7: (5, 0.9, 21),
    8: (6, 0.9, 22),
}
N3 = {
    0: (1 + 0.9 * 2 + 0.81 * 3, 0.729, 3),
    1: (2 + 0.9 * 3 + 0.81 * 4, 0.0, None),  # terminated within the 3 steps: no bootstrap
    2: (3 + 0.9 * 4, 0.0, None),
    3: (4, 0.0, None),
    4: (10 + 0.9 * 20 + 0.81 * 30, 0.729, 99),  # truncated at the third step: bootstrap from the final obs
    5: (20 + 0.9 * 30, 0.81, 99),  # truncated after 2 steps: shorter return, gamma^2
    6: (30, 0.9, 99),
    # steps 7 and 8 wait for their third step
}


def add_traj(rb: ReplayBuffer, env_traj: list[list[tuple]]) -> None:
    for step in zip(*env_traj, strict=True):
        o, r, te, tr, no = (np.array(x) for x in zip(*step, strict=True))
        rb.add(o[:, None].astype(np.float32), np.arange(len(step)), r, te, tr, no[:, None].astype(np.float32))


@pytest.mark.parametrize(("n", "table"), [(1, N1), (3, N3)])
@pytest.mark.parametrize("prioritized", [False, True])
def test_n_step_known_answers(n, table, prioritized):
    rb = ReplayBuffer(16, (1,), n_step=n, gamma=GAMMA, prioritized=prioritized)
    add_traj(rb, [TRAJ])
    assert len(rb) == len(TRAJ)
    assert rb.valid_indices().tolist() == sorted(table)
    batch = rb.get(np.array(sorted(table)))
    for b, k in enumerate(sorted(table)):
        ret, disc, nxt = table[k]
        assert batch.obs[b, 0] == TRAJ[k][0]
        assert batch.returns[b] == pytest.approx(ret, rel=1e-6)
        assert batch.discounts[b] == pytest.approx(disc, rel=1e-6)
        if nxt is not None:
            assert batch.next_obs[b, 0] == nxt
    assert np.all(batch.weights == 1)


def test_two_envs_interleaved_never_mix():
    # env 1: shifted obs, other rewards and episode ends; env 0 must give exactly the single-env answers
    ends = {1: "term", 5: "trunc"}
    follow = [o for o, *_ in TRAJ[1:]] + [22]
    other = [
        (
            1000 + o,
            -r,
            int(ends.get(k) == "term"),
            int(ends.get(k) == "trunc"),
            2000 + k if k in ends else 1000 + f,
        )
        for k, ((o, r, *_), f) in enumerate(zip(TRAJ, follow, strict=True))
    ]
    rb = ReplayBuffer(32, (1,), num_envs=2, n_step=3, gamma=GAMMA)
    rec = Recorder(rb)
    for a, b in zip(TRAJ, other, strict=True):
        o, r, te, tr, no = (np.array(x) for x in zip(a, b, strict=True))
        rec.add(o[:, None].astype(np.float32), [0, 1], r, te, tr, no[:, None].astype(np.float32))
    rec.check()
    env0 = rb.valid_indices()[rb.valid_indices() % 2 == 0]
    batch = rb.get(env0)
    assert (env0 // 2).tolist() == sorted(N3)
    for b, k in enumerate(sorted(N3)):
        assert batch.returns[b] == pytest.approx(N3[k][0], rel=1e-6)
        assert batch.discounts[b] == pytest.approx(N3[k][1], rel=1e-6)
    big = rb.sample(512)  # env 1's observations are >= 1000, env 0's < 1000, in obs and next_obs alike
    env1 = big.indices % 2 == 1
    assert np.all((big.obs[:, 0] >= 1000) == env1)
    boot = big.discounts > 0
    assert np.all((big.next_obs[boot, 0] >= 1000) == env1[boot])


# ---------------------------------------------------------------------------- frame de-duplication
EPISODES = [
    [(5, "term"), (2, "trunc"), (1, "term"), (7, "trunc"), (1, "trunc"), (3, "term")],
    [(3, "trunc"), (6, "term"), (2, "term"), (1, "trunc"), (4, "trunc")],
]


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("capacity", [400, 30])  # no wrap, and wrapped many times
def test_frame_stacks_rebuilt_exactly(n, capacity):
    rb = ReplayBuffer(capacity, (4, 84, 84), np.uint8, num_envs=2, frame_stack=4, n_step=n, gamma=GAMMA)
    rec = Recorder(rb)
    run_vector_env(rec, EPISODES, steps=120, shape=(84, 84))
    assert any(s["truncated"].any() for s in rec.steps) and any(s["terminated"].any() for s in rec.steps)
    count = rec.check()
    # all but the few newest (n-step window open) and oldest (stack overwritten) transitions can be sampled
    assert count >= len(rb) - rb.num_envs * (n - 1 + rb.frame_stack - 1)


def test_frame_stack_memory_is_one_frame_per_transition():
    capacity = 5000
    naive = capacity * 4 * 84 * 84  # obs stacks stored whole (and next_obs not at all)
    for prioritized in (False, True):
        rb = ReplayBuffer(capacity, (4, 84, 84), np.uint8, num_envs=4, frame_stack=4, prioritized=prioritized)
        assert naive / 4 <= rb.nbytes <= 1.02 * naive / 4
    flat = ReplayBuffer(capacity, (4, 84, 84), np.uint8, num_envs=4, frame_stack=1)
    assert flat.nbytes >= naive


def test_wrap_around_keeps_everything_consistent():
    rb = ReplayBuffer(10, (1,), num_envs=2, n_step=3, gamma=GAMMA, prioritized=True)
    rec = Recorder(rb)
    rng = np.random.default_rng(3)
    o = np.array([[0.0], [1000.0]], dtype=np.float32)
    for k in range(57):
        te, tr = rng.random(2) < 0.15, rng.random(2) < 0.15
        nxt = o + 1  # the episode goes on: next step's obs; it ends: the final obs, then a reset obs
        final = np.where((te | tr)[:, None], nxt + 0.5, nxt).astype(np.float32)
        rec.add(o, [k % 3, k % 5], rng.normal(size=2), te, tr, final)
        o = np.where((te | tr)[:, None], nxt + 0.25, nxt).astype(np.float32)
        if k >= 5:
            rec.check()
            assert len(rb) == 10
    # only the last 5 steps remain
    steps = {rec.expected_valid()[i][0] for i in rb.valid_indices()}
    assert min(steps) >= 57 - 5


# ---------------------------------------------------------------------------- masks
def test_masks_round_trip_next_masks_belong_to_next_obs():
    def mask_of(value: float) -> np.ndarray:
        return ((int(value) >> np.arange(5)) & 1).astype(np.int8)

    for n in (1, 2):
        rb = ReplayBuffer(64, (3,), num_envs=2, n_step=n, gamma=GAMMA, mask_dim=5)
        rec = Recorder(rb)
        rng = np.random.default_rng(n)
        values = np.array([1.0, 2.0])
        for _ in range(40):
            nxt = rng.integers(32, size=2).astype(np.float64)
            te, tr = rng.random(2) < 0.2, rng.random(2) < 0.2
            obs = np.repeat(values[:, None], 3, axis=1)
            next_obs = np.repeat(nxt[:, None], 3, axis=1)
            rec.add(obs, [0, 1], [1.0, 2.0], te, tr, next_obs, np.stack([mask_of(v) for v in nxt]))
            values = np.where(te | tr, rng.integers(32, size=2), nxt)  # reset obs after an end
        rec.check()
        batch = rb.get(rb.valid_indices())
        assert batch.next_masks.dtype == bool and batch.next_masks.shape == (len(batch.indices), 5)
        for b in range(len(batch.indices)):  # including terminal steps, whose final obs is not stored
            want = rec.expected(*rec.expected_valid()[int(batch.indices[b])])
            np.testing.assert_array_equal(batch.next_masks[b], mask_of(want["next_obs"][0]) != 0)
    with pytest.raises(ValueError, match="next_masks"):
        rb.add(np.zeros((2, 3)), [0, 0], [0, 0], [0, 0], [0, 0], np.zeros((2, 3)))
    no_masks = ReplayBuffer(8, (3,))
    no_masks.add(np.zeros((1, 3)), [0], [0], [0], [0], np.zeros((1, 3)))
    assert no_masks.sample(2).next_masks is None


# ---------------------------------------------------------------------------- prioritized replay
def test_tree_kernels():
    sums = np.zeros(16)
    mins = np.full(16, np.inf)
    leaves = np.array([0, 1, 2, 3, 4], dtype=np.int64)
    values = np.array([1.0, 0.0, 2.0, 3.0, 0.0])
    sum_tree_set(sums, leaves, values)
    min_tree_set(mins, leaves, np.where(values > 0, values, np.inf))
    assert sums[1] == 6.0 and mins[1] == 1.0
    found = sum_tree_find(sums, np.array([0.0, 0.5, 0.999, 1.0, 2.999, 3.0, 5.999, 6.0, 7.0]))
    assert found.tolist() == [0, 0, 0, 2, 2, 3, 3, 3, 3]  # zero leaves are never found, even past the total
    sum_tree_set(sums, np.array([0, 7], dtype=np.int64), np.array([0.0, 0.5]))
    min_tree_set(mins, np.array([0, 7], dtype=np.int64), np.array([np.inf, 0.5]))
    assert sums[1] == 5.5 and mins[1] == 0.5
    assert sum_tree_find(sums, np.array([0.0, 5.0, 5.4])).tolist() == [2, 7, 7]


def filled_prioritized(n_transitions: int, **kw) -> ReplayBuffer:
    rb = ReplayBuffer(n_transitions, (1,), prioritized=True, seed=1, **kw)
    for k in range(n_transitions):
        rb.add([[k]], [k], [0.0], [False], [False], [[k + 1]])
    assert rb.valid_indices().tolist() == list(range(n_transitions))
    return rb


def test_sampling_is_proportional_to_priority():
    td = np.array([0.1, 0.5, 1.0, 2.0, 3.0, 0.0, 4.0, 0.2])
    rb = filled_prioritized(8)
    rb.update_priorities(np.arange(8), td)
    p = (td + 1e-6) ** 0.6
    expected = p / p.sum()
    draws = 200_000
    counts = np.bincount(np.concatenate([rb.sample(2000).indices for _ in range(draws // 2000)]), minlength=8)
    chi2 = ((counts - draws * expected) ** 2 / (draws * expected)).sum()
    assert chi2 < 40.5  # df = 7, p = 1e-6
    uniform = np.full(8, 1 / 8)  # the test has the power to reject a wrong distribution
    assert ((counts - draws * uniform) ** 2 / (draws * uniform)).sum() > 1000
    assert counts[5] < 100  # |td| = 0 keeps only eps ** alpha


def test_importance_weights_and_max_priority():
    rb = filled_prioritized(3, alpha=1.0, eps=0.0)
    assert np.all(rb.sample(16, beta=0.5).weights == 1)  # new transitions all at priority 1
    rb.update_priorities(np.array([0, 1, 2]), np.array([1.0, -3.0, 7.0]))  # |td|
    batch = rb.sample(256, beta=0.5)
    # w_i = (N P(i)) ** -beta / max_j (N P(j)) ** -beta with N = 3, P = [1, 3, 7] / 11
    P = np.array([1, 3, 7]) / 11
    w = (3 * P) ** -0.5 / ((3 * P) ** -0.5).max()
    np.testing.assert_allclose(w, [1, 1 / np.sqrt(3), 1 / np.sqrt(7)])
    np.testing.assert_allclose(batch.weights, w[batch.indices], rtol=1e-6)
    assert set(batch.indices.tolist()) == {0, 1, 2}
    np.testing.assert_allclose(rb.sample(64, beta=0.0).weights, 1.0)
    # a new transition gets the largest priority so far (7), and overwrites the oldest slot in a full buffer
    rb.add([[9]], [9], [0.0], [False], [False], [[10]])
    leaves = rb._sum_tree[len(rb._sum_tree) // 2 :][:3]
    assert leaves.tolist() == [7.0, 3.0, 7.0]
    # default alpha and eps
    rb = filled_prioritized(2)
    rb.update_priorities(np.array([1]), np.array([-2.0]))
    assert rb._sum_tree[len(rb._sum_tree) // 2 + 1] == pytest.approx((2 + 1e-6) ** 0.6)


def test_sample_before_anything_is_sampleable_raises():
    for prioritized in (False, True):
        rb = ReplayBuffer(8, (1,), n_step=3, prioritized=prioritized)
        with pytest.raises(ValueError, match="no transition"):
            rb.sample(4)
        rb.add([[0]], [0], [0.0], [False], [False], [[1]])
        with pytest.raises(ValueError, match="no transition"):
            rb.sample(4)
        rb.add([[1]], [0], [0.0], [True], [False], [[2]])  # the episode's end completes both windows
        assert sorted(set(rb.sample(32).indices.tolist())) == [0, 1]


# ---------------------------------------------------------------------------- properties
episode_lists = st.lists(
    st.tuples(st.integers(1, 8), st.sampled_from(["term", "trunc"])), min_size=1, max_size=5
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    episodes=st.lists(episode_lists, min_size=1, max_size=3),
    steps=st.integers(1, 50),
    rows=st.integers(1, 20),
    n=st.integers(1, 3),
    fs=st.integers(1, 4),
    prioritized=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_property_random_episodes_match_the_reference(episodes, steps, rows, n, fs, prioritized, seed):
    E = len(episodes)
    rb = ReplayBuffer(
        rows * E,
        (fs, 2, 3),
        np.uint8,
        num_envs=E,
        frame_stack=fs,
        n_step=n,
        gamma=GAMMA,
        prioritized=prioritized,
    )
    rec = Recorder(rb)
    run_vector_env(rec, episodes, steps=steps, shape=(2, 3), seed=seed)
    rec.check()


# ---------------------------------------------------------------------------- saving, and resuming a run
@pytest.mark.parametrize("prioritized", [False, True])
def test_a_saved_replay_restores_the_buffer_exactly(tmp_path, prioritized):
    args = dict(num_envs=2, frame_stack=4, n_step=3, gamma=GAMMA, prioritized=prioritized)
    rb = ReplayBuffer(60, (4, 6, 6), np.uint8, seed=5, **args)
    rec = Recorder(rb)
    run_vector_env(rec, EPISODES, steps=70, shape=(6, 6))  # wrapped around
    if prioritized:
        batch = rb.sample(16)
        rb.update_priorities(batch.indices, np.arange(16.0))
    save_replay(rb, tmp_path / "replay.npz", step=140)
    copy = ReplayBuffer(60, (4, 6, 6), np.uint8, seed=0, **args)
    assert load_replay(copy, tmp_path / "replay.npz", step=140)
    np.testing.assert_array_equal(copy.valid_indices(), rb.valid_indices())
    a, b = (
        rb.sample(32, beta=0.5),
        copy.sample(32, beta=0.5),
    )  # the same draws: its random stream came back too
    for name in ("indices", "obs", "actions", "returns", "discounts", "next_obs", "weights"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    rec.rb = copy
    rec.check()


def test_a_replay_of_another_step_or_buffer_is_refused(tmp_path):
    rb = ReplayBuffer(20, (1,), num_envs=2, n_step=2, gamma=GAMMA)
    add_traj(rb, [TRAJ, TRAJ])
    path = tmp_path / "replay.npz"
    save_replay(rb, path, step=18)
    fresh = ReplayBuffer(20, (1,), num_envs=2, n_step=2, gamma=GAMMA)
    assert not load_replay(fresh, path, step=20) and len(fresh) == 0  # another checkpoint's: not used
    other = ReplayBuffer(20, (1,), num_envs=2, n_step=3, gamma=GAMMA)
    with pytest.raises(ValueError, match="another buffer"):
        load_replay(other, path, step=18)
    assert len(other) == 0
    path.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match=r"replay\.npz: not a readable replay"):
        load_replay(fresh, path, step=18)


@pytest.mark.parametrize("prioritized", [False, True])
def test_cut_episodes_ends_the_running_ones_as_truncated(prioritized):
    """A resumed run resets its envs: the episodes that were running end, truncated, at the
    newest step (bootstrapped from the observation after it), and new ones start at once."""
    rb = ReplayBuffer(
        200, (2, 2, 3), np.uint8, num_envs=2, frame_stack=2, n_step=3, gamma=GAMMA, prioritized=prioritized
    )
    rec = Recorder(rb)
    run_vector_env(rec, [[(9, "term")], [(4, "trunc")]], steps=6, shape=(2, 3))
    last = rec.steps[-1]
    running = ~(last["terminated"] | last["truncated"])
    assert running.all()  # env 0 six steps into its first episode, env 1 two into its second
    before = len(rb.valid_indices())
    rb.cut_episodes()
    last["truncated"] = last["truncated"] | running  # the reference, cut the same way
    rec._start[:] = len(rec.steps)
    assert rec.check() == before + 2 * (rb.n_step - 1)  # the open n-step windows are complete now
    run_vector_env(rec, [[(3, "term")], [(5, "trunc")]], steps=7, shape=(2, 3), seed=1)
    rec.check()
