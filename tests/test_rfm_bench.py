"""bench/scale.py (the RFM scale case of ``make bench``): the chunked Parquet log, the workers, the report."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("duckdb", reason="DuckDB is in the test and scale extras")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import compare, scale  # noqa: E402
from bench.compare import Target  # noqa: E402


def _read(folder: Path) -> dict[str, np.ndarray]:
    import duckdb

    return duckdb.sql(f"SELECT * FROM read_parquet('{folder}/*.parquet') ORDER BY ALL").fetchnumpy()


def test_chunked_log_is_seeded_complete_and_reused(tmp_path):
    a = scale.generate(tmp_path / "a", rows=30_000, customers=3_000, days=100, seed=4, chunk_rows=7_000)
    b = scale.generate(tmp_path / "b", rows=30_000, customers=3_000, days=100, seed=4, chunk_rows=7_000)
    assert len(list(a.glob("*.parquet"))) == 5  # ceil(30,000 / 7,000) chunks, never one big array
    la, lb = _read(a), _read(b)
    assert len(la["customer_id"]) == 30_000
    assert np.array_equal(np.unique(la["customer_id"]), np.arange(3_000))  # every customer, ids unique per chunk
    for k in la:
        assert np.array_equal(la[k], lb[k]), k
    stamp = (a / "_COMPLETE.json").stat().st_mtime_ns
    scale.generate(a, rows=30_000, customers=3_000, days=100, seed=4, chunk_rows=7_000)  # same spec: reused
    assert (a / "_COMPLETE.json").stat().st_mtime_ns == stamp
    c = _read(scale.generate(tmp_path / "c", rows=30_000, customers=3_000, days=100, seed=5, chunk_rows=7_000))
    assert not np.array_equal(c["amount"], la["amount"])


def test_duckdb_and_pandas_workers_give_the_same_summary(tmp_path):
    data = scale.generate(tmp_path / "log", rows=20_000, customers=2_000, days=60, seed=1)
    out = {}
    for engine in ("pandas", "duckdb"):
        extra = ["--memory-limit", "200MB", "--spill", str(tmp_path / "spill")] if engine == "duckdb" else []
        p = subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), engine, "--data", str(data), "--end",
                            "2024-02-29", "--out", str(tmp_path / engine), *extra],
                           capture_output=True, text=True, cwd=ROOT, timeout=600)
        assert p.returncode == 0, p.stderr
        line = [x for x in p.stdout.splitlines() if x.startswith("BENCH-RESULT ")][0]
        out[engine] = json.loads(line[len("BENCH-RESULT "):])
        assert out[engine]["peak_rss_mb"] > 0
    chk = compare.compare_summaries(compare.load_summary(tmp_path / "duckdb"), compare.load_summary(tmp_path / "pandas"))
    assert chk["ok"], chk["problems"]
    assert out["duckdb"]["customers"] == out["pandas"]["customers"] > 1_000
    assert out["duckdb"]["left_out_zero_T"] == out["pandas"]["left_out_zero_T"]


def _result(peak: float, ok: bool = True) -> dict:
    chk = {"ok": ok, "customers": 10, "problems": [] if ok else ["recency differs at 3 customers"],
           "max_abs_diff": {"frequency": 0.0, "recency": 0.0 if ok else 1.0, "T": 0.0, "monetary_value": 1e-14}}
    return {"errors": {}, "memory_limit": "1GB", "end": "2025-12-30",
            "small": {"rows": 10_000_000, "customers": 1_000_000, "pandas": {"seconds": 3.0, "peak_rss_mb": 1100.0},
                      "duckdb": {"seconds": 9.0, "peak_rss_mb": 700.0}, "check_duckdb_vs_pandas": chk,
                      "spark": {"seconds": 60.0, "startup_seconds": 20.0, "spark": "4.3.0", "cores": 2},
                      "check_spark_vs_duckdb": chk},
            "big": {"rows": 100_000_000, "customers": 10_000_000, "parquet_mb": 1200.0,
                    "duckdb": {"seconds": 120.0, "peak_rss_mb": peak}}}


def test_targets_and_table_say_what_was_met():
    ts, wrong = scale.targets(_result(1500.0), Target)
    assert [t.met for t in ts] == [True] and not wrong
    rows = scale.table_rows(_result(1500.0))
    assert any("100,000,000 rows" in r[0] and r[-1] == "met" for r in rows)
    ts, wrong = scale.targets(_result(2500.0, ok=False), Target)
    assert [t.met for t in ts] == [False]
    assert any("WRONG ANSWER: RFM Spark vs DuckDB" in w for w in wrong)
    assert any(r[-1] == "**missed**" for r in scale.table_rows(_result(2500.0, ok=False)))
    res = _result(1500.0)
    res["errors"]["spark"] = "Spark needs Java 17 or later; found none"
    assert any(w.startswith("NOT RUN: scale spark") for w in scale.targets(res, Target)[1])


def test_java_version_is_parsed(monkeypatch):
    outs = {'openjdk version "17.0.15" 2025-04-15': 17, 'java version "1.8.0_392"': 8}
    for text, major in outs.items():
        monkeypatch.setattr(scale.shutil, "which", lambda name: "/usr/bin/java")
        monkeypatch.setattr(scale.subprocess, "run",
                            lambda *a, **k: subprocess.CompletedProcess(a, 0, stdout="", stderr=text))
        assert scale.java_major() == major
    monkeypatch.setattr(scale.shutil, "which", lambda name: None)
    assert scale.java_major() is None
