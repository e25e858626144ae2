"""Keep the Chinese edition's code identical to the English: ``python tools/sync_zh.py [NN ...] [--check]``.

The Chinese notebook ``notebooks/zh/NN_<中文标题>.ipynb`` has the same cells as the English
``notebooks/NN_slug.ipynb``, with the same cell ids, in the same order. It is found by its chapter
number and named after the title of its first heading (``# 第 2 章　客户为什么会流失`` gives
``02_客户为什么会流失.ipynb``; a guide's ``# 指南　标题`` likewise), so that a JupyterLab tab shows which edition it holds: a Chinese
notebook whose name has no Chinese yet (a new chapter's draft) is renamed after its heading when it
is synced. This tool rebuilds it from

* every **code** cell of the English notebook, copied as it is — except the parameters
  cell's ``lang = "en"`` line, which becomes ``lang = "zh"``;
* every **markdown** cell of the Chinese notebook, matched to the English cell of the same id
  (the Chinese prose is written, not generated: a markdown cell the Chinese edition lacks is
  an error that names its id, unless ``--draft`` copies the English text in as a placeholder
  to be written over).

``--check`` writes nothing and exits 1 when the Chinese edition differs in any way the tool
would change (tests/test_zh_edition.py asks the same through :func:`differences`).
Without chapter numbers it syncs every chapter.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EN_DIR = ROOT / "notebooks"
ZH_DIR = EN_DIR / "zh"
_LANG_LINE = re.compile(r'^lang\s*=\s*"en"', re.M)
_HEADING = re.compile(r"^#\s*(?:第\s*\d+\s*章|指南)[\s\u3000]*(?P<title>.+?)\s*$", re.M)
_CJK = re.compile(r"[\u4e00-\u9fff]")


def zh_path(en_path: Path) -> Path:
    """The Chinese edition of ``en_path``: the notebook of the same number in notebooks/zh/, or, when
    there is none yet, the English name there."""
    hits = sorted(ZH_DIR.glob(f"{en_path.name[:2]}_*.ipynb"))
    if len(hits) > 1:
        raise SystemExit(f"error: notebooks/zh/ has {len(hits)} notebooks of chapter {en_path.name[:2]}: "
                         + ", ".join(h.name for h in hits))
    return hits[0] if hits else ZH_DIR / en_path.name


def zh_name(nb: dict, number: str) -> str | None:
    """``NN_<title>.ipynb`` from the Chinese notebook's first heading (``# 第 N 章　标题``, a guide's
    ``# 指南　标题``), if it has one."""
    for c in nb.get("cells", []):
        if c.get("cell_type") == "markdown":
            m = _HEADING.search(source(c))
            if m and _CJK.search(m.group("title")):
                title = re.sub(r"[\s\u3000/\\:*?\"<>|：？“”（）()]+", "", m.group("title"))
                return f"{number}_{title}.ipynb"
            return None
    return None


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write(nb: dict, path: Path) -> None:
    """Write ``nb`` the way nbformat does (one-space indent, sources as lists of lines)."""
    for c in nb["cells"]:
        if isinstance(c.get("source"), str):
            c["source"] = c["source"].splitlines(True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def source(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def zh_code(cell: dict) -> str:
    """The Chinese edition's text of an English code cell."""
    src = source(cell)
    if "parameters" in cell.get("metadata", {}).get("tags", []):
        if not _LANG_LINE.search(src):
            raise ValueError(f"cell {cell.get('id')}: the parameters cell has no line lang = \"en\"")
        src = _LANG_LINE.sub('lang = "zh"', src, count=1)
    return src


def build(en: dict, zh: dict | None, draft: bool = False) -> tuple[dict, list[str]]:
    """The Chinese notebook rebuilt from ``en`` and the prose of ``zh``; and the problems found."""
    problems: list[str] = []
    ids = [c.get("id") for c in en["cells"]]
    if None in ids or len(set(ids)) != len(ids):
        problems.append("the English notebook's cells need unique ids")
        return en, problems
    zh_md = {c.get("id"): c for c in (zh or {"cells": []})["cells"] if c["cell_type"] == "markdown"}
    out = copy.deepcopy(en)
    if zh is not None:
        out["metadata"] = copy.deepcopy(zh.get("metadata", en["metadata"]))
        out["metadata"]["kernelspec"] = copy.deepcopy(en["metadata"].get("kernelspec"))
        for k in ("crmnb",):
            if k in en["metadata"]:
                out["metadata"][k] = copy.deepcopy(en["metadata"][k])
    cells = []
    for c in en["cells"]:
        if c["cell_type"] == "code":
            new = copy.deepcopy(c)
            new["source"] = zh_code(c)
            new["outputs"], new["execution_count"] = [], None
        elif c["id"] in zh_md:
            new = copy.deepcopy(zh_md[c["id"]])
            new["metadata"] = {**copy.deepcopy(c.get("metadata", {})), **{k: v for k, v in
                               zh_md[c["id"]].get("metadata", {}).items() if k != "slideshow"}}
        elif draft:
            new = copy.deepcopy(c)
            new.setdefault("metadata", {})["crmnb_draft"] = True
        else:
            problems.append(f"markdown cell {c['id']} has no Chinese text (write it, or use --draft)")
            new = copy.deepcopy(c)
        cells.append(new)
    orphans = sorted(set(zh_md) - set(ids))
    if orphans:
        problems.append(f"Chinese markdown cells with no English counterpart: {', '.join(map(str, orphans))}")
    out["cells"] = cells
    return out, problems


def differences(en_path: Path, zh_path: Path) -> list[str]:
    """What differs between the Chinese edition and what :func:`build` makes of it (empty: in step)."""
    if not zh_path.is_file():
        return [f"{zh_path.relative_to(ROOT)} does not exist"]
    if not _CJK.search(zh_path.name):
        diffs_name = [f"{zh_path.name} has no Chinese name: run tools/sync_zh.py {zh_path.name[:2]}, which names it "
                      "after its heading (# 第 N 章　标题)"]
    else:
        diffs_name = []
    en, zh = read(en_path), read(zh_path)
    want, problems = build(en, zh)
    diffs = diffs_name + list(problems)
    a, b = zh["cells"], want["cells"]
    if [(c["cell_type"], c.get("id")) for c in a] != [(c["cell_type"], c.get("id")) for c in b]:
        diffs.append("the cells' types, ids or order differ from the English edition")
    else:
        for x, y in zip(a, b):
            if x["cell_type"] == "code" and source(x) != source(y):
                diffs.append(f"code cell {x.get('id')} differs from the English")
            if "crmnb_draft" in x.get("metadata", {}):
                diffs.append(f"markdown cell {x.get('id')} is still an English draft")
    return diffs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="*", help="chapter numbers (default: all)")
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything differs")
    ap.add_argument("--draft", action="store_true", help="copy missing markdown cells in English, marked as drafts")
    args = ap.parse_args(argv)
    notebooks = sorted(EN_DIR.glob("[0-9][0-9]_*.ipynb"))
    if args.chapters:
        want = set(args.chapters)
        bad = want - {nb.name[:2] for nb in notebooks}
        if bad:
            print(f"error: no chapter {', '.join(sorted(bad))}; chapters are "
                  f"{', '.join(nb.name[:2] for nb in notebooks)}", file=sys.stderr)
            return 2
        notebooks = [nb for nb in notebooks if nb.name[:2] in want]
    status = 0
    for en_path in notebooks:
        zp = zh_path(en_path)
        if args.check:
            diffs = differences(en_path, zp)
            for d in diffs:
                print(f"{zp.relative_to(ROOT)}: {d}")
            status |= bool(diffs)
            continue
        zh = read(zp) if zp.is_file() else None
        nb, problems = build(read(en_path), zh, draft=args.draft)
        for p in problems:
            print(f"{zp.relative_to(ROOT)}: {p}", file=sys.stderr)
        if problems and not args.draft:
            status = 1
            continue
        write(nb, zp)
        print(f"synced {zp.relative_to(ROOT)}")
        name = zh_name(nb, en_path.name[:2])
        if name and not _CJK.search(zp.name) and name != zp.name:
            zp.rename(zp.with_name(name))
            print(f"renamed {zp.relative_to(ROOT)} -> {name} (after its heading; git add the new name)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
