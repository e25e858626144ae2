"""Recompute the SHA-256 and the number of data rows of shipped datasets in datasets/manifest.json.

Run after a deliberate change to a data file (e.g. regenerating a synthetic
dataset), then review the diff (``crmlib.datasets.load`` refuses a file whose
bytes or row count disagree with the manifest):

    python tools/rehash_datasets.py            # every entry
    python tools/rehash_datasets.py prospects  # named entries only
    python tools/rehash_datasets.py sources/references.bib  # a non-tabular file ("files" in the manifest)
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]


def sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


mf_path = root / "datasets" / "manifest.json"
mf = json.loads(mf_path.read_text(encoding="utf-8"))
wanted = set(sys.argv[1:]) or set(mf["datasets"])
for name, entry in mf["datasets"].items():
    if name in wanted:
        entry["sha256"] = sha256(root / "datasets" / entry["file"])
        entry.setdefault("rows", 1)   # a new entry: counted below with the loader's own parser
mf_path.write_text(json.dumps(mf, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
sys.path.insert(0, str(root))
os.environ["CRMLIB_DATA_DIR"] = str(root / "datasets")
from crmlib import datasets  # noqa: E402  (after the manifest has every key the loader needs)

for name, entry in mf["datasets"].items():
    if name in wanted:
        entry["rows"] = datasets.count_rows(name)
        print(f"{name}: {entry['sha256']}, {entry['rows']} rows")
for name, entry in mf.get("files", {}).items():  # non-tabular files, e.g. sources/references.bib
    if not sys.argv[1:] or name in wanted:
        entry["sha256"] = sha256(root / "datasets" / name)
        print(f"{name}: {entry['sha256']}")
mf_path.write_text(json.dumps(mf, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
