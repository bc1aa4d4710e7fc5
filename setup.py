"""Build the Cython core; everything else about the package lives in pyproject.toml.

The sources sit in ``ext/`` but the modules are ``seigen.ext.*``, so Cython is given an
include directory where the ``.pxd`` files appear under their package path.
"""

import shutil
from pathlib import Path

from Cython.Build import cythonize
from setuptools import Extension, setup

ROOT = Path(__file__).parent
INCLUDE = ROOT / "build" / "cython_include"
pkg = INCLUDE / "seigen" / "ext"
pkg.mkdir(parents=True, exist_ok=True)
for parent in (INCLUDE / "seigen", pkg):
    (parent / "__init__.pxd").touch()
for pxd in (ROOT / "ext").glob("*.pxd"):
    shutil.copyfile(pxd, pkg / pxd.name)

extensions = [
    Extension("seigen.ext.board", ["ext/board.pyx"], extra_compile_args=["-O3"]),
    Extension("seigen.ext.tree", ["ext/tree.pyx"], extra_compile_args=["-O3"]),
    Extension("seigen.ext.uct", ["ext/uct.pyx"], extra_compile_args=["-O3"]),
]

setup(
    ext_modules=cythonize(
        extensions,
        include_path=[str(INCLUDE)],
        compiler_directives={"language_level": "3"},
    )
)
