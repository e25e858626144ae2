"""crmlib.datasets: every shipped file loads; every kind of damage is caught and named."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmlib import datasets
from crmlib.datasets import DatasetError

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", datasets.names())
def test_every_dataset_loads_and_is_documented(name):
    df = datasets.load(name)
    entry = datasets.info(name)
    assert len(df) > 0
    assert list(df.columns) == list(entry["columns"])
    assert entry.get("source") and entry.get("licence"), f"{name}: manifest lacks source or licence"
    readme = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    assert entry["file"] in readme, f"{entry['file']} is not documented in datasets/README.md"


def test_every_file_in_datasets_is_in_the_manifest():
    listed = {e["file"] for e in datasets.manifest().values()}
    mf = json.loads((ROOT / "datasets" / "manifest.json").read_text(encoding="utf-8"))
    listed |= set(mf.get("files", {}))  # non-tabular files (references.bib), hash-checked by tests/test_sources.py
    on_disk = {p.relative_to(ROOT / "datasets").as_posix() for p in (ROOT / "datasets").rglob("*")
               if p.is_file() and p.name not in ("manifest.json", "README.md") and not p.name.startswith(".")}
    assert on_disk <= listed, f"files without a manifest entry: {sorted(on_disk - listed)}"


def test_seed_rows_carry_provenance():
    from crmbook.sources import seeds_dir

    seeds = {p.name for p in seeds_dir().glob("*.txt")} or None
    for name, entry in datasets.manifest().items():
        if not entry["file"].startswith("seed/"):
            continue
        df = datasets.load(name)
        assert (df["seed_file"].str.len() > 0).all() and (df["seed_phrase"].str.len() > 0).all(), name
        if seeds:  # the shared seeds sit beside the clone in CI; check each phrase is really there
            for f, phrase in set(zip(df["seed_file"], df["seed_phrase"])):
                assert f in seeds, f"{name}: unknown seed file {f}"
                text = (seeds_dir() / f).read_text(encoding="utf-8")
                assert phrase in text, f"{name}: phrase {phrase!r} not found in {f}"


def _rehash(d: Path, name: str) -> None:
    mf = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    mf["datasets"][name]["sha256"] = datasets.sha256(d / mf["datasets"][name]["file"])
    (d / "manifest.json").write_text(json.dumps(mf), encoding="utf-8")


def test_changed_byte_is_caught(data_copy):
    f = data_copy / "seed" / "loss_causes.csv"
    f.write_bytes(f.read_bytes().replace(b",68,", b",67,"))
    with pytest.raises(DatasetError, match=r"seed/loss_causes\.csv: SHA-256 mismatch"):
        datasets.load("loss_causes")


def test_missing_column_is_caught(data_copy):
    f = data_copy / "seed" / "loss_causes.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    import csv, io
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    keep = [i for i, c in enumerate(rows[0]) if c != "share_pct"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])
    f.write_text(out.getvalue(), encoding="utf-8")
    _rehash(data_copy, "loss_causes")
    with pytest.raises(DatasetError, match=r"loss_causes\.csv: missing column\(s\) \['share_pct'\]"):
        datasets.load("loss_causes")


def test_share_that_is_not_a_number_is_caught(data_copy):
    f = data_copy / "seed" / "loss_causes.csv"
    f.write_text(f.read_text(encoding="utf-8").replace(",68,", ",sixty-eight,"), encoding="utf-8")
    _rehash(data_copy, "loss_causes")
    with pytest.raises(DatasetError, match=r"column 'share_pct' has a value that is not a number at data row 5"):
        datasets.load("loss_causes")


def test_value_outside_bounds_and_unknown_category_are_caught(data_copy):
    f = data_copy / "seed" / "loss_causes.csv"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace(",68,", ",168,"), encoding="utf-8")
    _rehash(data_copy, "loss_causes")
    with pytest.raises(DatasetError, match=r"'share_pct' is above its maximum 100"):
        datasets.load("loss_causes")
    f.write_text(text.replace("price,company,", "price,government,"), encoding="utf-8")
    _rehash(data_copy, "loss_causes")
    with pytest.raises(DatasetError, match=r"'group_id' has 'government'"):
        datasets.load("loss_causes")


def test_empty_cell_and_bad_bool_are_caught(data_copy):
    f = data_copy / "seed" / "funnel_case.csv"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace(",5,True,", ",5,maybe,", 1), encoding="utf-8")
    _rehash(data_copy, "funnel_case")
    with pytest.raises(DatasetError, match=r"'count_is_upper_bound' must be True/False, data row 3"):
        datasets.load("funnel_case")
    f.write_text(text.replace(",80,False,", ",,False,"), encoding="utf-8")
    _rehash(data_copy, "funnel_case")
    with pytest.raises(DatasetError, match=r"column 'count' is empty at data row 2"):
        datasets.load("funnel_case")


def test_unknown_name_and_missing_file(data_copy):
    with pytest.raises(DatasetError, match="unknown dataset 'nope'"):
        datasets.load("nope")
    (data_copy / "seed" / "clv_cases.csv").unlink()
    with pytest.raises(DatasetError, match=r"clv_cases\.csv: file not found"):
        datasets.load("clv_cases")
    with pytest.raises(TypeError):
        datasets.load(3)  # type: ignore[arg-type]


def test_a_dataset_loaded_again_is_a_fresh_copy_of_the_same_table():
    first = datasets.load("loss_causes")
    first.iloc[0, first.columns.get_loc("share_pct")] = -1.0
    first.attrs["dataset"] = "changed"
    again = datasets.load("loss_causes")
    assert again.attrs["dataset"] == "loss_causes" and (again["share_pct"] >= 0).all()
    assert again is not datasets.load("loss_causes")


def test_a_file_changed_after_it_was_loaded_is_checked_again(data_copy):
    f = data_copy / "seed" / "loss_causes.csv"
    good = datasets.load("loss_causes")
    raw = f.read_bytes()
    f.write_bytes(raw.replace(b",68,", b",67,"))   # same size, at once: only its bytes tell
    with pytest.raises(DatasetError, match="SHA-256 mismatch"):
        datasets.load("loss_causes")
    _rehash(data_copy, "loss_causes")
    changed = datasets.load("loss_causes")
    assert not changed.equals(good) and changed["share_pct"].sum() == good["share_pct"].sum() - 1
