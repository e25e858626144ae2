"""Plotting for the chapters: one submodule per topic, pure matplotlib/seaborn.

Every plot function takes ``lang`` ("en"/"zh") for its labels and ``ax=None``
(a new figure is made when ``ax`` is None), returns the Axes, and never calls
``plt.show()``. Computation lives in the topic modules (``crmlib.loss`` …);
plot functions only draw what they are given.
"""
from __future__ import annotations

from typing import Any

__all__ = ["get_ax", "PALETTE"]

#: Colour-blind-safe palette (Okabe & Ito 2008) used across the chapters.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")


def get_ax(ax: Any = None, figsize: tuple[float, float] | None = None) -> Any:
    """Return ``ax`` or, when it is None, the Axes of a new figure."""
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    _, new = plt.subplots(figsize=figsize)
    return new
