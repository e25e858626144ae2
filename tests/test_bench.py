"""The benchmark harness's correctness checks (bench/), on tiny inputs and without lifetimes.

No timings are asserted here: performance lives in ``make bench``.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import compare, synth  # noqa: E402
from bench.compare import Target  # noqa: E402

END = str(synth.observation_end(60))[:10]


@pytest.fixture(scope="module")
def log():
    return synth.transactions(3_000, 300, days=60, seed=7)


def _summary(log):
    return compare.plain_summary(log["customer_id"], log["date"], log["amount"], END)


def test_synthetic_log_is_deterministic(log):
    again = synth.transactions(3_000, 300, days=60, seed=7)
    for k in log:
        assert log[k].dtype == again[k].dtype
        assert log[k].tobytes() == again[k].tobytes()
    other = synth.transactions(3_000, 300, days=60, seed=8)
    assert other["customer_id"].tobytes() != log["customer_id"].tobytes()


def test_synthetic_log_shape(log):
    assert set(log) == {"customer_id", "date", "amount"}
    assert all(len(v) == 3_000 for v in log.values())
    assert np.array_equal(np.unique(log["customer_id"]), np.arange(300))
    days = log["date"].astype("datetime64[D]")
    assert days.min() >= synth.START and days.max() <= synth.observation_end(60)
    assert (log["amount"] > 0).all()
    assert np.array_equal(np.round(log["amount"], 2), log["amount"])
    # same-day purchases exist, so both implementations must merge them into one occasion
    pairs = np.unique(np.stack([log["customer_id"], days.astype(np.int64)]), axis=1).shape[1]
    assert pairs < 3_000
    assert len(np.unique(log["date"])) > pairs  # ... at different times of the day


@pytest.mark.parametrize("bad", [dict(n_rows=10, n_customers=20), dict(n_rows=10, n_customers=0)])
def test_synthetic_log_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match="n_"):
        synth.transactions(**bad)


def test_save_load_round_trip(log, tmp_path):
    back = synth.load(synth.save(log, tmp_path / "log"))
    assert all(np.array_equal(back[k], log[k]) for k in log)


def test_plain_summary_hand_example():
    s = compare.plain_summary(np.array([1, 1, 1, 2]),
                              np.array(["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-08"], dtype="datetime64[ns]"),
                              np.array([10.0, 5.0, 20.0, 7.0]), "2024-01-29", unit_days=7.0)
    assert s["customer_id"].tolist() == [1, 2]
    assert s["frequency"].tolist() == [1, 0]
    assert s["recency"].tolist() == [2.0, 0.0]
    assert s["T"].tolist() == [4.0, 3.0]
    assert s["monetary_value"].tolist() == [20.0, 0.0]


def test_identical_summaries_pass(log):
    s = _summary(log)
    res = compare.compare_summaries(s, {k: v.copy() for k, v in s.items()})
    assert res["ok"] and res["problems"] == [] and res["customers"] == 300
    tiny = dict(s, monetary_value=s["monetary_value"] + 1e-12)
    assert compare.compare_summaries(tiny, s)["ok"]


@pytest.mark.parametrize("column, delta", [("frequency", 1.0), ("recency", 1.0), ("T", 1e-9),
                                           ("monetary_value", 1e-6)])
def test_deliberate_mismatch_is_flagged(log, column, delta):
    s = _summary(log)
    bad = {k: v.copy() for k, v in s.items()}
    bad[column][5] += delta
    res = compare.compare_summaries(bad, s)
    assert not res["ok"]
    assert len(res["problems"]) == 1
    assert res["problems"][0].startswith(column) and f"customer {s['customer_id'][5]!r}" in res["problems"][0]


def test_missing_customer_and_nan_are_flagged(log):
    s = _summary(log)
    short = {k: v[1:] for k, v in s.items()}
    res = compare.compare_summaries(short, s)
    assert not res["ok"] and "customers differ" in res["problems"][0]
    nan = {k: v.copy() for k, v in s.items()}
    nan["monetary_value"][0] = np.nan
    assert not compare.compare_summaries(nan, s)["ok"]


def test_worker_summary_matches_plain_oracle(log, tmp_path):
    """The crmlib side of the RFM case, end to end through bench/worker.py, on a tiny log."""
    pytest.importorskip("crmlib.clv.rfm")
    data = synth.save(log, tmp_path / "log")
    out = tmp_path / "summary"
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "worker.py"), "rfm", "--impl", "crmlib",
                        "--data", str(data), "--end", END, "--out", str(out), "--warm", "2"],
                       capture_output=True, text=True, cwd=ROOT)
    line = [x for x in p.stdout.splitlines() if x.startswith("BENCH-RESULT ")]
    assert p.returncode == 0 and line, p.stderr
    meta = json.loads(line[0].split(" ", 1)[1])
    assert meta["rows"] == 3_000 and meta["customers"] == 300
    assert meta["warm_calls"] == 2 and meta["cold_seconds"] > 0 and meta["seconds"] > 0
    res = compare.compare_summaries(compare.load_summary(out), _summary(log))
    assert res["ok"], res["problems"]


def test_compare_params():
    ref = {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}
    ok = compare.compare_params(dict(ref, b=2.4262), ref)
    assert ok["ok"] and ok["worst"] == "b" and ok["max_abs_diff"] == pytest.approx(3e-4)
    bad = compare.compare_params(dict(ref, alpha=4.4156), ref)
    assert not bad["ok"] and bad["worst"] == "alpha" and "alpha" in bad["problems"][0]
    assert not compare.compare_params(dict(ref, r=float("nan")), ref)["ok"]
    assert not compare.compare_params({"r": 1.0}, ref)["ok"]


def test_targets():
    assert Target("speed-up", 12.0, ">=", 10, "x").met
    assert not Target("speed-up", 9.9, ">=", 10, "x").met
    assert Target("seconds", 9.0, "<=", 10, " s").met
    missed = Target("seconds", None, "<=", 10, " s")
    assert not missed.met and missed.describe().startswith("MISSED") and "not measured" in missed.describe()
    with pytest.raises(ValueError, match="op"):
        Target("x", 1.0, "==", 1.0)


def _results(**cases):
    env = {"date": "2026-01-01 00:00 UTC", "cpus": 2, "python": "3.11", "load_before": 0.1, "load_after": 0.2,
           "project": {"numpy": "2", "pandas": "3", "scipy": "1"}, "reference": {"lifetimes": "0.11.3"}}
    return {"args": {"repeat": 1, "repeat_collection": 1}, "environment": env, **cases}


def test_report_says_plainly_what_is_missing_or_wrong():
    from bench import run

    rfm = {"rows": 100, "customers": 10, "errors": {"crmlib": "ModuleNotFoundError: No module named 'crmlib.clv.rfm'"},
           "lifetimes": {"seconds": 1.0, "peak_rss_mb": 100.0}}
    fits = {"customers": 2357, "models": {"bgnbd": {"label": "BG/NBD", "errors": {"crmlib": "ImportError: btyd"}}}}
    col = {"langs": "en", "workers": 2, "chapters": "all", "errors": {},
           "chapters": {"jobs": 2, "seconds": 40.0, "per_job_seconds": {"02 [en]": 20.0}},
           "floor": {"jobs": 2, "seconds": 20.0, "per_job_seconds": {"floor [en]": 10.0}}, "ratio": 2.0}
    md, ts, wrong = run.report(_results(rfm=rfm, fits=fits, collection=col))
    assert {t.name for t in ts if not t.met} >= {"RFM summary speed-up vs lifetimes", "Collection / floor",
                                                  "Collection wall time", "BG/NBD fit speed-up vs lifetimes"}
    assert any("crmlib.clv.rfm" in w for w in wrong) and any("btyd" in w for w in wrong)
    assert "**Missed:**" in md and "MISSED  Collection / floor: 2x" in md and "| 02 [en] | 20.0 | 2.0 | — |" in md


def test_collection_time_is_split_into_figures_and_the_rest():
    from bench import run

    col = {"langs": "en", "workers": 2, "chapters": "all", "errors": {},
           "chapters": {"jobs": 2, "seconds": 12.0, "figures": 20,
                        "per_job_seconds": {"02 [en]": 10.0, "05 [en]": 14.0},
                        "per_job_figure_seconds": {"02 [en]": 2.0, "05 [en]": 3.0}},
           "floor": {"jobs": 2, "seconds": 8.0, "per_job_seconds": {"floor [en]": 7.0}},
           "ratio": 1.5, "trivial_figure_seconds": 0.2}
    text = "\n".join(run.explain_collection(col))
    # 24 s against 2 x 7 = 14 s; 5 s of figures; the rest 19 s = 1.36x; 1.5 x 14 - 19 = 2 s for 20 figures
    assert "took 24.0 s, the floor's 14.0 s (1.71×)" in text and "took 5.0 s of it" in text
    assert "1.36× the floor" in text and "leaves 2.0 s for all 20 figures" in text and "100 ms a figure" in text
    assert "takes 200 ms here — so 1.5× cannot hold" in text
    roomy = dict(col, trivial_figure_seconds=0.05)
    assert "cannot hold" not in "\n".join(run.explain_collection(roomy))
    md, _, _ = run.report(_results(collection=col))
    assert "| 05 [en] | 14.0 | 2.0 | 3.0 |" in md and "cannot hold" in md
    assert run.explain_collection(dict(col, chapters={"jobs": 2, "seconds": 12.0})) == []


def test_update_readme_replaces_only_between_markers(tmp_path):
    from bench import run

    readme = tmp_path / "README.md"
    readme.write_text("# T\n\n## Performance\n<!-- bench-table:start (x) -->\nold\n<!-- bench-table:end -->\n\n## Next\n")
    assert run.update_readme("# Benchmark results (today)\n\n| a |\n", readme)
    text = readme.read_text()
    assert "old" not in text and "| a |" in text and text.endswith("<!-- bench-table:end -->\n\n## Next\n")
    assert text.startswith("# T\n\n## Performance\n<!-- bench-table:start (x) -->\nResults of `make bench` (today)")
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n")
    assert not run.update_readme("x", plain) and plain.read_text() == "no markers\n"


def test_other_load_is_reported():
    from bench import run

    base = {"load_before": 0.3}
    assert run._others(base) == "Load average before the run: 0.30."
    quiet = run._others(dict(base, others_cpu_seconds=2.0, others_share=0.01))
    assert "2 CPU-seconds" in quiet and "noisy" not in quiet
    assert "noisy" in run._others(dict(base, others_cpu_seconds=200.0, others_share=0.4))
