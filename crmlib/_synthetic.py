"""The files of crmlib's seeded synthetic datasets: their CSV text, writing them, and the regeneration check.

Each generator module (:mod:`crmlib.crosssell_data`, :mod:`crmlib.satisfaction_data`,
:mod:`crmlib.accounts_data`) draws its tables from a fixed seed and formats every column as
text; this module turns those columns into the CSV text that ships under
``datasets/synthetic/``, writes the files, and tells whether a regenerated text is byte for
byte the shipped file (the tests regenerate every file and compare).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

__all__ = ["bool_text", "csv_text", "write_csv", "matches_shipped"]


def bool_text(values: Any) -> list[str]:
    """Booleans as the files write them: ``True`` / ``False``.

    Parameters
    ----------
    values : array-like of bool

    Returns
    -------
    list of str
    """
    return np.where(np.asarray(values, dtype=bool), "True", "False").tolist()


def csv_text(columns: Mapping[str, Sequence[str]]) -> str:
    """The CSV text of columns already formatted as text: a header line, then one line per row, ``\\n`` ends.

    Parameters
    ----------
    columns : mapping of column name -> sequence of str
        In file order; every column has the same length. A value holding a comma or a double
        quote is quoted as RFC 4180 says (``"$1,234.50"``, inner quotes doubled); values must
        not hold line breaks.

    Returns
    -------
    str
    """
    def field(v: str) -> str:
        if "\n" in v or "\r" in v:
            raise ValueError(f"a CSV value holds a line break: {v!r}")
        return '"' + v.replace('"', '""') + '"' if ("," in v or '"' in v) else v

    lines = [",".join(columns)] + [",".join(field(v) for v in row) for row in zip(*columns.values())]
    return "\n".join(lines) + "\n"


def write_csv(texts: Mapping[str, str], directory: str | Path | None = None) -> list[Path]:
    """Write CSV texts, UTF-8, into ``directory``.

    Parameters
    ----------
    texts : mapping of file name -> str
        The files' texts (e.g. ``{"accounts.csv": accounts_csv()}``).
    directory : str or Path, optional
        Target folder, created if needed (default: ``datasets/synthetic/``).

    Returns
    -------
    list of Path
        The files written, in the order of ``texts``.
    """
    from .datasets import data_dir

    d = Path(directory) if directory is not None else data_dir() / "synthetic"
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in texts.items():
        p = d / name
        p.write_bytes(text.encode("utf-8"))
        out.append(p)
    return out


def matches_shipped(name: str, text: str) -> bool:
    """Whether ``text`` is byte for byte the shipped file of dataset ``name``, and that file its manifest checksum.

    Parameters
    ----------
    name : str
        A dataset of the manifest (``"accounts"``, ``"baskets"`` …).
    text : str
        The regenerated CSV text.

    Returns
    -------
    bool
    """
    from . import datasets

    file = datasets.path(name)
    return file.read_bytes() == text.encode("utf-8") and datasets.sha256(file) == datasets.info(name)["sha256"]
