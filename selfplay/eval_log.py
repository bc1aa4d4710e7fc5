"""``RUN_DIR/eval.jsonl``: one JSON row per evaluation, read back under the current keys.

Rows are appended as whole lines; a torn last line (a crash mid-write) is skipped on
reading, and rows written before ``seigen.engine.ratings``' one key schema are upgraded
(``upgrade_rows``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from seigen.engine.files import append_jsonl, read_jsonl
from seigen.engine.ratings import upgrade_rows


def read_eval(run_dir: str | os.PathLike) -> list[dict[str, Any]]:
    """The rows of ``RUN_DIR/eval.jsonl`` (or of that file), skipping any line that does not
    parse (a torn last line from a crash); no file, no rows. Results written before
    ``seigen.engine.ratings``' one key schema come back under its keys (``upgrade_rows``)."""
    path = Path(run_dir)
    return upgrade_rows(read_jsonl(path / "eval.jsonl" if path.is_dir() else path))


def append_eval(run_dir: str | os.PathLike, row: dict[str, Any]) -> None:
    """Append one row to ``RUN_DIR/eval.jsonl`` (or to the ``.jsonl`` file given) as one line
    (after a newline if the file ends in a torn line, so the torn part stays a line of its own)."""
    path = Path(run_dir)
    append_jsonl(path if path.suffix == ".jsonl" else path / "eval.jsonl", row)
