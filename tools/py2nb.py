"""Turn a percent-format script (``# %%`` cells) into a clean .ipynb.

Authoring aid: write a chapter as ``chapter.py`` with ``# %% [markdown]`` and
``# %%`` cell markers (``# %% tags=["parameters"]`` for the parameters cell),
then ``python tools/py2nb.py chapter.py notebooks/NN_name.ipynb``. The
notebook in ``notebooks/`` is the source of truth once written.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HEADER = re.compile(r"^# %%(?P<md> \[markdown\])?(?: tags=(?P<tags>\[.*\]))?\s*$")


def convert(text: str) -> dict:
    cells, cur = [], None
    for line in text.splitlines():
        m = HEADER.match(line)
        if m:
            if cur:
                cells.append(cur)
            cur = {"md": bool(m.group("md")), "tags": json.loads(m.group("tags") or "[]"), "lines": []}
            continue
        if cur is None:
            continue
        if cur["md"]:
            line = line[2:] if line.startswith("# ") else ("" if line.strip() == "#" else line)
        cur["lines"].append(line)
    if cur:
        cells.append(cur)
    out = []
    for c in cells:
        while c["lines"] and not c["lines"][-1].strip():
            c["lines"].pop()
        while c["lines"] and not c["lines"][0].strip():
            c["lines"].pop(0)
        src = "\n".join(c["lines"])
        meta = {"tags": c["tags"]} if c["tags"] else {}
        if c["md"]:
            out.append({"cell_type": "markdown", "metadata": meta, "source": src})
        else:
            out.append({"cell_type": "code", "execution_count": None, "metadata": meta, "outputs": [],
                        "source": src})
    for i, c in enumerate(out):
        c["id"] = f"cell-{i:02d}"
    return {"cells": out, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


if __name__ == "__main__":
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    nb = convert(src.read_text(encoding="utf-8"))
    dst.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {dst} ({len(nb['cells'])} cells)")
