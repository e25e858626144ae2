"""Write ``crmlib/plotting/crmnb.mplstyle``: every setting ``seaborn.set_theme(**SEABORN_THEME)`` makes.

Run it after changing :data:`crmlib.plotting.SEABORN_THEME` or upgrading seaborn
(``tests/test_plotting_common.py`` fails until the file matches)::

    .venv/bin/python tools/write_style.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _value(v: object) -> str:
    """An rc value as a style sheet line reads it back (hex colours without '#', lists comma-joined)."""
    import enum

    from cycler import Cycler
    from matplotlib.colors import to_hex, to_rgba

    if isinstance(v, Cycler):
        parts = []
        for key, vals in v.by_key().items():
            vals = [to_hex(x, keep_alpha=to_rgba(x)[3] < 1)[1:] if key == "color" else _value(x) for x in vals]
            parts.append(f"{key!r}, [" + ", ".join(repr(x) for x in vals) + "]")
        return "cycler(" + ", ".join(parts) + ")"
    if isinstance(v, enum.Enum):
        return str(v.value)
    if isinstance(v, str):
        return v[1:] if v.startswith("#") else v
    if isinstance(v, (list, tuple)):
        return ", ".join(_value(x) for x in v)
    return str(v)


def theme_settings() -> dict[str, object]:
    """The rc keys ``seaborn.set_theme(**SEABORN_THEME)`` sets, with the values it sets them to."""
    import matplotlib as mpl
    import seaborn as sns

    from crmlib.plotting import SEABORN_THEME

    theme = SEABORN_THEME
    keys = set(sns.axes_style(theme["style"])) | set(sns.plotting_context(theme["context"]))
    keys |= {"axes.prop_cycle", "patch.facecolor", "font.family"} | set(theme["rc"])
    with mpl.rc_context():
        mpl.rcdefaults()
        sns.set_theme(**theme)
        return {k: mpl.rcParams[k] for k in sorted(keys)}


def main() -> int:
    import seaborn as sns

    from crmlib.plotting import STYLE

    lines = [f"# The CRM Notebooks theme: what seaborn {sns.__version__} set_theme(**crmlib.plotting.SEABORN_THEME)",
             "# sets. Written by tools/write_style.py; do not edit by hand.", ""]
    lines += [f"{k}: {_value(v)}" for k, v in theme_settings().items()]
    STYLE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {STYLE} ({len(lines) - 3} settings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
