"""The install maps the top-level folders under one ``seigen`` namespace and nothing else."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_only_the_seigen_namespace(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("seigen-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"seigen", next(t for t in top if t.endswith(".dist-info"))}, top
    for package in ("engine", "agents", "envs", "selfplay", "ext", "scripts"):
        assert f"seigen/{package}/__init__.py" in names
    assert any(name.startswith("seigen/ext/board.") and name.endswith(".so") for name in names)
    assert "seigen/engine/board.py" in names


def test_modules_import_from_the_namespace():
    import seigen.engine
    import seigen.ext.board

    assert Path(seigen.ext.board.__file__).parent.name == "ext"
    assert hasattr(seigen.engine, "Board")
