"""Set RISE / Jupyter slide metadata (``metadata.slideshow.slide_type``) on chapter notebooks.

    python tools/slide_metadata.py notebooks/02_*.ipynb notebooks/zh/02_*.ipynb
    python tools/slide_metadata.py --check notebooks/*.ipynb notebooks/zh/*.ipynb   # exit 1 if any differs

Rules, per cell (the first that applies):

* a Markdown cell that starts with a ``#`` or ``##`` heading -> ``slide``;
* a Markdown cell that starts with a ``###`` heading -> ``subslide``;
* a Markdown cell without a heading right before the parameters cell (it explains how to change
  the parameters: for the notebook, not the lecture) -> ``skip``;
* any other Markdown cell -> ``-`` (continues the current slide);
* the parameters cell, and papermill's injected one -> ``skip``;
* a code cell that shows a figure (calls ``ch.figure(`` or has an image output) -> ``fragment``
  (the figure appears on the section's slide; JupyterLab's RISE extension shows its output);
* a code cell whose output the reader needs (an exercise cell, ``what_if(``, ``ch.say(``,
  ``ch.table(``, ``.show()``) -> ``-``;
* any other code cell -> ``skip``.

Only the ``slideshow`` key of each cell's metadata is written; cell ids, sources and outputs are
kept, so the English and Chinese editions stay identical in their code cells.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

_SHOWN = re.compile(r"answer_\d+_\d+\s*=|what_if\(|ch\.say\(|ch\.table\(|\.show\(\)")


def _text(src: Any) -> str:
    return "".join(src) if isinstance(src, list) else (src or "")


def _is_parameters(cell: dict[str, Any] | None) -> bool:
    tags = (cell or {}).get("metadata", {}).get("tags") or []
    return "parameters" in tags or "injected-parameters" in tags


def slide_type(cell: dict[str, Any], next_cell: dict[str, Any] | None = None) -> str:
    """The ``slide_type`` of one notebook cell (see the module docstring).

    Parameters
    ----------
    cell : dict
        An nbformat cell.
    next_cell : dict, optional
        The cell after it (None for the last cell).

    Returns
    -------
    str
        ``"slide"``, ``"subslide"``, ``"fragment"``, ``"-"`` or ``"skip"``.
    """
    src = _text(cell.get("source")).lstrip()
    if cell.get("cell_type") == "markdown":
        if re.match(r"#{1,2}\s", src):
            return "slide"
        if re.match(r"###\s", src):
            return "subslide"
        return "skip" if _is_parameters(next_cell) else "-"
    if cell.get("cell_type") != "code":
        return "skip"
    if _is_parameters(cell):
        return "skip"
    has_image = any("image/png" in (o.get("data") or {}) for o in cell.get("outputs") or [])
    if "ch.figure(" in src or has_image:
        return "fragment"
    return "-" if _SHOWN.search(src) else "skip"


def apply(path: Path, *, check: bool = False) -> bool:
    """Set (or, with ``check``, compare) the slide metadata of one notebook.

    Parameters
    ----------
    path : Path
        The notebook.
    check : bool
        Only report whether any cell differs; write nothing.

    Returns
    -------
    bool
        True when the notebook already had the metadata the rules give.
    """
    nb = nbformat.read(str(path), as_version=4)
    same = True
    for i, cell in enumerate(nb.cells):
        want = slide_type(cell, nb.cells[i + 1] if i + 1 < len(nb.cells) else None)
        if (cell.metadata.get("slideshow") or {}).get("slide_type") != want:
            same = False
            if not check:
                cell.metadata["slideshow"] = {"slide_type": want}
    if not same and not check:
        nbformat.write(nb, str(path))
    return same


def main(argv: list[str] | None = None) -> int:
    """Command line; returns the exit status."""
    ap = argparse.ArgumentParser(prog="python tools/slide_metadata.py", description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--check", action="store_true", help="report notebooks whose metadata differs; exit 1")
    args = ap.parse_args(argv)
    bad = []
    for path in args.notebooks:
        if not path.is_file():
            print(f"error: no notebook {path}", file=sys.stderr)
            return 2
        if not apply(path, check=args.check):
            bad.append(path)
    verb = "differ" if args.check else "updated"
    print(f"{len(bad)} of {len(args.notebooks)} notebook(s) {verb}" + "".join(f"\n  {p}" for p in bad))
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
