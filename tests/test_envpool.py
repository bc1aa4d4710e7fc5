"""EnvPool as the Atari vector-env backend: the same protocol, API and steps as the Gymnasium path.

With sticky actions off and one no-op at reset, both backends are deterministic, so one action
sequence replayed on both must give the same frames (EnvPool resizes with ``INTER_AREA`` as
``AtariPreprocessing`` does: bit for bit), rewards, ends and episode scores. The one allowed
difference is the last observation of an episode cut in the middle of a frame skip, where
``AtariPreprocessing`` keeps the previous step's frame (see ``seigen.envs.envpool_env``).
Sticky actions use other random streams on the two backends, so they are checked by
configuration and by their extremes.
"""

from __future__ import annotations

import numpy as np
import pytest

from seigen.envs import envpool_env, make_vector_env
from seigen.envs.envpool_env import EnvPoolVectorEnv, envpool_available, envpool_task, envpool_unsupported
from seigen.envs.make import episode_stats, vector_backend

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
needs_envpool = pytest.mark.skipif(
    not envpool_available(), reason="EnvPool is not installed (pip install envpool, or the dev/bench extra)"
)
DETERMINISTIC = dict(noop_max=1, repeat_action_probability=0.0)


def replay(env_id: str, steps: int, num_envs: int = 2, **kw) -> dict:
    """Step both backends with the same random actions; assert they agree; return what happened."""
    g = make_vector_env(env_id, num_envs, seed=3, backend="gymnasium", **kw)
    e = make_vector_env(env_id, num_envs, seed=3, backend="envpool", **kw)
    seen = {"rewards": [], "terminated": 0, "truncated": 0, "episodes": [], "stale": 0}
    try:
        assert isinstance(e, EnvPoolVectorEnv)
        assert e.single_observation_space == g.single_observation_space
        assert e.single_action_space == g.single_action_space and e.num_envs == g.num_envs
        assert e.metadata["autoreset_mode"] == g.metadata["autoreset_mode"]
        go, gi = g.reset()
        eo, ei = e.reset()
        assert eo.dtype == go.dtype == np.uint8 and np.array_equal(eo, go)
        assert np.array_equal(ei["lives"], gi["lives"])
        rng = np.random.default_rng(0)
        for t in range(steps):
            actions = rng.integers(0, g.single_action_space.n, num_envs)
            go, gr, gt, gtr, gi = g.step(actions)
            eo, er, et, etr, ei = e.step(actions)
            assert np.array_equal(eo, go), f"step {t}: observations differ"
            assert np.array_equal(er, gr) and er.dtype == gr.dtype, f"step {t}: rewards {er} != {gr}"
            assert np.array_equal(et, gt) and np.array_equal(etr, gtr), f"step {t}: ends differ"
            assert np.array_equal(ei["lives"], gi["lives"])
            assert episode_stats(ei) == episode_stats(gi), f"step {t}: episode statistics differ"
            if (gt | gtr).any():
                assert np.array_equal(ei["_final_obs"], gi["_final_obs"])
                assert np.array_equal(ei["_final_info"], gi["_final_info"])
                for i in np.flatnonzero(gt | gtr):
                    fe, fg = ei["final_obs"][i], gi["final_obs"][i]
                    assert fe.shape == fg.shape and np.array_equal(fe[:-1], fg[:-1])
                    if not np.array_equal(fe[-1], fg[-1]):  # only AtariPreprocessing's stale frame
                        assert np.array_equal(fg[-1], fg[-2])
                        seen["stale"] += 1
                    assert not np.array_equal(fe, eo[i])  # the reset observation is elsewhere
            seen["rewards"].append(er)
            seen["terminated"] += int(et.sum())
            seen["truncated"] += int(etr.sum())
            seen["episodes"] += episode_stats(ei)
    finally:
        g.close()
        e.close()
    seen["rewards"] = np.concatenate(seen["rewards"])
    return seen


@needs_envpool
def test_dqn2015_training_life_loss_clipping_and_game_scores_match_gymnasium() -> None:
    # Breakout: 5 lives; dqn2015 training ends an episode at each lost life, clips, scores whole games
    seen = replay("ALE/Breakout-v5", 190, protocol="dqn2015", training=True, **DETERMINISTIC)
    assert set(np.unique(seen["rewards"])) <= {0.0, 1.0} and seen["rewards"].sum() > 0
    games = seen["episodes"]
    assert len(games) >= 1 and all(length > 100 for _, length in games)  # whole games, not lives
    assert seen["terminated"] >= 4 * len(games)  # life losses end episodes too


@needs_envpool
def test_evaluation_raw_rewards_frame_cap_and_no_life_signal_match_gymnasium() -> None:
    # Space Invaders scores 5 to 30 per invader; a 400-frame cap truncates at agent step 100
    kw = dict(protocol="machado", training=False, max_num_frames_per_episode=400, **DETERMINISTIC)
    seen = replay("ALE/SpaceInvaders-v5", 102, num_envs=1, **kw)
    assert seen["rewards"].max() > 1  # raw, not clipped
    assert seen["truncated"] == 1 and seen["terminated"] == 0  # no life-loss signal
    assert seen["episodes"] == [(seen["rewards"][:100].sum(), 100)]  # the raw score of the capped game


@needs_envpool
def test_frame_stack_one_matches_gymnasium() -> None:
    replay("ALE/Pong-v5", 20, num_envs=1, frame_stack=1, training=False, **DETERMINISTIC)


@needs_envpool
def test_envpool_is_configured_with_the_protocols() -> None:
    machado = make_vector_env("ALE/Pong-v5", 2)  # backend="auto"
    dqn2015 = make_vector_env("ALE/Pong-v5", 1, protocol="dqn2015", full_action_space=True)
    try:
        assert isinstance(machado, EnvPoolVectorEnv) and isinstance(dqn2015, EnvPoolVectorEnv)
        cfg = machado._pool.config  # what EnvPool itself reports
        assert cfg["repeat_action_probability"] == pytest.approx(0.25)
        assert (cfg["frame_skip"], cfg["noop_max"], cfg["img_height"], cfg["img_width"]) == (4, 30, 84, 84)
        assert cfg["gray_scale"] and cfg["use_inter_area_resize"] and cfg["max_episode_steps"] == 27_000
        assert not (cfg["episodic_life"] or cfg["reward_clip"] or cfg["use_fire_reset"])
        assert not cfg["full_action_space"] and cfg["env_seed"] == [0, 1]
        assert machado.single_observation_space.shape == (4, 84, 84) and machado.single_action_space.n == 6
        assert machado.training and not machado._episodic_life  # no life-loss signal
        assert dqn2015._pool.config["repeat_action_probability"] == 0.0 and dqn2015._episodic_life
        assert dqn2015.single_action_space.n == 18
        assert vector_backend(machado) == "envpool" and cfg["num_threads"] == 0  # 0: EnvPool chooses
    finally:
        machado.close()
        dqn2015.close()


@needs_envpool
def test_a_runs_env_threads_and_backend_reach_the_vector_env() -> None:
    from seigen.agents.dqn import make_envs
    from seigen.agents.dqn_config import DQNConfig

    cfg = DQNConfig(env="ALE/Pong-v5", num_envs=4, env_threads=1)
    pool = make_envs(cfg, training=True)
    forced = make_envs(DQNConfig(env="ALE/Pong-v5", backend="gymnasium"), training=False)
    try:
        assert vector_backend(pool) == "envpool" and pool._pool.config["num_threads"] == 1
        assert vector_backend(forced) == "gymnasium"
    finally:
        pool.close()
        forced.close()
    with pytest.raises(ValueError, match="env-threads"):
        DQNConfig(env_threads=-1)


@needs_envpool
def test_sticky_actions_reach_the_emulator() -> None:
    # p = 1: every frame repeats the previous action, i.e. NOOP from the reset on, on both backends
    replay("ALE/Pong-v5", 30, num_envs=1, noop_max=1, repeat_action_probability=1.0, training=False)
    # p = 0.25 (Machado): the same actions and seeds as p = 0 give other frames once an action sticks
    frames = {}
    for p in (0.0, 0.25):
        envs = make_vector_env("ALE/Pong-v5", 1, noop_max=1, repeat_action_probability=p, backend="envpool")
        envs.reset()
        rng = np.random.default_rng(1)
        frames[p] = [envs.step(rng.integers(0, 6, 1))[0] for _ in range(40)]
        envs.close()
    assert any(not np.array_equal(a, b) for a, b in zip(frames[0.0], frames[0.25], strict=True))


@needs_envpool
def test_seeds_reset_and_same_step_api() -> None:
    envs = make_vector_env("ALE/Breakout-v5", 2, seed=7)  # machado: sticky actions, 1-30 no-ops
    try:
        assert isinstance(envs, EnvPoolVectorEnv)
        with pytest.raises(RuntimeError, match="reset"):
            envs.step(np.zeros(2, np.int64))
        runs = []
        for seed in (None, 7):  # the first reset seeds env i with seed + i; reset(seed) restarts from it
            obs, _ = envs.reset(seed=seed)
            rng = np.random.default_rng(0)
            runs.append([obs] + [envs.step(rng.integers(0, 4, 2))[0] for _ in range(30)])
        assert all(np.array_equal(a, b) for a, b in zip(*runs, strict=True))
        assert not np.array_equal(runs[0][-1][0], runs[0][-1][1])  # the two envs differ
        assert envs._pool.config["env_seed"] == [7, 8]
        obs, infos = envs.reset(options={"reset_mask": np.array([False, True])})
        assert obs.shape == (2, 4, 84, 84) and infos["lives"][1] == 5
        assert all(np.array_equal(obs[1, 0], obs[1, k]) for k in range(4))  # the reset frame, repeated
    finally:
        envs.close()
    assert envs.closed


def test_backend_choice_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert envpool_task("ALE/Pong-v5") == envpool_task("PongNoFrameskip-v4") == "Pong-v5"
    with pytest.raises(ValueError, match="backend"):
        make_vector_env("ALE/Pong-v5", 1, backend="cuda")
    with pytest.raises(ValueError, match="Atari"):
        make_vector_env("CartPole-v1", 1, backend="envpool")
    gym_envs = make_vector_env("ALE/Pong-v5", 1, backend="gymnasium")
    assert not isinstance(gym_envs, EnvPoolVectorEnv)
    gym_envs.close()
    if envpool_available():
        assert envpool_unsupported("ALE/Pong-v5") is None
        assert envpool_unsupported("ALE/Pong-v5", render_mode="rgb_array") is not None
        assert envpool_unsupported("ALE/Pong-v5", noop_max=0) is not None
        assert envpool_unsupported("ALE/Pong-v5", frameskip=3) is not None
        with pytest.raises(ValueError, match="noop_max"):
            make_vector_env("ALE/Pong-v5", 1, noop_max=0, backend="envpool")
        fallback = make_vector_env("ALE/Pong-v5", 1, noop_max=0)  # auto: Gymnasium can
        assert not isinstance(fallback, EnvPoolVectorEnv)
        fallback.close()
    monkeypatch.setattr(envpool_env, "envpool_available", lambda: False)  # as where it is absent
    with pytest.raises(ImportError, match="pip install envpool"):
        make_vector_env("ALE/Pong-v5", 1, backend="envpool")
    auto = make_vector_env("ALE/Pong-v5", 1)
    assert not isinstance(auto, EnvPoolVectorEnv)
    auto.close()
