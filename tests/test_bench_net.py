"""``seigen bench net``: nets in bfloat16 against float32, evaluations and training steps."""

import json

import pytest

from seigen.scripts.bench_net import main, measure, positions, ratios
from seigen.scripts.configs import BenchNetConfig


def test_positions_come_from_games_of_many_lengths():
    feats = positions(9, 12, seed=1)
    stones = feats[:, [0, 8]].sum(axis=(1, 2, 3))
    assert feats.shape == (12, 17, 9, 9) and stones.min() < stones.max()
    assert ((feats == 0) | (feats == 1)).all()


def test_bench_net_measures_both_precisions_and_their_ratio(capsys):
    cfg = BenchNetConfig(batches=(1, 4), train_games=("tictactoe",), seconds=0.05, repeats=2, json=True)
    rows = measure(cfg, show_progress=False)
    keys = [(r["kind"], r["precision"], r["batch"]) for r in rows]
    assert keys == [
        ("eval", "fp32", 1),
        ("eval", "bf16", 1),
        ("eval", "fp32", 4),
        ("eval", "bf16", 4),
        ("train", "fp32", 256),
        ("train", "bf16", 256),
    ]
    for r in rows:
        assert r["per_s"] > 0 and len(r["per_s_runs"]) == 2 and r["unit"]
    evals = [r for r in rows if r["kind"] == "eval"]
    assert all(r["max_policy_diff"] == r["max_value_diff"] == 0 for r in evals if r["precision"] == "fp32")
    assert all(0 < r["max_policy_diff"] < 0.05 for r in evals if r["precision"] == "bf16")
    assert [(r["kind"], r["batch"]) for r in ratios(rows)] == [("eval", 1), ("eval", 4), ("train", 256)]
    assert main(BenchNetConfig(batches=(2,), train_games=(), seconds=0.02, repeats=1, json=True)) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x.get("precision", x.get("ratio")) for x in lines] == ["fp32", "bf16", "bf16/fp32"]


def test_bench_net_refuses_a_bad_model_in_one_line(tmp_path, capsys):
    (tmp_path / "bad.pt").write_bytes(b"junk")
    assert main(BenchNetConfig(model=str(tmp_path / "bad.pt"), seconds=0.01, repeats=1)) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("seigen bench net: error:") and "bad.pt" in err and "\n" not in err


@pytest.mark.parametrize(
    "bad", [{"batches": (0,)}, {"seconds": 0}, {"repeats": 0}, {"batches": (), "train_games": ()}]
)
def test_bench_net_config_refuses_bad_settings(bad):
    with pytest.raises(ValueError):
        BenchNetConfig(**bad)
