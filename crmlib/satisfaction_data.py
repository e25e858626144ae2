"""Seeded generator of chapter 7's synthetic customer-satisfaction survey.

One file ships under ``datasets/synthetic/`` and is rebuilt, byte for byte, by
:func:`survey_csv` (a test regenerates it and compares the bytes):

* ``satisfaction_survey.csv`` — :func:`generate_survey`: 1,500 customers of a
  subscription service answer 13 Likert items on four drivers (product,
  service, price/value, communication), rate their overall satisfaction, say
  how likely they are to recommend the firm (0–10) and whether they will stay
  (stated loyalty, 1 = will certainly switch … 5 = will certainly stay).

The answers come from a planted latent structure, **drivers → satisfaction →
loyalty**, so the chapter can show what the reliability checks, the NPS and the
ordered logit recover:

1. Four latent driver scores per respondent, standard normal with correlation
   0.35 between any two (a general "halo"); the second survey wave (respondents
   751–1,500, independent of the first) has a service score 0.30 higher (a
   service programme between the waves).
2. Each item is ``loading × driver + sqrt(1 − loading²) × noise``, cut into
   1–5 at :data:`ITEM_CUTS`. Loadings are 0.70–0.85, except
   ``communication_3`` (0.30): an item that measures something else, which
   Cronbach's α-if-item-deleted should single out.
3. Latent satisfaction = :data:`SATISFACTION_WEIGHTS` · drivers + noise (sd
   0.55), standardised; overall satisfaction 1–7, and the recommendation score
   0–10 from satisfaction plus noise.
4. Stated loyalty follows an ordered logit: 1.5 × satisfaction + 0.35 × value
   driver + a standard logistic error, cut at :data:`LOYALTY_CUTS`.

Regenerate with ``python -m crmlib.satisfaction_data`` (then
``python tools/rehash_datasets.py satisfaction_survey``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._synthetic import csv_text, write_csv
from ._validate import MAX_ROWS, check_int, check_size

__all__ = [
    "SURVEY_SEED", "SURVEY_N", "SCALES", "ITEMS", "ITEM_RANGE", "SATISFACTION_RANGE", "RECOMMEND_RANGE",
    "LOYALTY_LEVELS", "LOADINGS", "ITEM_CUTS", "SATISFACTION_WEIGHTS", "LOYALTY_CUTS", "WAVE2_SERVICE_SHIFT",
    "generate_survey", "survey_csv", "write_all",
]

SURVEY_SEED, SURVEY_N = 20250707, 1500

#: The four drivers and their items (column names of the survey).
SCALES: dict[str, tuple[str, ...]] = {
    "product": ("product_1", "product_2", "product_3"),
    "service": ("service_1", "service_2", "service_3", "service_4"),
    "value": ("value_1", "value_2", "value_3"),
    "communication": ("communication_1", "communication_2", "communication_3"),
}
#: Every item, in column order.
ITEMS: tuple[str, ...] = tuple(i for items in SCALES.values() for i in items)
#: Likert items: 1 = strongly disagree … 5 = strongly agree.
ITEM_RANGE = (1, 5)
#: Overall satisfaction: 1 = very dissatisfied … 7 = very satisfied.
SATISFACTION_RANGE = (1, 7)
#: Likelihood to recommend: 0 = not at all likely … 10 = extremely likely.
RECOMMEND_RANGE = (0, 10)
#: Stated loyalty codes, 1 … 5.
LOYALTY_LEVELS = {1: "will certainly switch", 2: "will probably switch", 3: "undecided",
                  4: "will probably stay", 5: "will certainly stay"}
#: Loading of each item on its driver (communication_3 is the weak item).
LOADINGS = {"product_1": 0.80, "product_2": 0.78, "product_3": 0.72,
            "service_1": 0.82, "service_2": 0.80, "service_3": 0.76, "service_4": 0.74,
            "value_1": 0.85, "value_2": 0.80, "value_3": 0.70,
            "communication_1": 0.80, "communication_2": 0.76, "communication_3": 0.30}
#: Cuts of the latent item score into the answers 1 | 2 | 3 | 4 | 5.
ITEM_CUTS = (-1.9, -1.0, -0.15, 0.85)
#: Weights of the drivers in latent satisfaction.
SATISFACTION_WEIGHTS = {"product": 0.40, "service": 0.35, "value": 0.25, "communication": 0.10}
#: Cuts of standardised satisfaction into 1 … 7.
SATISFACTION_CUTS = (-2.3, -1.6, -0.9, -0.25, 0.55, 1.35)
#: Cuts of the latent recommendation score into 0 … 10.
RECOMMEND_CUTS = (-2.6, -2.2, -1.85, -1.5, -1.15, -0.8, -0.45, -0.05, 0.35, 1.05)
#: Cuts of the latent loyalty score (ordered logit) into 1 … 5.
LOYALTY_CUTS = (-3.2, -1.7, -0.2, 1.6)
#: Shift of the service driver in wave 2.
WAVE2_SERVICE_SHIFT = 0.30
_HALO = 0.35
_SAT_NOISE = 0.55


def _cut(latent: np.ndarray, cuts: tuple[float, ...], first: int) -> np.ndarray:
    return first + np.searchsorted(np.asarray(cuts), latent, side="right")


def generate_survey(n: int = SURVEY_N, seed: int = SURVEY_SEED) -> pd.DataFrame:
    """Draw ``n`` survey respondents from the planted drivers → satisfaction → loyalty structure.

    Parameters
    ----------
    n : int
        Number of respondents, 2 … :data:`crmlib._validate.MAX_ROWS`; the first ``n // 2`` are
        wave 1, the rest wave 2.
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    pandas.DataFrame
        ``respondent_id`` (``S0001`` …), ``wave`` (1 or 2), the 13 items of :data:`ITEMS`
        (1–5), ``satisfaction`` (1–7), ``recommend`` (0–10) and ``loyalty`` (1–5), all ints.

    Notes
    -----
    See the module docstring for the latent structure; the constants of this module hold
    every planted number.
    """
    n = check_size(n, "n", MAX_ROWS, low=2, what="rows")
    seed = check_int(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    drivers = list(SCALES)
    k = len(drivers)
    corr = np.full((k, k), _HALO) + (1 - _HALO) * np.eye(k)
    z = rng.standard_normal((n, k)) @ np.linalg.cholesky(corr).T
    wave = np.where(np.arange(n) < n // 2, 1, 2)
    z[:, drivers.index("service")] += WAVE2_SERVICE_SHIFT * (wave == 2)
    out = pd.DataFrame({"respondent_id": [f"S{i:04d}" for i in range(1, n + 1)], "wave": wave})
    noise = rng.standard_normal((n, len(ITEMS)))
    j = 0
    for d, driver in enumerate(drivers):
        for item in SCALES[driver]:
            lam = LOADINGS[item]
            out[item] = _cut(lam * z[:, d] + np.sqrt(1 - lam ** 2) * noise[:, j], ITEM_CUTS, ITEM_RANGE[0])
            j += 1
    w = np.array([SATISFACTION_WEIGHTS[d] for d in drivers])
    sd = np.sqrt(w @ corr @ w + _SAT_NOISE ** 2)
    sat = (z @ w + _SAT_NOISE * rng.standard_normal(n)) / sd
    out["satisfaction"] = _cut(sat, SATISFACTION_CUTS, SATISFACTION_RANGE[0])
    rec = 0.85 * sat + np.sqrt(1 - 0.85 ** 2) * rng.standard_normal(n)
    out["recommend"] = _cut(rec, RECOMMEND_CUTS, RECOMMEND_RANGE[0])
    u = rng.random(n)
    loyal = 1.5 * sat + 0.35 * z[:, drivers.index("value")] + np.log(u / (1 - u))
    out["loyalty"] = _cut(loyal, LOYALTY_CUTS, 1)
    for c in out.columns[1:]:
        out[c] = out[c].astype(int)
    return out


def survey_csv(n: int = SURVEY_N, seed: int = SURVEY_SEED) -> str:
    """The text of ``satisfaction_survey.csv`` (``\\n`` line ends, integers only).

    Parameters
    ----------
    n : int
        Number of respondents.
    seed : int
        Seed of the generator.

    Returns
    -------
    str
        The CSV text, byte for byte what ``datasets/synthetic/`` ships for the defaults.
    """
    df = generate_survey(n, seed)
    return csv_text({"respondent_id": df["respondent_id"].tolist(),
                     **{c: [str(v) for v in df[c].tolist()] for c in df.columns[1:]}})


def write_all(directory: str | Path | None = None) -> list[Path]:
    """Write ``satisfaction_survey.csv`` into ``directory``.

    Parameters
    ----------
    directory : str or Path, optional
        Target folder (default: ``datasets/synthetic/``).

    Returns
    -------
    list of Path
        The file written.
    """
    return write_csv({"satisfaction_survey.csv": survey_csv()}, directory)


if __name__ == "__main__":  # pragma: no cover
    for path in write_all():
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
