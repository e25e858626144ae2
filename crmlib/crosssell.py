"""Cross-selling and retention: the source's bank figure, what data say, and market baskets.

Three ideas, one module (they are the three halves of the same argument):

* **The source's numbers.** Seed text 000 (留住顾客的概率) prints the
  probability that a bank keeps a customer by the services held.
  :func:`source_retention` validates that table and :func:`read_source`
  spells out what the numbers would imply if read as annual retention.
* **Retention and the number of products.** :func:`retention_by_products`
  tabulates the share of customers who stayed, with binomial confidence
  intervals; :func:`fit_retention_logit` fits a logit of staying (statsmodels)
  on the number of products or on the product types and returns a
  :class:`RetentionLogit` with average marginal effects; :func:`whatif_cross_sell`
  works out the value of cross-selling one more product.
* **Market baskets.** :func:`basket_matrix` turns long baskets into a
  basket × item table, :func:`pair_rules` mines every pair rule
  ``A → B`` with support, confidence and lift in a few matrix products,
  :func:`rule_by_group` follows one rule across days and times.

Definitions (Agrawal, Imieliński & Swami 1993; Brin et al. 1997), for ``N``
baskets of which ``n_A`` hold A, ``n_B`` hold B and ``n_AB`` hold both:
support = n_AB / N, confidence = n_AB / n_A, lift = N · n_AB / (n_A · n_B).
"""
from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._logit import LogitResults, fit_logit, odds_ratio_table
from ._validate import (as_float_array, check_aligned, check_at_most, check_columns, check_finite_result, check_int,
                        check_names, check_nonnegative, check_not_empty, check_number, check_probability,
                        check_unique, check_whole, plain)

__all__ = [
    "PRODUCTS", "DAYS", "TIME_SLOTS", "source_retention", "read_source", "compare_with_source", "check_customers",
    "retention_by_products",
    "RetentionLogit", "fit_retention_logit", "CrossSellWhatIf", "whatif_cross_sell", "cross_sell_cases",
    "check_baskets", "basket_matrix",
    "rule_metrics", "pair_rules", "lift_matrix", "time_slot", "rule_by_group",
]

PRODUCTS = ("checking", "savings", "card", "loan", "investment")
#: Days of the week as the baskets name them, Monday first.
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Shopping times of day: name -> (first hour, last hour), inclusive.
TIME_SLOTS = {"morning": (8, 11), "afternoon": (12, 16), "evening": (17, 21)}


# --------------------------------------------------------------------------- the source's table
def source_retention(table: pd.DataFrame) -> pd.DataFrame:
    """Validate the source's "probability kept" table and index it by holding.

    Parameters
    ----------
    table : DataFrame
        Columns ``holding``, ``n_services`` (int >= 1) and
        ``probability_kept_pct`` (0–100), as in ``datasets/seed/crosssell_retention.csv``.

    Returns
    -------
    The same rows, indexed by ``holding``, values untouched.

    Raises
    ------
    ValueError
        Missing column, NaN, a duplicated holding, fewer than one service, a
        number of services that is not whole, or a probability outside [0, 100].
    """
    check_columns(table, ["holding", "n_services", "probability_kept_pct"], "retention table",
                  numeric=["n_services", "probability_kept_pct"], whole=["n_services"])
    check_unique(table["holding"], "retention table", "holding")
    for col, low, high in (("n_services", 1, None), ("probability_kept_pct", 0, 100)):
        v = table[col].to_numpy(dtype=float)
        bad = (v < low) | ((v > high) if high is not None else np.zeros(v.size, bool))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            rng_txt = f"[{low}, {high}]" if high is not None else f">= {low}"
            raise ValueError(f"retention table column {col!r} must be {rng_txt}, row {plain(table.index[i])!r} has "
                             f"{v[i]:g}")
    return table.set_index("holding", drop=False)


def read_source(table: pd.DataFrame) -> pd.DataFrame:
    """What the printed probabilities would mean if they were annual retention rates.

    Parameters
    ----------
    table : pandas.DataFrame
        The source's table (see :func:`source_retention`).

    Returns
    -------
    pandas.DataFrame
        Per holding: ``n_services``, ``kept_pct`` (as printed), ``lost_pct`` (100 − kept:
        the share that would leave each year), ``mean_years`` (expected stay
        1 / (1 − p) in years if the yearly probability were constant; ``inf`` for
        100 %) and ``times_checking_only`` (kept relative to the first row, the
        "stickiness" reading).
    """
    t = source_retention(table)
    p = t["probability_kept_pct"].to_numpy(dtype=float) / 100.0
    with np.errstate(divide="ignore"):
        years = np.where(p < 1.0, 1.0 / np.maximum(1.0 - p, 1e-300), np.inf)
    base = p[0]
    if base == 0:
        raise ValueError("retention table: the first row's probability is 0, cannot form ratios to it")
    return pd.DataFrame({"n_services": t["n_services"].to_numpy(), "kept_pct": 100 * p, "lost_pct": 100 * (1 - p),
                         "mean_years": years, "times_checking_only": p / base}, index=t.index)


def compare_with_source(observed: pd.Series, model: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """The data's and the model's retention beside the source's printed probabilities, in percent.

    Parameters
    ----------
    observed : pandas.Series
        Share who stayed by number of products (0–1), e.g.
        ``retention_by_products(...)["retention"]``.
    model : pandas.Series
        The model's P(stay) by number of products (0–1), the same labels as ``observed``
        (paired by label).
    table : pandas.DataFrame
        The source's table (``n_services``, ``probability_kept_pct``, optionally ``open_ended``:
        True for a row that means "this many or more"); holdings with the same number of
        services are joined as ``"1 / 0.5"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by number of products (``n_products``): ``data_pct``, ``model_pct`` and
        ``source_pct`` (text; an open-ended row also fills every larger count; empty where the
        source prints nothing).

    Raises
    ------
    TypeError
        ``observed`` or ``model`` not a Series.
    ValueError
        Shares that are not numbers in [0, 1], or ``observed`` and ``model`` with different labels.
    """
    for arg, name in ((observed, "observed"), (model, "model")):
        if not isinstance(arg, pd.Series):
            raise TypeError(f"{name} must be a pandas Series indexed by number of products, got {type(arg).__name__}")
        bad = np.flatnonzero((as_float_array(arg, name) < 0) | (as_float_array(arg, name) > 1))
        if bad.size:
            raise ValueError(f"{name}[{plain(arg.index[bad[0]])!r}] is {arg.iloc[bad[0]]:g}, not a share in [0, 1]")
    model = check_aligned(observed, "observed", model, "model")
    t = source_retention(table)
    printed = t.groupby("n_services")["probability_kept_pct"].apply(lambda v: " / ".join(f"{x:g}" for x in v))
    out = pd.DataFrame({"data_pct": 100 * observed, "model_pct": 100 * model})
    shown = printed.reindex(out.index)
    if "open_ended" in t.columns:
        for n, open_ in zip(t["n_services"], t["open_ended"].astype(str).str.lower() == "true"):
            if open_:
                shown[(shown.index > n) & shown.isna()] = printed[n]
    out["source_pct"] = shown.fillna("").to_numpy()
    return out.rename_axis("n_products")


# --------------------------------------------------------------------------- customers and products
def check_customers(customers: pd.DataFrame, products_col: str = "n_products", churn_col: str = "churned",
                    bool_cols: Sequence[str] = ()) -> None:
    """Validate a customer table: products a non-negative whole number, churn and flags bool.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer.
    products_col, churn_col : str
        Columns of the number of products and of churn (True = left).
    bool_cols : sequence of str
        Further columns that must be bool.

    Returns
    -------
    None

    Raises
    ------
    TypeError
        ``products_col`` not numeric, ``churn_col`` or a ``bool_cols`` column not bool.
    ValueError
        Empty table, missing column, NaN, products < 0 or not whole.
    """
    check_columns(customers, [products_col, churn_col, *bool_cols], "customers", numeric=[products_col],
                  nonnegative=[products_col], whole=[products_col])
    for c in (churn_col, *bool_cols):
        if not pd.api.types.is_bool_dtype(customers[c]):
            raise TypeError(f"customers column {c!r} must be bool (True/False), got dtype {customers[c].dtype}")


def retention_by_products(customers: pd.DataFrame, products_col: str = "n_products", churn_col: str = "churned",
                          alpha: float = 0.05, method: str = "wilson") -> pd.DataFrame:
    """Share of customers who stayed, by number of products, with confidence intervals.

    Parameters
    ----------
    customers : DataFrame
        One row per customer; ``products_col`` (int >= 0) and ``churn_col`` (bool, True = left).
    products_col : str, default "n_products"
        Column with each customer's number of products (the groups).
    churn_col : str, default "churned"
        Bool column, True for a customer who left.
    alpha : float
        1 − confidence level, in (0, 1).
    method : str
        Interval method of ``statsmodels.stats.proportion.proportion_confint``
        (``"wilson"``, ``"beta"`` = Clopper–Pearson, ``"agresti_coull"`` …).

    Returns
    -------
    DataFrame indexed by number of products: ``customers``, ``stayed``,
    ``retention`` (share stayed, 0–1), ``lower``, ``upper``.
    """
    from statsmodels.stats.proportion import proportion_confint

    check_customers(customers, products_col, churn_col)
    check_probability(alpha, "alpha", open_low=True, open_high=True)
    if method not in ("wilson", "beta", "agresti_coull", "jeffreys", "normal"):
        raise ValueError(f"method must be 'wilson', 'beta', 'agresti_coull', 'jeffreys' or 'normal', got {method!r}")
    g = (~customers[churn_col]).groupby(customers[products_col].astype(int))
    n, stayed = g.size(), g.sum()
    lo, hi = proportion_confint(stayed.to_numpy(), n.to_numpy(), alpha=alpha, method=method)
    out = pd.DataFrame({"customers": n.to_numpy(), "stayed": stayed.to_numpy().astype(int),
                        "retention": stayed.to_numpy() / n.to_numpy(), "lower": lo, "upper": hi},
                       index=pd.Index(n.index, name=products_col))
    return out


@dataclass(frozen=True)
class RetentionLogit(LogitResults):
    """A fitted logit of staying (1 = stayed a year) with its average marginal effects.

    ``params``, ``bse``, ``pvalues``, ``nobs``, ``conf_int()`` and ``summary()`` are statsmodels'
    (log-odds of staying), shared with :class:`crmlib.funnel.CloseModel`.

    Attributes
    ----------
    result : statsmodels ``LogitResults``
        The full fit (summary, covariance, likelihood …).
    terms : tuple of str
        Regressors in the order of ``result.params`` after the constant.
    ame : DataFrame
        Average marginal effect (``dydx``), ``se``, ``lower``, ``upper``, ``pvalue``: for a 0/1 term
        (holding a product) the change in P(stay) from not holding to holding it, for any other term
        the slope of P(stay) per unit (not the change for a whole extra unit: see
        :meth:`discrete_effect`), each averaged over customers.
    """

    result: Any
    terms: tuple[str, ...]
    ame: pd.DataFrame

    @property
    def odds_ratios(self) -> pd.DataFrame:
        """Per term (not the constant): ``odds_ratio`` = exp(coefficient), its 95 % Wald interval
        ``lower``, ``upper`` and the coefficient's ``pvalue`` (the same columns as
        :attr:`crmlib.funnel.CloseModel.odds_ratios`)."""
        return odds_ratio_table(self.result, self.terms, 0.05)

    def predict(self, exog: pd.DataFrame | Sequence[float], alpha: float = 0.05) -> pd.DataFrame:
        """P(stay) with a delta-method confidence band on the log-odds scale.

        Parameters
        ----------
        exog : DataFrame or sequence of float
            The term columns, or (one-term models) a sequence of values.
        alpha : float
            1 − confidence level of the band, in (0, 1).

        Returns
        -------
        pandas.DataFrame
            ``p``, ``lower``, ``upper`` (probabilities in [0, 1]).

        Raises
        ------
        TypeError
            A value that is not a number (strings, None; bools only in bool term columns).
        ValueError
            Empty ``exog``, a missing column, NaN or an infinite value, a bad ``alpha``.
        """
        from scipy.stats import norm

        alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
        if not isinstance(exog, pd.DataFrame):
            if len(self.terms) != 1:
                raise ValueError(f"exog must be a DataFrame with columns {list(self.terms)} for this model")
            index = exog.index if isinstance(exog, pd.Series) else None
            exog = pd.DataFrame({self.terms[0]: as_float_array(exog, "exog")}, index=index)
        missing = [c for c in self.terms if c not in exog.columns]
        if missing:
            raise ValueError(f"exog is missing column(s) {missing}")
        cols = []
        for c in self.terms:
            col = exog[c]
            if pd.api.types.is_bool_dtype(col):
                col = col.astype(float)
            cols.append(as_float_array(col, f"exog column {c!r}"))
        X = np.column_stack([np.ones(len(exog))] + cols)
        eta = X @ self.result.params.to_numpy()
        se = np.sqrt(np.einsum("ij,jk,ik->i", X, self.result.cov_params().to_numpy(), X))
        z = norm.ppf(1 - alpha / 2)
        expit = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
        return pd.DataFrame({"p": expit(eta), "lower": expit(eta - z * se), "upper": expit(eta + z * se)},
                            index=exog.index)

    def discrete_effect(self, term: str, data: pd.DataFrame, step: float = 1.0) -> float:
        """Average change in P(stay) when ``term`` rises by ``step`` for every customer in ``data``.

        Parameters
        ----------
        term : str
            One of :attr:`terms`.
        data : pandas.DataFrame
            Customers with the term columns.
        step : float
            The rise of ``term``.

        Returns
        -------
        float
            Mean of P(stay | term + step) − P(stay | term) over ``data``.

        Raises
        ------
        TypeError, ValueError
            ``term`` not a term of the model, a non-finite ``step``, ``data``
            not a DataFrame with the term columns, or a term value that is NaN,
            infinite or not a number.
        """
        if not isinstance(term, str) or term not in self.terms:
            raise ValueError(f"term must be one of {list(self.terms)}, got {term!r}")
        step = check_number(step, "step")
        check_columns(data, list(self.terms), "data",
                      numeric=[c for c in self.terms if not pd.api.types.is_bool_dtype(data[c])]
                      if isinstance(data, pd.DataFrame) and set(self.terms) <= set(data.columns) else ())
        X0 = data[list(self.terms)].astype(float)
        X1 = X0.copy()
        X1[term] = X1[term] + step
        return float((self.predict(X1)["p"] - self.predict(X0)["p"]).mean())


def fit_retention_logit(customers: pd.DataFrame, terms: Sequence[str] | str = ("n_products",),
                        churn_col: str = "churned", alpha: float = 0.05, *, maxiter: int = 35) -> RetentionLogit:
    """Logistic regression of staying a year on the number of products or the product types.

    Parameters
    ----------
    customers : DataFrame
        One row per customer with ``churn_col`` (bool, True = left) and the ``terms``.
    terms : str or sequence of str
        Regressors: numeric (e.g. ``n_products``, must be >= 0 if named
        ``n_products``) or bool product flags (``checking`` … ``investment``).
        A single string is one column name.
    churn_col : str, default "churned"
        Bool column, True for a customer who left; the model's outcome is its negation (stayed).
    alpha : float
        Level for the marginal effects' intervals, in (0, 1).
    maxiter : int
        Newton iterations, 1 … 10,000.

    Returns
    -------
    RetentionLogit
        Fit with average marginal effects (statsmodels ``get_margeff(at="overall", dummy=True)``:
        discrete changes for 0/1 terms, slopes for the others).

    Raises
    ------
    TypeError
        ``terms`` not column names, a term column neither numeric nor bool,
        ``churn_col`` not bool, a bad ``alpha`` or ``maxiter``.
    ValueError
        Empty data, missing column, NaN or an infinite value, negative
        products, no terms, a term that does not vary, or an outcome that does
        not vary.

    Warns
    -----
    crmlib.warnings.SeparationWarning
        A term separates stayers from leavers (e.g. every single-product
        customer left and nobody else did): its coefficient is not finite.
    crmlib.warnings.ConvergenceWarning
        The fit stopped after ``maxiter`` iterations without converging.
    """
    import statsmodels.api as sm

    terms = check_names(terms, "terms")
    alpha = check_probability(alpha, "alpha", open_low=True, open_high=True)
    check_columns(customers, [churn_col, *terms], "customers",
                  numeric=[c for c in terms if c in getattr(customers, "columns", ())
                           and not pd.api.types.is_bool_dtype(customers[c])
                           and pd.api.types.is_numeric_dtype(customers[c])])
    if "n_products" in terms:
        check_customers(customers, "n_products", churn_col)
    elif not pd.api.types.is_bool_dtype(customers[churn_col]):
        raise TypeError(f"customers column {churn_col!r} must be bool (True/False), got dtype "
                        f"{customers[churn_col].dtype}")
    cols = {}
    for c in terms:
        s = customers[c]
        if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
            raise TypeError(f"customers column {c!r} must be numeric or bool, got dtype {s.dtype}")
        if s.isna().any():
            row = plain(s.index[int(np.flatnonzero(s.isna())[0])])
            raise ValueError(f"customers column {c!r} has NaN at row {row!r}")
        if s.nunique() < 2:
            raise ValueError(f"customers column {c!r} does not vary: a logit cannot estimate its effect")
        cols[c] = s.astype(float).to_numpy()
    y = (~customers[churn_col]).astype(float).to_numpy()
    if y.min() == y.max():
        raise ValueError(f"customers column {churn_col!r} does not vary: everyone {'left' if y.max() == 0 else 'stayed'}")
    X = sm.add_constant(pd.DataFrame(cols, index=customers.index), has_constant="add")
    res = fit_logit(y, X, "RetentionLogit", maxiter=maxiter, outcome="stayed")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # 0/0 in statsmodels under separation (warned above)
        # a 0/1 term (holding a product) gets the discrete change P(1) - P(0), not the slope at its value
        mfx = res.get_margeff(at="overall", method="dydx", dummy=True)
    ci = mfx.conf_int(alpha=alpha)
    ame = pd.DataFrame({"dydx": mfx.margeff, "se": mfx.margeff_se, "lower": ci[:, 0], "upper": ci[:, 1],
                        "pvalue": mfx.pvalues}, index=list(terms))
    return RetentionLogit(res, terms, ame)


@dataclass(frozen=True)
class CrossSellWhatIf:
    """What cross-selling one more product to single-product customers keeps (:func:`whatif_cross_sell`).

    Attributes
    ----------
    single : float
        Single-product customers per ``per`` customers of the bank.
    converted : float
        Of those, the customers who take a second product.
    kept : float
        Extra customers still there after a year.
    value : float
        ``kept`` × the yearly margin.
    per : int
        The number of the bank's customers the counts refer to.
    """

    single: float
    converted: float
    kept: float
    value: float
    per: int

    def summary(self) -> pd.Series:
        """The four numbers as a Series (``single``, ``converted``, ``kept``, ``value``).

        Returns
        -------
        pandas.Series
        """
        return pd.Series({"single": self.single, "converted": self.converted, "kept": self.kept,
                          "value": self.value})


def whatif_cross_sell(single_share: float, p_stay_one: float, p_stay_two: float, uptake_pct: float,
                      margin: float, per: int = 10_000) -> CrossSellWhatIf:
    """Customers and value kept by cross-selling one more product to single-product customers.

    Parameters
    ----------
    single_share : float
        Share of the bank's customers who hold one product, in [0, 1].
    p_stay_one, p_stay_two : float
        Probability of staying a year with one and with two products, in [0, 1].
    uptake_pct : float
        Percentage (0–100) of single-product customers who take a second product.
    margin : float
        Yearly margin per customer kept (money, >= 0).
    per : int
        Results per this many customers of the bank.

    Returns
    -------
    CrossSellWhatIf
        ``single``, ``converted``, ``kept`` (extra customers still there after a year) and
        ``value`` (kept × margin), per ``per`` customers.
    """
    single_share = check_probability(single_share, "single_share")
    p1 = check_probability(p_stay_one, "p_stay_one")
    p2 = check_probability(p_stay_two, "p_stay_two")
    uptake = check_number(uptake_pct, "uptake_pct", low=0, high=100)
    margin = check_number(margin, "margin", low=0)
    per = check_int(per, "per", low=1)
    single = per * single_share
    converted = single * uptake / 100.0
    kept = converted * (p2 - p1)
    value = check_finite_result(kept * margin, "the value kept", f"margin ({margin:g}) or per ({per}) is too large")
    return CrossSellWhatIf(single, converted, kept, value, per)


def cross_sell_cases(single_share: float, bases: Mapping[str, tuple[float, float]], uptake_pct: float,
                     margin: float, per: int = 10_000) -> pd.DataFrame:
    """:func:`whatif_cross_sell` under several bases for P(stay) with one and two products.

    Parameters
    ----------
    single_share : float
        Share of the bank's customers who hold one product, in [0, 1].
    bases : mapping
        Basis name (e.g. ``"model"``, ``"source"``) -> (P(stay | 1 product), P(stay | 2 products)).
    uptake_pct, margin, per
        As in :func:`whatif_cross_sell`.

    Returns
    -------
    pandas.DataFrame
        Indexed by basis: ``single``, ``converted``, ``kept``, ``value``; ``attrs`` holds
        ``uptake_pct``, ``margin`` and ``per``.
    """
    if not isinstance(bases, Mapping) or not bases:
        raise ValueError("bases must be a non-empty mapping of name -> (p_stay_one, p_stay_two)")
    rows = {}
    for name, pair in bases.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"bases[{name!r}] must be a (p_stay_one, p_stay_two) pair, got {pair!r}")
        rows[name] = whatif_cross_sell(single_share, pair[0], pair[1], uptake_pct, margin, per).summary()
    out = pd.DataFrame(rows).T.rename_axis("basis")
    out.attrs.update(uptake_pct=float(uptake_pct), margin=float(margin), per=int(per))
    return out


# --------------------------------------------------------------------------- market baskets
def check_baskets(baskets: pd.DataFrame, basket_col: str = "basket_id", item_col: str = "item",
                  extra: Sequence[str] = ()) -> None:
    """Validate long-form baskets: one row per basket and item.

    Parameters
    ----------
    baskets : pandas.DataFrame
        Long baskets.
    basket_col, item_col : str
        Columns of the basket id and the item.
    extra : sequence of str
        Further columns that must have no NaN.

    Returns
    -------
    None

    Raises
    ------
    TypeError
        ``baskets`` not a DataFrame, or an item that is not a string.
    ValueError
        Empty, a missing column, a missing basket id, an item that is NaN or
        empty, or NaN in an ``extra`` column.
    """
    check_not_empty(baskets, "baskets")
    missing = [c for c in (basket_col, item_col, *extra) if c not in baskets.columns]
    if missing:
        raise ValueError(f"baskets is missing column(s) {missing}; it has {list(baskets.columns)}")
    for c, what in ((basket_col, "a missing basket id"), (item_col, "NaN"), *((e, "NaN") for e in extra)):
        na = baskets[c].isna().to_numpy()
        if na.any():
            raise ValueError(f"baskets column {c!r} has {what} at row "
                             f"{plain(baskets.index[int(np.flatnonzero(na)[0])])!r}")
    items = baskets[item_col]
    not_str = ~items.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    if not_str.any():
        i = int(np.flatnonzero(not_str)[0])
        raise TypeError(f"baskets column {item_col!r} must hold strings, row {plain(baskets.index[i])!r} has "
                        f"{plain(items.iloc[i])!r}")
    blank = (items.str.strip() == "").to_numpy()
    if blank.any():
        raise ValueError(f"baskets column {item_col!r} is empty at row "
                         f"{plain(baskets.index[int(np.flatnonzero(blank)[0])])!r}")


def basket_matrix(baskets: pd.DataFrame, basket_col: str = "basket_id", item_col: str = "item") -> pd.DataFrame:
    """Basket × item table of booleans (True = the basket holds the item).

    An item listed twice in one basket counts once: a basket is a *set* of
    items for association rules. Rows follow the order of first appearance
    of the baskets, columns the order of first appearance of the items.

    Parameters
    ----------
    baskets : pandas.DataFrame
        Long baskets (one row per basket and item).
    basket_col, item_col : str
        Columns of the basket id and the item.

    Returns
    -------
    pandas.DataFrame
        Bool, indexed by basket, one column per item.
    """
    check_baskets(baskets, basket_col, item_col)
    b_codes, b_uniq = pd.factorize(baskets[basket_col])
    i_codes, i_uniq = pd.factorize(baskets[item_col])
    m = np.zeros((b_uniq.size, i_uniq.size), dtype=bool)
    m[b_codes, i_codes] = True
    return pd.DataFrame(m, index=pd.Index(b_uniq, name=basket_col), columns=pd.Index(i_uniq, name=item_col))


def rule_metrics(n: Any, n_a: Any, n_b: Any, n_ab: Any) -> dict[str, Any]:
    """Support, confidence and lift of ``A → B`` from counts (scalars or arrays).

    Parameters
    ----------
    n : int
        Number of baskets (> 0).
    n_a, n_b, n_ab : int or array
        Baskets holding A, holding B, holding both: whole numbers with
        0 <= n_ab <= min(n_a, n_b) and n_a + n_b - n_ab <= n.

    Returns
    -------
    dict of ``support``, ``confidence`` (NaN where ``n_a`` is 0), ``lift``
    (NaN where ``n_a`` or ``n_b`` is 0), ``support_a``, ``support_b``.

    Raises
    ------
    TypeError
        A count that is not a number (strings, None, bools), or an ``n`` that is not whole.
    ValueError
        NaN or infinite counts, fractions, negative counts, counts above ``n``,
        ``n_ab`` above ``n_a`` or ``n_b``, more baskets holding A or B than
        there are baskets, arrays of different shapes, or Series with different
        indexes (Series with the same labels in another order are aligned).
    """
    n = check_int(n, "n", low=1)
    n_b = check_aligned(n_a, "n_a", n_b, "n_b")
    n_ab = check_aligned(n_a, "n_a", n_ab, "n_ab")
    raw = {"n_a": n_a, "n_b": n_b, "n_ab": n_ab}
    arrs = {}
    for name, v in raw.items():
        if isinstance(v, (numbers.Number, np.generic)) or v is None or (isinstance(v, np.ndarray) and v.ndim == 0):
            arrs[name] = np.asarray(check_number(v.item() if isinstance(v, (np.generic, np.ndarray)) else v, name))
        else:
            arr = as_float_array(v if not isinstance(v, np.ndarray) or v.ndim == 1 else v.ravel(), name,
                                 allow_empty=True)
            arrs[name] = arr.reshape(np.shape(v)) if isinstance(v, np.ndarray) else arr
    shapes = {k: v.shape for k, v in arrs.items() if v.ndim}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"n_a, n_b and n_ab must have the same shape (or be scalars), got {shapes}")
    a, b, ab = arrs["n_a"], arrs["n_b"], arrs["n_ab"]
    for name, v in (("n_a", a), ("n_b", b), ("n_ab", ab)):
        check_nonnegative(v, name)
        check_whole(v, name)
        check_at_most(v, name, n, "n, the number of baskets")
    check_at_most(ab, "n_ab", a, "n_a", "baskets holding both hold A")
    check_at_most(ab, "n_ab", b, "n_b", "baskets holding both hold B")
    check_at_most(a + b - ab, "(n_a + n_b - n_ab)", n, "n",
                  "more baskets would hold A or B than there are baskets")
    with np.errstate(divide="ignore", invalid="ignore"):
        conf = np.where(a > 0, ab / np.where(a > 0, a, 1), np.nan)
        lift = np.where((a > 0) & (b > 0), n * ab / np.where((a > 0) & (b > 0), a * b, 1), np.nan)
    scalar = all(v.ndim == 0 for v in arrs.values())
    out = {"support": ab / n, "confidence": conf, "lift": lift, "support_a": a / n, "support_b": b / n}
    return {k: float(v) for k, v in out.items()} if scalar else out


def _as_matrix(data: pd.DataFrame) -> pd.DataFrame:
    """Accept a bool basket matrix or long baskets (``basket_id``, ``item``)."""
    check_not_empty(data, "baskets")
    if {"basket_id", "item"} <= set(data.columns) and not all(pd.api.types.is_bool_dtype(data[c]) for c in data):
        return basket_matrix(data)
    bad = [c for c in data.columns if not pd.api.types.is_bool_dtype(data[c])]
    if bad:
        raise TypeError(f"basket matrix column {bad[0]!r} must be bool (or pass long baskets with "
                        f"'basket_id' and 'item'), got dtype {data[bad[0]].dtype}")
    return data


def pair_rules(data: pd.DataFrame, min_support: float = 0.01, min_confidence: float = 0.0) -> pd.DataFrame:
    """Every rule ``A → B`` between two items, with support, confidence and lift.

    Parameters
    ----------
    data : DataFrame
        A bool basket × item matrix (:func:`basket_matrix`) or long baskets
        with ``basket_id`` and ``item``.
    min_support : float
        Keep rules whose pair support is at least this, in (0, 1].
    min_confidence : float
        Keep rules whose confidence is at least this, in [0, 1].

    Returns
    -------
    DataFrame with ``antecedent``, ``consequent``, ``n_ab``, ``support``,
    ``confidence``, ``lift``, ``support_a``, ``support_b``; sorted by lift
    (largest first), ties by antecedent then consequent.

    Notes
    -----
    All pair counts come from one matrix product ``XᵀX`` of the 0/1 basket
    matrix ``X``: its diagonal holds ``n_A``, its off-diagonal ``n_AB``.
    """
    m = _as_matrix(data)
    check_number(min_support, "min_support", low=0, high=1, low_open=True)
    check_probability(min_confidence, "min_confidence")
    x = m.to_numpy(dtype=np.int64)
    co = x.T @ x
    n_item = np.diag(co)
    ia, ib = np.nonzero(~np.eye(co.shape[0], dtype=bool))
    met = rule_metrics(len(m), n_item[ia], n_item[ib], co[ia, ib])
    items = np.asarray(m.columns)
    out = pd.DataFrame({"antecedent": items[ia], "consequent": items[ib], "n_ab": co[ia, ib],
                        "support": met["support"], "confidence": met["confidence"], "lift": met["lift"],
                        "support_a": met["support_a"], "support_b": met["support_b"]})
    keep = (out["support"] >= min_support) & (out["confidence"] >= min_confidence)
    out = out[keep.to_numpy()].sort_values(["lift", "antecedent", "consequent"], ascending=[False, True, True])
    return out.reset_index(drop=True)


def lift_matrix(data: pd.DataFrame, items: Sequence[str] | None = None) -> pd.DataFrame:
    """Item × item lift (symmetric; NaN on the diagonal and where an item never occurs).

    Parameters
    ----------
    data : pandas.DataFrame
        A bool basket matrix or long baskets (as :func:`pair_rules`).
    items : sequence of str, optional
        Picks and orders the items (default: all, in the matrix's order); a single
        string is one item.

    Returns
    -------
    pandas.DataFrame
        Lift, items as index and columns.

    Raises
    ------
    TypeError, ValueError
        As :func:`pair_rules`'s ``data``; ``items`` not names, or naming an
        item that is not in the baskets.
    """
    m = _as_matrix(data)
    if items is not None:
        items = check_names(items, "items")
        unknown = [i for i in items if i not in m.columns]
        if unknown:
            raise ValueError(f"items not in the baskets: {unknown}")
        m = m[list(items)]
    x = m.to_numpy(dtype=np.int64)
    co = x.T @ x
    d = np.diag(co)
    lift = rule_metrics(len(m), d[:, None] * np.ones_like(co), d[None, :] * np.ones_like(co), co)["lift"]
    np.fill_diagonal(lift, np.nan)
    return pd.DataFrame(lift, index=m.columns, columns=m.columns)


def time_slot(hour: Any) -> pd.Series:
    """Name the :data:`TIME_SLOTS` slot of each hour (8–21); other hours raise.

    Parameters
    ----------
    hour : array-like of int
        Hours of the day.

    Returns
    -------
    pandas.Series
        The slot name of each hour.

    Raises
    ------
    TypeError
        ``hour`` is a string, None, bool or holds NaN.
    ValueError
        An hour that is not whole or lies outside 8–21 (infinite included).
    """
    if isinstance(hour, (str, bytes)) or hour is None:
        raise TypeError(f"hour must be whole numbers 8–21, got {type(hour).__name__} {plain(hour)!r}")
    h = pd.Series(hour)
    if not pd.api.types.is_numeric_dtype(h) or pd.api.types.is_bool_dtype(h) or h.isna().any():
        raise TypeError("hour must be whole numbers without NaN")
    hv = h.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        frac = np.isfinite(hv) & (hv % 1 != 0)     # infinite hours fail the opening-hours check below
    if frac.any():
        i = int(np.flatnonzero(frac)[0])
        raise ValueError(f"hour at row {plain(h.index[i])!r} is {h.iloc[i]}, not a whole hour")
    out = pd.Series(pd.NA, index=h.index, dtype="object")
    for name, (lo, hi) in TIME_SLOTS.items():
        out[(h >= lo) & (h <= hi)] = name
    bad = out.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"hour at row {plain(h.index[i])!r} is {h.iloc[i]}, outside the shop's hours 8–21")
    return out.astype(str)


def _calendar_order(level: pd.Index) -> pd.Index:
    """Sort key of a group level: days and time slots in calendar order, anything else as it is."""
    for order in (DAYS, tuple(TIME_SLOTS)):
        if len(level) and level.isin(order).all():
            return pd.Index([order.index(v) for v in level])
    return level


def rule_by_group(baskets: pd.DataFrame, antecedent: str, consequent: str, by: Sequence[str],
                  basket_col: str = "basket_id", item_col: str = "item") -> pd.DataFrame:
    """Support, confidence and lift of one rule within each group of baskets.

    Parameters
    ----------
    baskets : DataFrame
        Long baskets with ``basket_col``, ``item_col`` and the ``by`` columns,
        which must be constant within a basket (e.g. day, time slot).
    antecedent, consequent : str
        The rule's items; both must occur in ``baskets``.
    by : str or sequence of str
        Grouping columns (a single string is one column).
    basket_col : str, default "basket_id"
        Column of the basket id.
    item_col : str, default "item"
        Column of the item name (``antecedent`` and ``consequent`` are values of it).

    Returns
    -------
    DataFrame indexed by the groups (days Monday first and time slots morning first; other
    values sorted): ``baskets``, ``n_a``, ``n_b``, ``n_ab``, ``support``, ``confidence``, ``lift``
    (each group's own base rates).
    """
    by = list(check_names(by, "by"))
    for item, name in ((antecedent, "antecedent"), (consequent, "consequent")):
        if not isinstance(item, str):
            raise TypeError(f"{name} must be an item name (a string), got {type(item).__name__} {item!r}")
    check_baskets(baskets, basket_col, item_col, extra=by)
    for item, name in ((antecedent, "antecedent"), (consequent, "consequent")):
        if not (baskets[item_col] == item).any():
            raise ValueError(f"{name} {item!r} does not occur in baskets column {item_col!r}")
    if antecedent == consequent:
        raise ValueError("antecedent and consequent must differ")
    per = baskets.assign(_a=baskets[item_col] == antecedent, _b=baskets[item_col] == consequent)
    g = per.groupby(basket_col, sort=False)
    keys = g[by].nunique()
    varies = (keys > 1).any(axis=1).to_numpy()
    if varies.any():
        raise ValueError(f"basket {plain(keys.index[int(np.flatnonzero(varies)[0])])!r} has more than one value "
                         f"of {by}")
    bask = pd.concat([g[by].first(), g[["_a", "_b"]].any()], axis=1)
    bask["_ab"] = bask["_a"] & bask["_b"]
    agg = bask.groupby(by, sort=True).agg(baskets=("_a", "size"), n_a=("_a", "sum"), n_b=("_b", "sum"),
                                          n_ab=("_ab", "sum"))
    agg = agg.sort_index(key=_calendar_order)   # Mon … Sun and morning → evening, not alphabetical
    rows = [rule_metrics(int(r.baskets), r.n_a, r.n_b, r.n_ab) for r in agg.itertuples()]
    met = pd.DataFrame(rows, index=agg.index)[["support", "confidence", "lift"]]
    return pd.concat([agg, met], axis=1)
