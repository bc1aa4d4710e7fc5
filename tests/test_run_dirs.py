"""The run-directory module: checkpoint names, the ``latest`` pointer and following the newest net."""

from __future__ import annotations

import pytest
import torch

from seigen.agents.runs import (
    CheckpointError,
    NewestCheckpoint,
    RunDir,
    checkpoint_steps,
    checkpoints_newest_first,
    latest_checkpoint,
    load_checkpoint,
)


def test_newest_checkpoint_loads_each_new_net_once_and_retries_one_that_fails(tmp_path):
    with RunDir(tmp_path / "run", {"game": "toy"}) as run:
        follow = NewestCheckpoint(tmp_path / "run", every=0)
        assert follow.current() is None and follow.poll() is None  # no checkpoint yet
        run.save_checkpoint({"w": torch.zeros(1)}, 5)
        assert follow.poll()["step"] == 5 and follow.name == "step-000000005.pt"
        assert follow.poll() is None  # unchanged: nothing loaded
        path = run.save_checkpoint({"w": torch.ones(1)}, 9)
        path.write_bytes(b"torn")
        with pytest.raises(CheckpointError, match=r"step-000000009\.pt"):
            follow.poll()
        assert follow.name == "step-000000005.pt"  # still the last good one
        run.save_checkpoint({"w": torch.ones(1)}, 9)
        assert follow.poll()["step"] == 9


def test_latest_falls_back_to_the_highest_step_and_resume_tries_newest_first(tmp_path):
    with RunDir(tmp_path / "run", {"game": "toy"}) as run:
        for step in (3, 20, 100):
            run.save_checkpoint({"w": torch.zeros(1)}, step)
    checkpoints = tmp_path / "run" / "checkpoints"
    assert [s for s, _ in checkpoint_steps(checkpoints)] == [3, 20, 100]  # lowest step first
    (checkpoints / "latest").write_text("step-000000020.pt\n")
    assert latest_checkpoint(tmp_path / "run").name == "step-000000020.pt"
    assert [p.name for p in checkpoints_newest_first(tmp_path / "run")][:2] == [
        "step-000000020.pt",
        "step-000000100.pt",
    ]
    (checkpoints / "latest").write_text("")  # torn pointer: the highest step on disk
    assert latest_checkpoint(tmp_path / "run").name == "step-000000100.pt"
    assert load_checkpoint(latest_checkpoint(tmp_path / "run"))["step"] == 100
