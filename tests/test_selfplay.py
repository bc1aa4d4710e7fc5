"""AlphaZero self-play: shards, the window, symmetries, the trainer, configs, and whole runs
killed with SIGKILL at random moments and resumed."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from selfplay_runs import TINY, audit, finish, kill_run, play_records, seigen, wait_for_games

from seigen.agents.pvnet import Augmenter, NetSpec, PolicyValueNet, load_net, policy_value_loss
from seigen.agents.runs import CHECKPOINT, CheckpointError, RunError
from seigen.engine.games import make_game, symmetries
from seigen.selfplay.actor import DISK_FULL, SelfPlay, area_ownership, new_game
from seigen.selfplay.config import PRESETS, SelfPlayConfig, resolve, resume_config
from seigen.selfplay.shards import (
    GameRecord,
    ShardError,
    Window,
    encode,
    list_shards,
    read_shard,
    write_shard,
)


def tiny_cfg(tmp_path: Path, **kw) -> SelfPlayConfig:
    base = dict(
        game="tictactoe", run_dir=str(tmp_path / "run"), games_in_flight=8, visits=8, gumbel_considered=4,
        min_positions=50, batch_size=16, checkpoint_every=5, shard_seconds=0.1, eval_every=0, progress=False,
        blocks=1, channels=8, window=1000, threads=1,
    )  # fmt: skip
    base.update(kw)
    return SelfPlayConfig(**base)


# ---------------------------------------------------------------- shards and the window


@pytest.mark.parametrize("game", ["tictactoe", "connect4", "go"])
def test_shard_round_trip_keeps_every_position_and_the_outcome_for_the_mover(tmp_path, game):
    records = play_records(3, game)
    path = write_shard(tmp_path, 0, records, (123.0, 1.5))
    shard = read_shard(path)
    assert shard.games == 3 and shard.positions == sum(len(r) for r in records)
    c, h, w = records[0].features[0].shape
    assert shard.feature_shape == (c, h, w)
    feats = np.unpackbits(shard.arrays["features"], axis=1, count=c * h * w).reshape(-1, c, h, w)
    np.testing.assert_array_equal(feats, np.stack([f for r in records for f in r.features]))
    expected = [r.result * (1 if m == 0 else -1) for r in records for m in r.movers]
    np.testing.assert_array_equal(shard.arrays["value"], expected)
    assert list(shard.arrays["moves"]) == [m for r in records for m in r.moves]
    assert tuple(shard.arrays["stats"]) == (123.0, 1.5)
    if game == "go":
        first = records[0]
        own = shard.arrays["ownership"][: len(first)]
        assert (own[1] == -first.ownership.reshape(-1)).all()  # white to move at ply 1
        assert shard.arrays["score"][0] == pytest.approx(first.score)


def test_damaged_shards_are_reported_with_their_name(tmp_path):
    good = encode(play_records(2))
    cases = {"truncated.npz": good[: len(good) // 2], "garbage.npz": b"not a zip file at all"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ShardError, match=name):
            read_shard(tmp_path / name)
    (tmp_path / "good.npz").write_bytes(good)
    reference = read_shard(tmp_path / "good.npz").arrays
    caught = 0
    for i in range(0, len(good), 7):  # a flipped byte is caught, or it hit a header field nobody reads
        (tmp_path / "flipped.npz").write_bytes(good[:i] + bytes([good[i] ^ 0xFF]) + good[i + 1 :])
        try:
            arrays = read_shard(tmp_path / "flipped.npz").arrays
        except ShardError as e:
            assert "flipped.npz" in str(e)
            caught += 1
            continue
        assert all(np.array_equal(arrays[k], reference[k]) for k in reference)
    assert caught > len(good) // 7 // 2


def test_temporary_files_are_not_shards(tmp_path):
    write_shard(tmp_path, 1, play_records(1))
    (tmp_path / ".x.npz.123.tmp").write_bytes(b"partial")
    (tmp_path / ".y.npz").write_bytes(b"partial")
    assert len(list_shards(tmp_path)) == 1


def test_window_keeps_the_newest_positions_and_samples_float_planes(tmp_path):
    w = Window(50, (2, 3, 3), 9, ownership=False)
    for seed in range(20):
        w.add(read_shard(write_shard(tmp_path, 0, play_records(2, seed=seed))))
    assert w.size == 50
    last = read_shard(list_shards(tmp_path)[-1])
    n = last.positions
    newest = w.features[(w.cursor - n + np.arange(n)) % 50]
    np.testing.assert_array_equal(newest, last.arrays["features"])
    batch = w.sample(64, np.random.default_rng(0))
    assert batch["features"].shape == (64, 2, 3, 3) and batch["features"].dtype == np.float32
    assert set(np.unique(batch["features"])) <= {0.0, 1.0}
    np.testing.assert_allclose(batch["policy"].sum(axis=1), 1.0, atol=2e-3)


def test_window_refuses_positions_of_another_game(tmp_path):
    w = Window(100, (2, 3, 3), 9, ownership=False)
    shard = read_shard(write_shard(tmp_path, 0, play_records(1, "connect4")))
    with pytest.raises(ShardError, match="another game"):
        w.add(shard)


def test_area_ownership_counts_stones_and_the_regions_one_colour_surrounds():
    colors = np.array(
        [
            [0, 1, 2, 0],
            [1, 1, 2, 0],
            [0, 1, 2, 2],
            [1, 0, 1, 0],
        ]
    )
    own = area_ownership(colors)
    expected = np.array(
        [
            [1, 1, -1, -1],
            [1, 1, -1, -1],
            [1, 1, -1, -1],
            [1, 1, 1, 0],  # the last point touches black and white: nobody's
        ]
    )
    np.testing.assert_array_equal(own, expected)


# ---------------------------------------------------------------- symmetries


@settings(max_examples=30, deadline=None)
@given(game=st.sampled_from(["tictactoe", "connect4", "go"]), seed=st.integers(0, 2**31), t=st.integers(0, 7))
def test_a_symmetric_game_has_the_transformed_planes_and_legal_moves(game, seed, t):
    transforms = symmetries(game, 5)
    k, flip, perm = transforms[t % len(transforms)]
    rng = np.random.default_rng(seed)
    g, h = make_game(game, size=5), make_game(game, size=5)
    for _ in range(int(rng.integers(0, 30))):
        if g.is_terminal():
            break
        a = int(rng.choice(g.legal_actions()))
        g.play(a)
        h.play(int(perm[a]))
    x = g.features()
    moved = np.rot90(np.flip(x, -1) if flip else x, k, (-2, -1))
    np.testing.assert_array_equal(moved, h.features())
    assert (g.legal_mask() == h.legal_mask()[perm]).all()


def test_augmenter_moves_planes_and_policy_together():
    game = make_game("go", size=5)
    for a in (0, 7, 13):
        game.play(a)
    x = torch.from_numpy(game.features())[None].repeat(64, 1, 1, 1)
    policy = torch.zeros(64, 26)
    policy[:, 3] = 1.0  # the point (0, 3)
    ownership = torch.zeros(64, 25)
    ownership[:, 3] = 1.0
    batch = {
        "features": x,
        "policy": policy,
        "value": torch.zeros(64),
        "ownership": ownership,
        "score": torch.zeros(64),
    }
    out = Augmenter(symmetries("go", 5))(batch, torch.Generator().manual_seed(0))
    for i in range(64):
        plane = torch.zeros(5, 5)
        plane.view(-1)[int(out["policy"][i].argmax())] = 1.0
        own = out["ownership"][i].view(5, 5)
        assert torch.equal(plane, own)
        # the stone planes moved the way the policy's point did: find the transform used
        found = False
        for k, flip, _ in symmetries("go", 5):
            y = x[i].flip(-1) if flip else x[i]
            if torch.equal(torch.rot90(y, k, (-2, -1)), out["features"][i]):
                probe = torch.zeros(5, 5)
                probe[0, 3] = 1
                probe = torch.rot90(probe.flip(-1) if flip else probe, k, (-2, -1))
                found = found or torch.equal(probe, plane)
        assert found


# ---------------------------------------------------------------- the net and its loss


def test_a_net_fits_a_fixed_batch():
    torch.manual_seed(0)
    spec = NetSpec(17, 5, 5, 26, blocks=1, channels=16, global_pool=True, ownership=True)
    net = PolicyValueNet(spec)
    batch = {
        "features": (torch.rand(32, 17, 5, 5) > 0.5).float(),
        "policy": torch.softmax(torch.randn(32, 26) * 3, 1),
        "value": torch.sign(torch.randn(32)),
        "ownership": torch.sign(torch.randn(32, 25)),
        "score": torch.randn(32) * 5,
    }
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    first = None
    for _ in range(150):
        loss, stats = policy_value_loss(net, batch)
        first = first if first is not None else stats
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert stats["value_loss"] < 0.2 * first["value_loss"]
    assert stats["policy_kl"] < 0.3 * first["policy_kl"]
    assert stats["ownership_loss"] < 0.5 * first["ownership_loss"]


def test_load_net_names_a_checkpoint_that_does_not_fit(tmp_path):
    from seigen.agents.pvnet import net_state

    net = PolicyValueNet(NetSpec(2, 3, 3, 9, blocks=1, channels=8))
    state = {**net_state(net, {"name": "tictactoe"}), "step": 3}
    state["spec"]["channels"] = 16
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match=r"bad\.pt"):
        load_net(tmp_path / "bad.pt")
    torch.save({"step": 1, "model": {}}, tmp_path / "dqn.pt")
    with pytest.raises(CheckpointError, match="not an AlphaZero checkpoint"):
        load_net(tmp_path / "dqn.pt")


# ---------------------------------------------------------------- config


def test_presets_cover_every_field_a_run_needs():
    for game in PRESETS:
        cfg = resolve(SelfPlayConfig(game=game))
        unset = [
            k
            for k, v in cfg.__dict__.items()
            if v is None and k not in ("config", "max_games", "max_steps", "threads", "ray_address")
        ]
        assert game == "go" or unset == ["max_minutes"] or not unset
        assert cfg.run_dir.startswith(f"runs/{game}-")


def test_config_file_fills_what_the_flags_left(tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps({"game": "connect4", "visits": 7, "lr": 0.5}))
    cfg = resolve(SelfPlayConfig(config=str(f), lr=0.25))
    assert (cfg.game, cfg.visits, cfg.lr, cfg.blocks) == ("connect4", 7, 0.25, PRESETS["connect4"]["blocks"])
    f.write_text(json.dumps({"visitz": 7}))
    with pytest.raises(ValueError, match="unknown fields visitz"):
        resolve(SelfPlayConfig(config=str(f)))


def test_resume_keeps_the_saved_game_and_refuses_a_different_net():
    saved = json.loads(json.dumps(resolve(SelfPlayConfig(game="connect4", run_dir="r")).__dict__))
    cfg = resume_config(SelfPlayConfig(resume=True, run_dir="r", visits=99), saved)
    assert cfg.game == "connect4" and cfg.visits == 99 and cfg.resume
    with pytest.raises(ValueError, match="--channels 3 does not match"):
        resume_config(SelfPlayConfig(resume=True, run_dir="r", channels=3), saved)


@pytest.mark.parametrize("flag", [{"score_utility": 0.1}, {"mix": 0.5}, {"teacher": "mcts"}])
def test_go_only_flags_on_a_resume_are_checked_against_the_saved_game(flag):
    given = SelfPlayConfig(resume=True, run_dir="r", **flag)  # the game is not known yet: no error here
    go = json.loads(json.dumps(resolve(SelfPlayConfig(game="go", size=5, run_dir="r")).__dict__))
    assert all(getattr(resume_config(given, go), k) == v for k, v in flag.items())
    c4 = json.loads(json.dumps(resolve(SelfPlayConfig(game="connect4", run_dir="r")).__dict__))
    with pytest.raises(ValueError, match="not connect4"):
        resume_config(given, c4)
    with pytest.raises(ValueError, match="not tictactoe"):
        SelfPlayConfig(**flag)


def test_a_resume_takes_devices_threads_and_the_progress_line_from_its_own_session():
    machine = dict(device="cpu", actor_device="cpu", inference="local", threads=1, progress=False)
    saved = json.loads(json.dumps(resolve(SelfPlayConfig(game="connect4", run_dir="r", **machine)).__dict__))
    cfg = resume_config(SelfPlayConfig(resume=True, run_dir="r"), saved)
    assert (cfg.device, cfg.actor_device, cfg.inference, cfg.threads, cfg.progress) == (
        "auto",
        "auto",
        "auto",
        None,
        True,
    )
    assert (
        cfg.game == "connect4"
        and resume_config(SelfPlayConfig(resume=True, run_dir="r", threads=2), saved).threads == 2
    )


def test_settings_changed_on_resume_stay_for_the_resumes_after_it(tmp_path, caplog):
    from seigen.selfplay.run import SelfPlayRun

    SelfPlayRun(tiny_cfg(tmp_path)).run.close()
    run_dir = str(tmp_path / "run")
    with caplog.at_level("WARNING", logger="seigen.selfplay"):  # the CLI shows warnings
        changed = SelfPlayRun(SelfPlayConfig(resume=True, run_dir=run_dir, lr=0.01, visits=12))
    changed.run.close()
    assert "lr 0.002 -> 0.01" in caplog.text and "visits 8 -> 12" in caplog.text
    again = SelfPlayRun(SelfPlayConfig(resume=True, run_dir=run_dir, progress=False))  # no flags: as left
    again.run.close()
    assert (again.cfg.lr, again.cfg.visits, again.cfg.game) == (0.01, 12, "tictactoe")
    assert json.loads((tmp_path / "run" / "config.json").read_text())["visits"] == 12


# ---------------------------------------------------------------- actors and the trainer in-process


@pytest.mark.parametrize("gumbel", [True, False])
def test_self_play_records_whole_games_with_their_results(tmp_path, gumbel):
    cfg = resolve(tiny_cfg(tmp_path, gumbel=gumbel))
    g = new_game(cfg)
    net = PolicyValueNet(NetSpec(*g.feature_shape, g.num_actions, blocks=1, channels=8))
    play = SelfPlay(cfg, net, device="cpu", seed=1)
    done: list[GameRecord] = []
    for _ in range(30):
        done.extend(play.step())
    assert len(done) >= cfg.games_in_flight
    for rec in done:
        replay = make_game("tictactoe")
        for f, m, mover in zip(rec.features, rec.moves, rec.movers, strict=True):
            assert (f == replay.features()).all() and mover == replay.to_play
            replay.play(m)
        assert replay.is_terminal() and replay.returns() == rec.result
        assert all(abs(p.sum() - 1) < 1e-5 for p in rec.policy)


@pytest.mark.parametrize("game", ["connect4", "go"])
def test_random_openings_start_games_after_a_varied_number_of_legal_moves(tmp_path, game):
    cfg = resolve(tiny_cfg(tmp_path, game=game, size=5, random_opening=6))
    rng = np.random.default_rng(0)
    games = [new_game(cfg, rng) for _ in range(60)]
    lengths = [len(g.history) for g in games]
    assert min(lengths) == 0 and max(lengths) == 6 and len(set(lengths)) == 7
    assert not any(g.is_terminal() for g in games)
    assert len({tuple(g.history) for g in games if len(g.history) == 6}) > 1
    if game == "go":
        assert all(m != games[0].num_actions - 1 for g in games for m in g.history)  # no pass
    assert (
        new_game(cfg).history == []
        and new_game(resolve(tiny_cfg(tmp_path, game=game, size=5, random_opening=0)), rng).history == []
    )


def test_connect4_preset_opens_at_random_and_runs_saved_before_keep_their_openings(tmp_path):
    assert resolve(SelfPlayConfig(game="connect4")).random_opening == 12
    assert resolve(SelfPlayConfig(game="go")).random_opening == 0
    assert resolve(SelfPlayConfig(game="connect4", random_opening=0)).random_opening == 0
    saved = dataclasses.asdict(resolve(SelfPlayConfig(game="connect4")))
    del saved["random_opening"]  # a run directory written before the field existed
    assert resume_config(SelfPlayConfig(game="connect4"), saved).random_opening == 0
    assert resume_config(SelfPlayConfig(game="connect4", random_opening=5), saved).random_opening == 5


def test_self_play_records_only_the_positions_after_a_random_opening(tmp_path, monkeypatch):
    from seigen.selfplay import actor

    openings: list[list[int]] = []

    def remembered(cfg, rng=None):
        game = new_game(cfg, rng)
        openings.append(list(game.history))
        return game

    monkeypatch.setattr(actor, "new_game", remembered)
    cfg = resolve(tiny_cfg(tmp_path, game="connect4", random_opening=8, games_in_flight=16))
    g = new_game(cfg)
    net = PolicyValueNet(NetSpec(*g.feature_shape, g.num_actions, blocks=1, channels=8))
    play = SelfPlay(cfg, net, device="cpu", seed=3)
    assert len({len(o) for o in openings}) > 1
    done: list[GameRecord] = []
    while len(done) < 4:
        done.extend(play.step())
    for rec in done:
        starts = []
        for opening in openings:
            replay = make_game("connect4")
            for m in opening:
                replay.play(m)
            if (replay.features() == rec.features[0]).all():
                starts.append(replay)
        assert starts, "the first recorded position is the position after an opening"
        replay = starts[0]
        for f, m in zip(rec.features, rec.moves, strict=True):
            assert (f == replay.features()).all()
            replay.play(m)
        assert replay.is_terminal() and replay.returns() == rec.result


def test_random_opening_must_not_be_negative():
    with pytest.raises(ValueError, match="--random-opening must be at least 0"):
        SelfPlayConfig(game="connect4", random_opening=-1)


def test_go_self_play_gives_ownership_and_score_targets(tmp_path):
    cfg = resolve(
        tiny_cfg(tmp_path, game="go", size=5, games_in_flight=2, max_moves=40, resign_threshold=-1.0)
    )
    g = new_game(cfg)
    net = PolicyValueNet(NetSpec(*g.feature_shape, g.num_actions, blocks=1, channels=8))
    play = SelfPlay(cfg, net, device="cpu", seed=2)
    done: list[GameRecord] = []
    while not done:
        done = play.step()
    rec = done[0]
    assert rec.ownership.shape == (5, 5) and rec.score is not None
    assert np.sign(rec.score) == rec.result or rec.result == 0
    from seigen.engine.sgf import read_sgf

    path = tmp_path / "game.sgf"
    path.write_text(rec.sgf)
    board, info = read_sgf(path)
    assert [index for _, index in board.moves] == rec.moves
    assert info.result == ("B+" if rec.result > 0 else "W+") + f"{abs(rec.score):g}"


def test_a_full_disk_stops_the_trainer_with_a_clear_error(tmp_path, monkeypatch):
    from seigen.selfplay.run import SelfPlayRun

    run = SelfPlayRun(tiny_cfg(tmp_path))
    run.run.close()

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("seigen.agents.runs.write_atomic", full)
    with pytest.raises(RunError, match=r"No space left on device.*--resume"):
        run.save()


def test_an_actor_that_cannot_write_its_games_exits_with_the_disk_full_status(tmp_path, monkeypatch, caplog):
    import threading

    from seigen.selfplay.actor import actor_main
    from seigen.selfplay.run import SelfPlayRun

    cfg = tiny_cfg(tmp_path, shard_seconds=0.0)
    run = SelfPlayRun(cfg)
    run.run.close()

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("seigen.selfplay.actor.write_shard", full)
    with pytest.raises(SystemExit) as e:
        actor_main(str(run.path), run.cfg, 0, threading.Event())
    assert e.value.code == DISK_FULL
    assert "No space left" in caplog.text


# ---------------------------------------------------------------- whole runs, killed and resumed


def test_sigkill_at_random_moments_loses_no_finished_game_and_resume_goes_on(tmp_path):
    run = tmp_path / "run"
    rng = np.random.default_rng(int(time.time()))
    games, names = 0, set()
    for round_ in range(3):
        p = seigen(*TINY, "--run-dir", str(run), *(["--resume"] if round_ else []))
        wait_for_games(run, p, at_least=len(names) + 1)
        time.sleep(float(rng.uniform(0.0, 3.0)))
        kill_run(p)
        now_games, now_names = audit(run)
        assert names <= now_names and now_games >= games  # nothing finished is ever lost
        games, names = now_games, now_names
    steps = max(int(CHECKPOINT.search(x.name).group(1)) for x in (run / "checkpoints").glob("step-*.pt"))
    p = seigen(*TINY, "--run-dir", str(run), "--resume", "--max-games", str(games + 100))
    code, out, err = finish(p)
    assert code == 0, err
    final_games, final_names = audit(run)
    assert names <= final_names and final_games >= games + 100
    assert (
        max(int(CHECKPOINT.search(x.name).group(1)) for x in (run / "checkpoints").glob("step-*.pt")) >= steps
    )
    assert not list((run / "games").glob(".*.tmp")) and not list((run / "checkpoints").glob(".*.tmp"))
    assert f"{final_games:,} games" in out


@pytest.mark.parametrize("target", ["step-000000020.pt", "-a00.npz"])
def test_sigkill_in_the_middle_of_a_write_leaves_only_complete_files(tmp_path, target):
    run = tmp_path / "run"
    marker = tmp_path / "crashed"
    env = {"SEIGEN_TEST_CRASH_WRITE": target, "SEIGEN_TEST_CRASH_ONCE": str(marker)}
    # for the checkpoint: enough games that the trainer reaches step 20 however slowly it runs
    games = "5000" if target.startswith("step-") else "400"
    p = seigen(*TINY, "--run-dir", str(run), "--max-games", games, env=env)
    if target.startswith("step-"):  # the trainer dies writing a checkpoint; its actors stop by themselves
        code, _, err = finish(p)
        assert code == -signal.SIGKILL
        assert list((run / "checkpoints").glob(".step-*.tmp"))  # the torn file is a temp, never a checkpoint
        games, _ = audit(run)
        p = seigen(*TINY, "--run-dir", str(run), "--resume", "--max-games", str(games + 100))
    code, _, err = finish(p)
    assert code == 0, err
    assert marker.exists()
    audit(run)
    metrics = (run / "metrics.jsonl").read_text()
    if not target.startswith("step-"):  # the actor died writing a shard and was restarted
        assert "actor-0 stopped (exit code -9); restarted" in metrics


def test_damaged_shards_and_checkpoints_are_reported_and_skipped(tmp_path):
    run = tmp_path / "run"
    code, _, err = finish(seigen(*TINY, "--run-dir", str(run), "--max-games", "300"))
    assert code == 0, err
    games, _ = audit(run)
    bad = run / "games" / "00000000000000000001-a99.npz"
    bad.write_bytes(b"junk")
    latest = run / "checkpoints" / (run / "checkpoints" / "latest").read_text().strip()
    latest.write_bytes(latest.read_bytes()[:100])
    code, _, err = finish(seigen(*TINY, "--run-dir", str(run), "--resume", "--max-games", str(games + 100)))
    assert code == 0, err
    warnings = [json.loads(x).get("warning", "") for x in (run / "metrics.jsonl").read_text().splitlines()]
    assert any(bad.name in w for w in warnings)
    assert any(latest.name in w and "corrupt" in w for w in warnings)
    _, meta = load_net(run)  # `latest` points at a checkpoint that loads again
    assert meta["path"] != str(latest)


def test_resume_of_a_missing_run_is_a_clear_error(tmp_path):
    code, _, err = finish(seigen(*TINY, "--run-dir", str(tmp_path / "nowhere"), "--resume"))
    assert code == 2
    assert "nothing to resume" in err and "nowhere" in err
    assert "Traceback" not in err


def test_a_fresh_run_refuses_a_directory_that_holds_a_run(tmp_path):
    run = tmp_path / "run"
    assert finish(seigen(*TINY, "--run-dir", str(run), "--max-games", "50"))[0] == 0
    code, _, err = finish(seigen(*TINY, "--run-dir", str(run)))
    assert code == 2 and "--resume" in err


def test_a_run_ends_by_rating_its_net_against_random_and_rollout_mcts(tmp_path):
    run = tmp_path / "run"
    args = [a for a in TINY if a != "--no-final-eval"]
    code, out, err = finish(
        seigen(*args, "--run-dir", str(run), "--max-games", "100", "--eval-games", "4", "--eval-visits", "4")
    )
    assert code == 0, err
    assert "vs random W-D-L" in out and "vs rollout MCTS W-D-L" in out and "losses vs every reply" in out
    assert f"seigen play --model {run}" in out


def test_eval_of_a_selfplay_run_draws_its_learning_curve(tmp_path, capsys):
    from seigen.agents.pvnet import net_state
    from seigen.scripts.cli import main

    run = tmp_path / "run"
    (run / "nets").mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"game": "connect4"}))
    rows = [{"step": s, "time": 30.0 * s, "games": 10 * s} for s in (0, 5, 10)]
    (run / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    for step in (0, 10):
        net = PolicyValueNet(NetSpec(2, 6, 7, 7, blocks=1, channels=8))
        torch.save(
            {**net_state(net, {"name": "connect4"}), "step": step}, run / "nets" / f"step-{step:09d}.pt"
        )
    args = ["eval", str(run), "--curve", "--games", "2", "--visits", "4", "--positions", "10", "--json"]
    assert main(args) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["step"] for r in out] == [0, 10]
    assert out[1]["minutes"] == 5.0 and out[1]["games_played"] == 100
    assert out[0]["vs"]["random"]["games"] == 2
    assert 0.0 <= out[1]["connect4"]["accuracy"] <= 1.0 and out[1]["connect4"]["positions"] == 10


def test_bench_selfplay_reports_throughput_against_one_game_in_flight(capsys):
    from seigen.scripts.cli import main

    assert (
        main(
            [
                "bench",
                "selfplay",
                "--game",
                "tictactoe",
                "--games-in-flight",
                "1",
                "4",
                "--seconds",
                "0.2",
                "--json",
            ]
        )
        == 0
    )
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["games_in_flight"] for r in rows] == [1, 4]
    assert rows[0]["ratio_to_one_game"] == 1.0 and rows[1]["positions_per_s"] > 0
    assert rows[1]["evals_per_s"] >= rows[1]["positions_per_s"] * rows[1]["visits"] * 0.5


def test_track_writes_offline_wandb_files_into_the_run(tmp_path):
    run = tmp_path / "run"
    code, _, err = finish(
        seigen(*TINY, "--run-dir", str(run), "--max-games", "50", "--track", env={"WANDB_SILENT": "true"})
    )
    assert code == 0, err
    assert list((run / "wandb").glob("offline-run-*"))


def test_the_inference_server_answers_each_actor_with_its_own_rows():
    import queue
    import threading

    from seigen.engine.search import NetEvaluator
    from seigen.selfplay.inference import RemoteEvaluator, Slot, serve

    torch.manual_seed(0)
    net = PolicyValueNet(NetSpec(2, 6, 7, 7, blocks=1, channels=8)).eval()
    local = NetEvaluator(net, device="cpu")
    slots = [Slot(threading, 64, (2, 6, 7), 7) for _ in range(3)]
    requests: queue.Queue = queue.Queue()
    stop = threading.Event()
    server = threading.Thread(  # float32, to compare with the local net exactly
        target=serve, args=(None, net, slots, requests, stop, "cpu"), kwargs={"amp": False}, daemon=True
    )
    server.start()
    rng = np.random.default_rng(0)
    results: dict[int, list] = {i: [] for i in range(3)}

    def actor(i: int) -> None:
        remote = RemoteEvaluator(slots[i], requests, i)
        for n in (5, 64, 17):
            x = (rng.random((n, 2, 6, 7)) > 0.5).astype(np.float32)
            results[i].append((x, remote(x, np.ones((n, 7), np.uint8))))

    threads = [threading.Thread(target=actor, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    stop.set()
    server.join(timeout=5)
    for i in range(3):
        assert len(results[i]) == 3
        for x, (logits, values) in results[i]:
            want_logits, want_values = local(x, np.ones((len(x), 7), np.uint8))
            np.testing.assert_allclose(logits, want_logits, atol=1e-5)
            np.testing.assert_allclose(values, want_values, atol=1e-5)


def test_a_run_with_the_inference_server_plays_and_follows_checkpoints(tmp_path):
    run = tmp_path / "run"
    args = [*TINY, "--run-dir", str(run), "--max-games", "120", "--inference", "server", "--actors", "2"]
    code, _, err = finish(seigen(*args))
    assert code == 0, err
    games, names = audit(run)
    assert games >= 120 and {n.split("-a")[1] for n in names} == {"00.npz", "01.npz"}
    assert "serving step-" in (run / "logs" / "inference.log").read_text()
    for k in range(2):  # an actor stopped mid-step gets its answers: it is not left waiting and killed
        assert "stopped, its finished games written" in (run / "logs" / f"actor-{k}.log").read_text()


def test_the_inference_server_follows_the_latest_checkpoint(tmp_path):
    import queue
    import threading

    from seigen.agents.pvnet import net_state
    from seigen.agents.runs import RunDir
    from seigen.engine.search import NetEvaluator
    from seigen.selfplay.inference import RemoteEvaluator, Slot, serve

    nets = [PolicyValueNet(NetSpec(2, 3, 3, 9, blocks=1, channels=8)).eval() for _ in range(2)]
    run = RunDir(tmp_path / "run", {"game": "tictactoe"})
    run.save_checkpoint(net_state(nets[0], {"name": "tictactoe"}), 0)
    slot = Slot(threading, 8, (2, 3, 3), 9)
    requests: queue.Queue = queue.Queue()
    stop = threading.Event()
    served = PolicyValueNet(NetSpec(2, 3, 3, 9, blocks=1, channels=8))
    served.load_state_dict(nets[0].state_dict())
    server = threading.Thread(
        target=serve,
        args=(str(run.path), served, [slot], requests, stop, "cpu"),
        kwargs={"amp": False},  # float32, to compare with the local net exactly
        daemon=True,
    )
    server.start()
    remote = RemoteEvaluator(slot, requests, 0)
    x = np.zeros((1, 2, 3, 3), np.float32)
    mask = np.ones((1, 9), np.uint8)
    np.testing.assert_allclose(remote(x, mask)[0], NetEvaluator(nets[0], "cpu")(x, mask)[0], atol=1e-6)
    run.save_checkpoint(net_state(nets[1], {"name": "tictactoe"}), 10)
    want = NetEvaluator(nets[1], "cpu")(x, mask)[0]
    deadline = time.monotonic() + 10
    while not np.allclose(remote(x, mask)[0], want, atol=1e-6):
        assert time.monotonic() < deadline, "the server never loaded the new checkpoint"
        time.sleep(0.1)
    stop.set()
    server.join(timeout=5)
    run.close()


def test_the_closing_rate_counts_the_games_written_as_the_actors_stop(tmp_path):
    from seigen.selfplay.run import run_selfplay

    # no shard is due before the stop: every game reaches the trainer in the actors' last flush
    cfg = tiny_cfg(tmp_path, max_minutes=2, shard_seconds=1e6, final_eval=False)
    actor_log = tmp_path / "run" / "logs" / "actor-0.log"
    playing_since: list[float] = []

    def status(cfg, row, latest_eval, elapsed):
        if not playing_since and actor_log.exists() and "playing" in actor_log.read_text():
            playing_since.append(elapsed)
        if playing_since and elapsed - playing_since[0] > 3:
            os.kill(os.getpid(), signal.SIGINT)  # the run's own stop: it saves and closes

    summary = run_selfplay(cfg, status)
    assert summary["interrupted"] and summary["failure"] is None and summary["positions"] > 0
    assert summary["positions_per_s"] == pytest.approx(summary["positions"] / (60 * summary["minutes"]))
