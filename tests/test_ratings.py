"""One ratings schema for every match, old evaluation rows read under it, JSON-lines files, devices.

The statistics themselves (Wilson, Elo) are checked in ``test_match.py``, the ladder in
``test_evaluator.py``.
"""

from __future__ import annotations

import json

import pytest

from seigen.engine.arena import play_match
from seigen.engine.devices import resolve_device, resolve_precision
from seigen.engine.files import append_jsonl, read_jsonl
from seigen.engine.match import GameRecord, MatchSettings
from seigen.engine.match_records import summarize
from seigen.engine.ratings import (
    INTERVAL_KEYS,
    RESULT_KEYS,
    elo_interval,
    head_to_head,
    ladder_from_rows,
    upgrade_rows,
    wilson_interval,
)
from seigen.selfplay.evaluator import read_eval


class FirstLegal:
    def __init__(self, name: str) -> None:
        self.name = name

    def select(self, games):
        return [int(g.legal_actions()[0]) for g in games]


def test_head_to_head_is_wdl_win_rate_and_elo_with_intervals():
    result = head_to_head(7, 2, 1)
    assert tuple(result) == RESULT_KEYS
    assert result["games"] == 10 and result["wdl"] == "7-2-1" and result["points"] == 8.0
    assert (result["wilson_low"], result["wilson_high"]) == wilson_interval(8.0, 10)
    assert (result["elo"], result["elo_low"], result["elo_high"]) == elo_interval(8.0, 10)
    json.dumps(head_to_head(10, 0, 0), allow_nan=False)  # a clean sweep stays finite
    empty = head_to_head(0, 0, 0)
    assert empty["games"] == 0 and all(empty[k] is None for k in INTERVAL_KEYS)
    with pytest.raises(ValueError):
        head_to_head(1, -1, 0)


def test_engine_matches_and_agent_matches_report_the_same_keys():
    outcome = play_match(FirstLegal("a"), FirstLegal("b"), "tictactoe", 4)
    assert set(RESULT_KEYS) <= set(outcome.summary())
    records = [
        GameRecord(0, "A", "B", "A", "B+R", "resign", 20),
        GameRecord(1, "B", "A", None, "0", "two passes", 30),
    ]
    summary = summarize(records, {"A": "a", "B": "b"}, {"A": "a", "B": "b"}, MatchSettings("a", "b", games=2))
    a = summary["engines"]["A"]
    assert {k: a[k] for k in RESULT_KEYS} == head_to_head(1, 1, 0)
    assert {k: summary[k] for k in INTERVAL_KEYS} == {k: a[k] for k in INTERVAL_KEYS}


def test_rows_written_with_the_old_keys_read_under_the_current_ones(tmp_path):
    old = {"games": 4, "wins": 3, "draws": 0, "losses": 1, "wdl": "3-0-1"}
    old |= {"elo_diff": 190.8, "elo_diff_low": -90.1, "elo_diff_high": 480.2}
    row = {"player": "step-1", "vs": {"random": old, "previous": {"error": "gone"}}, "elo": 150.0}
    (tmp_path / "eval.jsonl").write_text(json.dumps(row) + "\n" + '{"player": "step-2", "vs')  # torn
    (read,) = read_eval(tmp_path)
    assert read["vs"]["random"]["elo"] == 190.8 and read["vs"]["random"]["elo_high"] == 480.2
    assert not any(k.startswith("elo_diff") for k in read["vs"]["random"])
    assert read["vs"]["previous"] == {"error": "gone"} and read["elo"] == 150.0
    assert upgrade_rows([read]) == [read]  # current rows come back the same
    assert ladder_from_rows([read]).ratings()["step-1"]["elo"] > 0


def test_jsonl_append_after_a_torn_line_and_read_skipping_it(tmp_path):
    path = tmp_path / "rows.jsonl"
    assert read_jsonl(path) == []
    append_jsonl(path, {"n": 1}, {"n": 2})
    with open(path, "a") as f:
        f.write('{"n": 3, "tor')
    append_jsonl(path, {"n": 4})
    append_jsonl(path)  # nothing to add
    assert [r["n"] for r in read_jsonl(path)] == [1, 2, 4]
    assert path.read_text().count("\n") == 4


def test_resolve_device_is_the_one_meaning_of_auto():
    torch = pytest.importorskip("torch")
    present = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") == resolve_device(None) == resolve_device() == present
    assert resolve_device("auto", auto="cpu") == "cpu"
    assert resolve_device("cpu") == "cpu" and resolve_device("cuda:1") == "cuda:1"
    assert resolve_device(torch.device("cpu")) == "cpu"


def test_resolve_precision_is_bf16_only_where_the_hardware_has_it(monkeypatch):
    torch = pytest.importorskip("torch")
    assert resolve_precision("fp32", "cuda") == "fp32" and resolve_precision("bf16", "cpu") == "bf16"
    assert resolve_precision("auto", "cuda") == resolve_precision(None, "cuda") == "bf16"
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    assert resolve_precision("auto", "cpu") == "fp32"
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True, raising=False)
    assert resolve_precision("auto", "cpu") == "bf16"
    monkeypatch.delattr(torch.cpu, "_is_amx_tile_supported")  # an older torch: no way to tell
    assert resolve_precision("auto", "cpu") == "fp32"
    with pytest.raises(ValueError, match="precision must be one of auto, fp32, bf16, not 'fp16'"):
        resolve_precision("fp16", "cpu")
