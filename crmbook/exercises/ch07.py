"""Exercises of chapter 7, "Satisfaction, loyalty and churn". Answers are computed from the synthetic
satisfaction survey and the IBM Telco sample with crmlib; the texts are the label keys ``ch07.ex.*``."""
from __future__ import annotations

from functools import lru_cache

from crmlib import datasets, experiment, satisfaction, satisfaction_data, survival
from . import ChoiceExercise, ExerciseSet, NumberExercise, Solution, YesNoExercise

__all__ = ["EXERCISES"]


@lru_cache(maxsize=1)
def _telco():
    return survival.telco_customers()


@lru_cache(maxsize=1)
def _survey():
    return datasets.load("satisfaction_survey")


def _solve_7_1() -> Solution:
    km = survival.kaplan_meier(_telco(), window=survival.TELCO_WINDOW)
    s12, s24 = km.survival_at([12, 24])["survival"]
    return Solution(100 * s24, {"s24": s24, "s12": s12, "lost": 1 - s24})


def _solve_7_2() -> Solution:
    r = satisfaction.nps_from_counts(80, 60, 60)
    pp, pd_ = r.promoters / r.n, r.detractors / r.n
    naive = 100 * ((pp * (1 - pp) + pd_ * (1 - pd_)) / r.n) ** 0.5       # as if the two shares were independent
    return Solution(r.se, {"nps": r.nps, "se": r.se, "naive": naive})


def _solve_7_3() -> Solution:
    scale = satisfaction_data.SCALES["communication"]
    aid = satisfaction.alpha_if_deleted(_survey(), scale)
    weak = aid["change"].idxmax()
    full = satisfaction.cronbach_alpha(_survey(), scale).alpha
    return Solution(float(aid.loc[weak, "alpha_if_deleted"]),
                    {"without": float(aid.loc[weak, "alpha_if_deleted"]), "alpha": full,
                     "r": float(aid.loc[weak, "item_total_corr"]), "item": weak})


def _solve_7_4() -> Solution:
    cox = survival.fit_cox(_telco(), window=survival.TELCO_WINDOW, **survival.TELCO_COX)
    hr = float(cox.hazard_ratios().loc["contract[One year]", "hazard_ratio"])
    return Solution(1 / hr, {"hr": hr, "times": 1 / hr})


def _solve_7_5() -> Solution:
    n = experiment.sample_size_per_arm(0.30, 0.25)
    return Solution(n, {"n": n, "total": 2 * n})


def _solve_7_6() -> Solution:
    d = _telco()
    kept = survival.churn_by_services(d)
    prof = survival.profile_by_services(d)
    one, others = kept.loc["1"], kept.loc[["2", "3", "4", "5", "6"]]
    not_chance = bool(one["kept_lower"] > others["kept_upper"].max())
    answer = "B" if prof.loc["1", "phone_only"] > 0.5 and not_chance else "C"
    return Solution(answer, {"kept": one["kept"], "lo": one["kept_lower"], "hi": one["kept_upper"],
                             "phone_only": prof.loc["1", "phone_only"], "long": 1 - prof.loc["1", "month_to_month"],
                             "charge": prof.loc["1", "monthly_charges"], "n": int(one["n"]),
                             "best_other": others["kept"].max()})


def _solve_7_7() -> Solution:
    s = _survey()
    waves = [satisfaction.nps(s.loc[s["wave"] == w, "recommend"]) for w in (1, 2)]
    d = satisfaction.nps_difference(waves[0], waves[1])
    significant = d.pvalue < 0.05
    return Solution("yes" if significant else "no",
                    {"diff": d.difference, "lo": d.lower, "hi": d.upper, "p": d.pvalue, "n": waves[0].n,
                     "se": (waves[0].se + waves[1].se) / 2},
                    variant="significant" if significant else "not_significant")


EXERCISES = ExerciseSet("ch07", [
    NumberExercise("7.1", _solve_7_1, unit="percent", decimals=1),
    NumberExercise("7.2", _solve_7_2, decimals=1),
    NumberExercise("7.3", _solve_7_3, decimals=2),
    NumberExercise("7.4", _solve_7_4, decimals=1),
    NumberExercise("7.5", _solve_7_5, unit="count"),
    ChoiceExercise("7.6", _solve_7_6),
    YesNoExercise("7.7", _solve_7_7, words=("significant", "显著")),
])
