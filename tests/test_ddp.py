"""Training with several processes (DDP, gloo on CPUs): the same steps as one process on the
whole batch, batch norm synced over the processes, resume, and the errors."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from selfplay_runs import TINY, audit, finish, seigen
from torch import nn

import seigen.agents.pvnet as pvnet
from seigen.agents.pvnet import PolicyValueNet, SyncBatchNorm2d, load_net, policy_value_loss, sync_batch_norm
from seigen.selfplay.actor import new_game
from seigen.selfplay.config import SelfPlayConfig, resolve
from seigen.selfplay.trainer import Trainer, game_dict, net_spec

BATCH = 64
ATOL = 1e-5


def make_trainer(processes: int, batch_size: int = BATCH, seed: int = 0) -> Trainer:
    """A tic-tac-toe trainer (the preset's small net) on the CPU, its net from ``seed``.

    SGD with momentum, not the preset's AdamW: Adam's first steps move each weight by about
    ``lr * sign(gradient)``, so a weight whose gradient is near 0 turns rounding noise
    into differences of ``lr``, and processes that add in another order would not compare."""
    cfg = SelfPlayConfig(
        game="tictactoe",
        run_dir="-",
        augment=False,
        batch_size=batch_size,
        train_processes=processes,
        optimizer="sgd",
        lr=0.05,
    )
    cfg = resolve(cfg)
    game = new_game(cfg)
    spec = net_spec(cfg, tuple(game.feature_shape), game.num_actions)
    torch.manual_seed(seed)
    return Trainer(cfg, spec, torch.device("cpu"))


def batches(trainer: Trainer, n: int, seed: int) -> list[dict[str, np.ndarray]]:
    """``n`` fixed random batches: 0/1 planes, policies summing to 1, outcomes in {-1, 0, 1}."""
    spec, rng = trainer.spec, np.random.default_rng(seed)
    shape = (BATCH, spec.in_channels, spec.height, spec.width)
    return [
        {
            "features": (rng.random(shape) < 0.3).astype(np.float32),
            "policy": rng.dirichlet(np.ones(spec.actions), BATCH).astype(np.float32),
            "value": rng.choice([-1.0, 0.0, 1.0], BATCH).astype(np.float32),
        }
        for _ in range(n)
    ]


def state(trainer: Trainer) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in trainer.net.state_dict().items()}


def max_difference(
    a: dict[str, torch.Tensor], b: dict[str, torch.Tensor], params_only: bool = False
) -> float:
    assert a.keys() == b.keys()
    keys = [k for k in a if not params_only or ("running" not in k and "num_batches" not in k)]
    return max(float((a[k].double() - b[k].double()).abs().max()) for k in keys)


def per_rank_batch_norm_step(trainer: Trainer, batch: dict[str, np.ndarray]) -> None:
    """What DDP with plain batch norms would do, on one process: the mean of the gradients of
    the two halves, each normalised by its own statistics."""
    for group in trainer.optimizer.param_groups:
        group["lr"] = trainer.lr()
    trainer.net.train()
    trainer.optimizer.zero_grad()
    halves = (slice(0, BATCH // 2), slice(BATCH // 2, BATCH))
    losses = [
        policy_value_loss(trainer.model, {k: torch.from_numpy(v[h]) for k, v in batch.items()})[0]
        for h in halves
    ]
    (sum(losses) / 2).backward()
    trainer.optimizer.step()
    trainer.step += 1


def test_two_processes_train_as_one_process_on_the_whole_batch():
    data = batches(make_trainer(1), 5, seed=1)
    one, split = make_trainer(1), make_trainer(1)
    initial = state(one)
    with make_trainer(2) as ddp:
        assert isinstance(ddp.net, PolicyValueNet) and isinstance(
            ddp.model, nn.parallel.DistributedDataParallel
        )
        assert max_difference(state(ddp), initial) == 0.0
        for batch in data:
            expected = one.train_step(batch)
            got = ddp.train_step(batch)
            assert got["loss"] == pytest.approx(expected["loss"], rel=1e-5)  # the whole batch's loss
            assert got["value_loss"] == pytest.approx(expected["value_loss"], rel=1e-5)
            per_rank_batch_norm_step(split, batch)
        assert ddp.samples == one.samples == 5 * BATCH
        assert max_difference(state(ddp), state(one)) < ATOL  # parameters and running statistics
        checkpoint = ddp.state_dict(game_dict(ddp.cfg))["model"]
        assert checkpoint.keys() == one.net.state_dict().keys()  # no "module." prefix, same norms
    # the test means something: training moved the net, and batch norms by halves would not do
    assert max_difference(state(one), initial, params_only=True) > 100 * ATOL
    assert max_difference(state(split), state(one), params_only=True) > 100 * ATOL
    ddp.close()  # again: nothing happens
    assert not any(w.is_alive() for w in ddp._workers) and not torch.distributed.is_initialized()
    one.close()  # one process: nothing to stop, and it trains on
    one.train_step(data[0])


def test_a_resumed_ddp_trainer_goes_on_as_one_process():
    source = make_trainer(1, seed=3)
    for batch in batches(source, 3, seed=4):
        source.train_step(batch)
    buffer = io.BytesIO()  # a checkpoint as run.py writes it: each trainer loads its own copy
    torch.save({**source.state_dict(game_dict(source.cfg)), "step": source.step}, buffer)
    later = batches(source, 2, seed=5)
    with make_trainer(2) as ddp:
        for batch in batches(ddp, 2, seed=6):  # the workers' net and optimizer state now differ from saved
            ddp.train_step(batch)
        one = make_trainer(1)
        for trainer in (ddp, one):
            buffer.seek(0)
            trainer.load_state_dict(torch.load(buffer))
        for batch in later:
            one.train_step(batch)
            ddp.train_step(batch)
        assert ddp.step == one.step == 5
        assert max_difference(state(ddp), state(one)) < ATOL


def test_a_batch_that_does_not_split_evenly_is_refused():
    with pytest.raises(ValueError, match="--batch-size 63 must be a multiple of --train-processes 2"):
        make_trainer(2, batch_size=63)


def test_a_training_process_that_dies_is_a_clear_error():
    with make_trainer(2) as ddp:
        data = batches(ddp, 2, seed=7)
        ddp.train_step(data[0])
        worker = ddp._workers[0]
        worker.kill()
        worker.join()
        with pytest.raises(RuntimeError, match=r"DDP training process stopped.*--resume"):
            ddp.train_step(data[1])
    assert not worker.is_alive()
    assert not torch.distributed.is_initialized()


@pytest.mark.parametrize("momentum", [0.1, None])
def test_sync_batch_norm_is_batch_norm_in_one_process(momentum, monkeypatch):
    torch.manual_seed(0)
    plain = nn.BatchNorm2d(5, momentum=momentum)
    nn.init.normal_(plain.weight)
    nn.init.normal_(plain.bias)
    synced = sync_batch_norm(nn.Sequential(nn.BatchNorm2d(5, momentum=momentum)))
    synced.load_state_dict({f"0.{k}": v for k, v in plain.state_dict().items()})
    norm = synced[0]
    assert isinstance(norm, SyncBatchNorm2d) and norm.momentum == momentum

    def check(x: torch.Tensor) -> None:
        xs = [x.clone().requires_grad_(), x.clone().requires_grad_()]
        outs = [plain(xs[0]), norm(xs[1])]
        torch.testing.assert_close(outs[1], outs[0])
        weights = torch.randn_like(outs[0])
        for out in outs:
            (out * weights).sum().backward()
        torch.testing.assert_close(xs[1].grad, xs[0].grad)
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            torch.testing.assert_close(getattr(norm, name), getattr(plain, name))

    for _ in range(3):  # outside a process group: nn.BatchNorm2d itself
        check(torch.randn(8, 5, 3, 4) * 3 + 1)
    # the synced formula, with the sums over ranks of one rank: the same numbers and gradients
    monkeypatch.setattr(pvnet, "_distributed", lambda: True)
    monkeypatch.setattr(pvnet, "sum_over_ranks", lambda t: t)
    for _ in range(3):
        check(torch.randn(8, 5, 3, 4) * 3 + 1)
    torch.testing.assert_close(norm.weight.grad, plain.weight.grad)
    torch.testing.assert_close(norm.bias.grad, plain.bias.grad)
    plain.eval()
    norm.eval()
    x = torch.randn(4, 5, 3, 4)
    torch.testing.assert_close(norm(x), plain(x))


def test_sync_batch_norm_swaps_every_norm_and_keeps_the_checkpoint_keys():
    cfg = resolve(SelfPlayConfig(game="tictactoe", run_dir="-"))
    game = new_game(cfg)
    net = PolicyValueNet(net_spec(cfg, tuple(game.feature_shape), game.num_actions))
    before = dict(net.state_dict(keep_vars=True))
    assert sync_batch_norm(net) is net
    norms = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    assert norms and all(type(m) is SyncBatchNorm2d for m in norms)
    after = net.state_dict(keep_vars=True)
    assert after.keys() == before.keys()
    assert all(after[k] is before[k] for k in before)  # the same tensors: an optimizer keeps them


def test_a_selfplay_run_trains_with_two_processes(tmp_path):
    run = tmp_path / "run"
    code, _, err = finish(seigen(*TINY, "--run-dir", str(run), "--max-steps", "12", "--train-processes", "2"))
    assert code == 0, err
    audit(run)
    _, state = load_net(run)  # a plain net's checkpoint: no DDP prefixes in its keys
    assert state["step"] == 12
    assert not any(k.startswith("module.") for k in state["model"])
