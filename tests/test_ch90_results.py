"""The guide "From your own log to CLV" (notebook 90): its recorded results against independent computations.

Everything here is re-derived without the guide's cells and without crmlib's summaries, models or values:

* the cleaning counts from the shipped file ``datasets/synthetic/own_log.csv`` with plain pandas, and from
  the truth the file was drawn from (``crmlib.own_log_data.own_log_truth``, whose clean log the guide must
  recover exactly);
* the calibration/holdout summary (weeks, days collapsed into purchase occasions) from the truth;
* the BG/NBD log-likelihood, conditional expectation and P(alive) by the formulas of Fader, Hardie & Lee
  (2005), the Gamma-Gamma expected spend by Fader, Hardie & Lee (2005b), evaluated at the recorded
  estimates: the recorded log-likelihood must be what the formula gives, and no nearby parameters may
  give more; the holdout forecast, the customer equity and the top-20 % share follow from the formulas.

The guide runs with its defaults (small mode changes only the number of bootstrap draws).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special

from conftest import values
from crmlib import datasets, own_log_data

CH = "90_your_own_log_to_clv"
CAL_END, OBS_END = pd.Timestamp("2024-06-30"), pd.Timestamp("2024-12-31")
WEEK = 7.0


@pytest.fixture(scope="module")
def r(chapter_results):
    return values(chapter_results(CH))


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(datasets.path("own_log"), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def truth():
    return own_log_data.own_log_truth()


@pytest.fixture(scope="module")
def base(truth):
    """Per customer of the cohort (first purchase before the calibration end's day): x, t_x, T in weeks, the
    mean spend of the repeat occasions, the holdout occasions and spend."""
    days = truth.groupby(["customer", "date"], as_index=False)["amount"].sum()
    cal, hold = days[days["date"] <= CAL_END], days[(days["date"] > CAL_END) & (days["date"] <= OBS_END)]
    g = cal.groupby("customer")
    first, last, n = g["date"].min(), g["date"].max(), g.size()
    first_spend = cal.sort_values("date").groupby("customer")["amount"].first()
    out = pd.DataFrame({"x": n - 1, "tx": (last - first).dt.days / WEEK, "T": (CAL_END - first).dt.days / WEEK,
                        "repeat_spend": (g["amount"].sum() - first_spend) / (n - 1).where(n > 1)})
    out = out[out["T"] > 0]                          # first purchase on the last day: no information (left out)
    out["x_hold"] = hold.groupby("customer").size().reindex(out.index, fill_value=0)
    out["spend_hold"] = hold.groupby("customer")["amount"].sum().reindex(out.index, fill_value=0.0)
    return out


def _bgnbd_loglik(p, b):
    r_, alpha, a, bb = p
    x, tx, T = b["x"].to_numpy(float), b["tx"].to_numpy(float), b["T"].to_numpy(float)
    common = special.gammaln(r_ + x) - special.gammaln(r_) + r_ * np.log(alpha)
    part1 = special.betaln(a, bb + x) - special.betaln(a, bb) - (r_ + x) * np.log(alpha + T)
    part2 = np.where(x > 0, special.betaln(a + 1, bb + np.maximum(x, 1) - 1) - special.betaln(a, bb)
                     - (r_ + x) * np.log(alpha + tx), -np.inf)
    return float(np.sum(common + np.logaddexp(part1, part2)))


def _bgnbd_expected(p, b, t):
    r_, alpha, a, bb = p
    x, tx, T = b["x"].to_numpy(float), b["tx"].to_numpy(float), b["T"].to_numpy(float)
    hyp = special.hyp2f1(r_ + x, bb + x, a + bb + x - 1, t / (alpha + T + t))
    num = (a + bb + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r_ + x) * hyp)
    return num / (1 + (x > 0) * a / (bb + x - 1) * ((alpha + T) / (alpha + tx)) ** (r_ + x))


def _bgnbd_alive(p, b):
    r_, alpha, a, bb = p
    x, tx, T = b["x"].to_numpy(float), b["tx"].to_numpy(float), b["T"].to_numpy(float)
    return 1 / (1 + (x > 0) * a / (bb + x - 1) * ((alpha + T) / (alpha + tx)) ** (r_ + x))


def _params(r, model, names):
    return [r[f"fit.{model}.{n}"] for n in names]


# ----------------------------------------------------------------------------- the cleaning
def test_the_cleaning_counts_what_the_file_holds(r, raw, truth):
    planted = truth.attrs["planted"]
    assert r["raw.lines"] == len(raw) == planted["lines"]
    assert r["raw.ids_as_typed"] == raw.loc[raw["customer"] != "", "customer"].nunique()
    assert r["raw.app_lines"] == (raw["channel"] == "app").sum()
    assert r["cleaning.unread_amounts"] == 0 and r["cleaning.zero_lines"] == 0
    assert r["cleaning.negative_lines"] == raw["amount"].str.startswith(("-", "USD -")).sum()
    assert r["cleaning.repeated_lines"] == raw.duplicated().sum() == planted["duplicate_lines"]
    assert r["cleaning.return_lines"] == planted["return_lines"]
    assert r["cleaning.fully_returned"] == planted["full_returns"]
    assert r["cleaning.one_sale_per_order"] is True and r["cleaning.returns_with_a_sale"] is True
    assert r["cleaning.test_accounts"] == [own_log_data.TEST_ACCOUNT]
    assert r["cleaning.test_orders"] == planted["test_orders"]
    assert r["cleaning.dates_unread"] == 0 and r["cleaning.local_day_is_order_date"] is True


@pytest.fixture(scope="module")
def kept(raw):
    """The sale lines of the file (duplicates dropped) whose order was not returned in full, with the net cents:
    what the guide holds before it drops guests and the test account."""
    lines = raw.drop_duplicates()
    cents = lines["amount"].str.replace(r"[^0-9\-]", "", regex=True).astype(int)
    net = cents.groupby(lines["order_id"]).sum()
    sales = lines[cents >= 0].set_index("order_id")
    return sales.assign(cents=net.reindex(sales.index))[net.reindex(sales.index) > 0]


def test_the_clean_log_is_the_truth(r, truth, kept):
    assert r["clean.orders"] == len(truth) == truth.attrs["planted"]["orders"]
    assert r["clean.customers"] == truth["customer"].nunique() == truth.attrs["planted"]["customers"]
    assert r["clean.revenue"] == pytest.approx(truth["amount"].sum(), abs=1e-6)
    guest = kept["customer"] == ""
    assert r["cleaning.guest_orders"] == int(guest.sum()) > 0
    assert r["cleaning.guest_revenue_share"] == pytest.approx(kept.loc[guest, "cents"].sum() / kept["cents"].sum(),
                                                              rel=1e-9)
    assert r["cleaning.ids_as_typed"] == kept.loc[~guest, "customer"].nunique()
    assert r["cleaning.ids_cleaned"] == kept.loc[~guest, "customer"].str.strip().str.upper().nunique()


def test_dates_and_the_time_zone(r, kept):
    named = kept[kept["customer"] != ""]
    web = named[named["channel"] == "web"]["order_date"]
    day, month = web.str[:2].astype(int), web.str[3:5].astype(int)
    assert r["cleaning.ambiguous_web_dates"] == int(((day <= 12) & (day != month)).sum()) > 0
    local = np.where(named["channel"] == "web", named["order_date"].str[6:] + "-" + named["order_date"].str[3:5] + "-"
                     + named["order_date"].str[:2], named["order_date"])
    utc_day = pd.to_datetime(named["paid_at"], utc=True).dt.strftime("%Y-%m-%d").to_numpy()
    assert r["cleaning.utc_day_differs"] == int((utc_day != local).sum()) > 0


def test_each_refusal_names_its_column_in_crmlibs_words(r):
    refusals = r["cleaning.refusals"]
    assert list(refusals) == ["amount_text", "negative", "missing_id", "day_first", "one_format", "zone"]
    assert refusals["amount_text"].startswith("TypeError: transactions column 'amount' must be numeric")
    assert refusals["negative"].startswith("ValueError: transactions column 'amount' is negative at row")
    assert refusals["missing_id"].startswith("ValueError: transactions column 'customer' has a missing id at row")
    assert "'order_date' has a value that is not a date" in refusals["day_first"] and "ISO 8601" in refusals["day_first"]
    assert "date_format '%d/%m/%Y'" in refusals["one_format"]
    assert "'paid_at' has dates with a UTC offset" in refusals["zone"] and "tz=" in refusals["zone"]
    assert "np.int64" not in "".join(refusals.values())


# ----------------------------------------------------------------------------- the summary and the fits
def test_the_summary(r, base, truth):
    assert r["summary.customers"] == len(base)
    assert r["summary.one_time_buyers"] == int((base["x"] == 0).sum())
    assert r["summary.repeat_calibration"] == int(base["x"].sum())
    assert r["summary.repeat_holdout"] == int(base["x_hold"].sum())
    firsts = truth.groupby("customer")["date"].min()
    assert r["summary.left_out_zero_T"] == int((firsts == CAL_END).sum())
    assert r["summary.after_calibration"] == int((firsts > CAL_END).sum())


def test_the_bgnbd_estimates_maximise_the_published_likelihood(r, base):
    p = _params(r, "bgnbd", ("r", "alpha", "a", "b"))
    ll = _bgnbd_loglik(p, base)
    assert r["fit.bgnbd.llf"] == pytest.approx(ll, rel=1e-9)
    for i in range(4):
        for step in (0.99, 1.01):
            q = list(p)
            q[i] *= step
            assert _bgnbd_loglik(q, base) < ll, (i, step)
    assert r["fit.bgnbd.converged"] and r["fit.pnbd.converged"] and r["fit.gg.converged"]
    assert r["fit.warnings"] == 0


def test_the_estimates_are_near_the_planted_values(r):
    se = r["fit.bgnbd.se"]
    planted = own_log_data.PURCHASE | {"alpha": own_log_data.PURCHASE["alpha"] / WEEK}
    gaps = [abs(r[f"fit.bgnbd.{k}"] - v) / se[k] for k, v in planted.items()]
    assert max(gaps) < 3
    assert r["fit.largest_planted_gap_se"] >= max(gaps) - 1e-9     # the recorded gap covers Gamma-Gamma too
    assert r["fit.largest_planted_gap_se"] < 3
    for k, v in own_log_data.SPEND.items():
        assert r[f"fit.gg.{k}"] == pytest.approx(v, rel=0.35), k


def test_gamma_gammas_independence_check(r, base):
    rep = base[base["x"] > 0]
    assert r["fit.gg.frequency_spend_correlation"] == pytest.approx(
        np.corrcoef(rep["x"], rep["repeat_spend"])[0, 1], abs=1e-9)


# ----------------------------------------------------------------------------- validation and diagnostics
def test_the_holdout_forecast(r, base):
    p = _params(r, "bgnbd", ("r", "alpha", "a", "b"))
    t = (OBS_END - CAL_END).days / WEEK
    assert r["holdout.total.actual"] == int(base["x_hold"].sum())
    assert r["holdout.total.bgnbd"] == pytest.approx(_bgnbd_expected(p, base, t).sum(), rel=1e-7)
    assert r["holdout.error.bgnbd"] == pytest.approx(r["holdout.total.bgnbd"] / r["holdout.total.actual"] - 1)
    assert abs(r["holdout.error.bgnbd"]) < 0.10
    groups = r["holdout.by_frequency"]
    assert groups["0"]["actual"] == pytest.approx(base.loc[base["x"] == 0, "x_hold"].mean(), abs=1e-6)


def test_p_alive_of_one_time_buyers(r, base):
    p = _params(r, "bgnbd", ("r", "alpha", "a", "b"))
    alive = pd.Series(_bgnbd_alive(p, base), index=base.index)
    by = r["alive.mean_by_frequency"]
    assert by["0"]["bgnbd"] == 1.0, "the BG/NBD keeps every one-time buyer alive"
    assert 0 < by["0"]["pnbd"] < 1
    assert by["1"]["bgnbd"] == pytest.approx(alive[base["x"] == 1].mean(), abs=1e-6)
    assert by["3+"]["bgnbd"] == pytest.approx(alive[base["x"] >= 3].mean(), abs=1e-6)


# ----------------------------------------------------------------------------- value and segments
@pytest.fixture(scope="module")
def clv(r, base):
    """Each customer's 3-year CLV at 10 % a year: weekly expected purchases x Gamma-Gamma spend, end of week."""
    p = _params(r, "bgnbd", ("r", "alpha", "a", "b"))
    pp, q, g = _params(r, "gg", ("p", "q", "gamma"))
    weeks = np.arange(0, 157)
    cum = np.column_stack([np.zeros(len(base))] + [_bgnbd_expected(p, base, float(k)) for k in weeks[1:]])
    x, m = base["x"].to_numpy(float), base["repeat_spend"].fillna(0.0).to_numpy()
    spend = pp * (g + x * m) / (pp * x + q - 1)
    return pd.Series(spend * (np.diff(cum, axis=1) @ 1.10 ** (-weeks[1:] / 52)), index=base.index)


def test_customer_equity_and_its_concentration(r, clv, base):
    assert r["clv.equity"] == pytest.approx(clv.sum(), rel=1e-7)
    assert r["clv.mean"] == pytest.approx(clv.mean(), rel=1e-7)
    assert r["clv.one_time_median"] == pytest.approx(clv[base["x"] == 0].median(), rel=1e-7)
    top = np.sort(clv.to_numpy())[::-1][: math.ceil(0.2 * len(clv))]
    assert r["clv.top20_share"] == pytest.approx(top.sum() / clv.sum(), rel=1e-7)
    lo, hi = r["clv.top20_share_ci"]
    assert lo < r["clv.top20_share"] < hi
    assert r["clv.equity_pnbd"] < r["clv.equity"], "the Pareto/NBD lets quiet one-time buyers go"


def test_the_segments_and_who_brought_the_holdout_revenue(r, clv, base):
    counts = r["segments.value_class"]
    assert sum(counts.values()) == sum(r["segments.rfm_class"].values()) == len(base)
    assert counts["key"] == math.ceil(0.2 * len(base))
    top = clv.sort_values(ascending=False).index[: math.ceil(0.2 * len(clv))]
    assert r["segments.by_clv"] == pytest.approx(base.loc[top, "spend_hold"].sum() / base["spend_hold"].sum(),
                                                 rel=1e-7)
    assert 0 < r["segments.agree_share"] < 1


# ----------------------------------------------------------------------------- the diagnostics of Step 6
HOLDOUT_WEEKS = (OBS_END - CAL_END).days / WEEK


def _bgnbd_pmf_new(p, n, t):
    """P(X(t) = n) of a new customer under the BG/NBD (Fader, Hardie & Lee 2005, eq. 8), the tail of the NBD
    written as a finite sum: alive throughout with n purchases, or gone after the n-th."""
    r_, alpha, a, bb = p
    t = np.asarray(t, float)
    q0, q1 = alpha / (alpha + t), t / (alpha + t)
    nbd = lambda j: np.exp(special.gammaln(r_ + j) - special.gammaln(r_) - special.gammaln(j + 1)) * q0 ** r_ * q1 ** j
    alive = np.exp(special.betaln(a, bb + n) - special.betaln(a, bb)) * nbd(n)
    if n == 0:
        return alive
    below = sum(nbd(j) for j in range(n))
    return alive + np.exp(special.betaln(a + 1, bb + n - 1) - special.betaln(a, bb)) * (1 - below)


def _mbgnbd_loglik(p, b):
    """The MBG/NBD log-likelihood (Batislam, Denizel & Filiztekin 2007): the BG/NBD's, with a chance to drop
    out right after the first purchase too (b + x -> b + x + 1, and the second term for x = 0 as well)."""
    r_, alpha, a, bb = p
    x, tx, T = b["x"].to_numpy(float), b["tx"].to_numpy(float), b["T"].to_numpy(float)
    common = special.gammaln(r_ + x) - special.gammaln(r_) + r_ * np.log(alpha) - special.betaln(a, bb)
    part1 = special.betaln(a, bb + x + 1) - (r_ + x) * np.log(alpha + T)
    part2 = special.betaln(a + 1, bb + x) - (r_ + x) * np.log(alpha + tx)
    return float(np.sum(common + np.logaddexp(part1, part2)))


def _bgnbd_none_ahead(p, b, t):
    """P(no purchase in (T, T + t] | x, t_x, T) under the BG/NBD: gone, or alive with a gamma(r + x, α + T) rate
    and no purchase (a BG/NBD customer can only leave right after a purchase)."""
    r_, alpha = p[:2]
    x, T = b["x"].to_numpy(float), b["T"].to_numpy(float)
    alive = _bgnbd_alive(p, b)
    return 1 - alive + alive * ((alpha + T) / (alpha + T + t)) ** (r_ + x)


def test_the_period_transactions_check(r, base):
    counts = pd.DataFrame(r["diagnostics.period.counts"])
    groups = [str(n) for n in range(7)] + ["7+"]
    assert list(counts.index) == groups
    actual = np.bincount(np.minimum(base["x"].to_numpy(int), 7), minlength=8)
    assert counts["actual"].tolist() == actual.tolist()
    for k in ("bgnbd", "mbgnbd", "pnbd"):                  # every customer falls in one group, expected and simulated
        assert counts[k].sum() == pytest.approx(len(base), rel=1e-9), k
        assert sum(r["diagnostics.period.simulated"][k].values()) == pytest.approx(len(base), rel=1e-9), k
    p = _params(r, "bgnbd", ("r", "alpha", "a", "b"))
    for n in range(7):
        assert counts.loc[str(n), "bgnbd"] == pytest.approx(_bgnbd_pmf_new(p, n, base["T"]).sum(), rel=1e-7), n
    rm, am, a, b = _params(r, "mbgnbd", ("r", "alpha", "a", "b"))
    mbg_zero = b / (a + b) * (am / (am + base["T"])) ** rm + a / (a + b)   # P(X(T) = 0): gone at once, or no purchase
    assert counts.loc["0", "mbgnbd"] == pytest.approx(mbg_zero.sum(), rel=1e-7)
    assert r["diagnostics.period.dof"] == 8 - 1 - 4
    for k in ("bgnbd", "mbgnbd", "pnbd"):
        chi2 = ((counts["actual"] - counts[k]) ** 2 / counts[k]).sum()
        assert r["diagnostics.period.chi2"][k] == pytest.approx(chi2, rel=1e-9)
        assert r["diagnostics.compare"][k]["chi2_calibration"] == r["diagnostics.period.chi2"][k]


def test_the_distribution_of_holdout_purchases(r, base):
    held = pd.DataFrame(r["diagnostics.pmf.holdout"])
    assert list(held.index) == ["0", "1", "2", "3", "4+"]
    assert held["actual"].tolist() == np.bincount(np.minimum(base["x_hold"].to_numpy(int), 4), minlength=5).tolist()
    for k in ("bgnbd", "mbgnbd", "pnbd"):
        assert held[k].sum() == pytest.approx(len(base), rel=1e-9), k
        assert (held[k] > 0).all(), k
        chi2 = ((held["actual"] - held[k]) ** 2 / held[k]).sum()
        assert r["diagnostics.compare"][k]["chi2_holdout"] == pytest.approx(chi2, rel=1e-9)
    p = _params(r, "bgnbd", ("r", "alpha", "a", "b"))
    assert held.loc["0", "bgnbd"] == pytest.approx(_bgnbd_none_ahead(p, base, HOLDOUT_WEEKS).sum(), rel=1e-7)
    first = r["diagnostics.pmf.first_year_none"]
    assert first["bgnbd"] == pytest.approx(float(_bgnbd_pmf_new(p, 0, 52.0)), rel=1e-9)
    rm, am, a, b = _params(r, "mbgnbd", ("r", "alpha", "a", "b"))
    assert first["mbgnbd"] == pytest.approx(b / (a + b) * (am / (am + 52.0)) ** rm + a / (a + b), rel=1e-9)
    assert 0 < first["pnbd"] < 1


def test_the_three_models_compared(r, base):
    p = _params(r, "mbgnbd", ("r", "alpha", "a", "b"))
    ll = _mbgnbd_loglik(p, base)
    assert r["fit.mbgnbd.llf"] == pytest.approx(ll, rel=1e-9) and r["fit.mbgnbd.converged"]
    for i in range(4):
        for step in (0.99, 1.01):
            q = list(p)
            q[i] *= step
            assert _mbgnbd_loglik(q, base) < ll, (i, step)
    compare = r["diagnostics.compare"]
    assert set(compare) == {"bgnbd", "mbgnbd", "pnbd"}
    for k, row in compare.items():
        assert row["llf"] == r[f"fit.{k}.llf"]
        assert row["aic"] == pytest.approx(2 * 4 - 2 * row["llf"], rel=1e-12), "four parameters each"
    for k in ("bgnbd", "pnbd"):
        assert compare[k]["holdout_error"] == pytest.approx(r[f"holdout.error.{k}"], rel=1e-9)


def test_the_heterogeneity_is_the_fitted_mixing_distributions(r):
    for k in ("bgnbd", "mbgnbd"):
        r_, alpha, a, b = _params(r, k, ("r", "alpha", "a", "b"))
        assert r[f"diagnostics.heterogeneity.{k}.purchase"] == pytest.approx(r_ / alpha, rel=1e-9)
        assert r[f"diagnostics.heterogeneity.{k}.dropout"] == pytest.approx(a / (a + b), rel=1e-9)
    planted = own_log_data.PURCHASE
    assert r["diagnostics.heterogeneity.planted.purchase"] == pytest.approx(planted["r"] / (planted["alpha"] / WEEK))
    assert r["diagnostics.heterogeneity.planted.dropout"] == pytest.approx(planted["a"] / (planted["a"] + planted["b"]))


def test_one_customers_history_and_intervals(r, base, clv):
    p = _params(r, "bgnbd", ("r", "alpha", "a", "b"))
    alive = pd.Series(_bgnbd_alive(p, base), index=base.index)
    regular = alive[base["x"] >= 4]
    who = r["diagnostics.alive.customer"]
    assert who == (regular - 0.5).abs().idxmin(), "the regular buyer the BG/NBD is least sure about"
    assert r["diagnostics.alive.p_alive"] == pytest.approx(alive[who], rel=1e-9)
    assert r["diagnostics.alive.history_end"] == pytest.approx(alive[who], rel=1e-9), "the history ends at T"
    sure = r["diagnostics.intervals"]
    one = base.loc[[who]]
    assert sure["p_alive"]["estimate"] == pytest.approx(alive[who], rel=1e-9)
    assert (sure["p_alive"]["lower"], sure["p_alive"]["upper"]) == (r["diagnostics.alive.lower"],
                                                                    r["diagnostics.alive.upper"])
    assert sure["expected_purchases"]["estimate"] == pytest.approx(float(_bgnbd_expected(p, one, 52.0)[0]), rel=1e-7)
    assert sure["clv"]["estimate"] == pytest.approx(clv[who], rel=1e-7)
    for q, row in sure.items():
        assert row["lower"] < row["estimate"] < row["upper"] and row["se"] > 0, q
    assert 0 < sure["p_alive"]["lower"] and sure["p_alive"]["upper"] < 1
    assert r["diagnostics.none_next_year"] == pytest.approx(float(_bgnbd_none_ahead(p, one, 52.0)[0]), rel=1e-9)
