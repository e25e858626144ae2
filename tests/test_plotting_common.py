"""Shared plotting helpers: labels wrap without cutting words, the style is applied explicitly."""
from __future__ import annotations

import matplotlib
import pytest

from crmlib.plotting import apply_style, weight, wrap_label


@pytest.mark.parametrize("text, width, zh, want", [
    ("Poor communication, needs not understood", 13, 6, "Poor\ncommunication,\nneeds not\nunderstood"),
    ("Product price", 14, 7, "Product price"),
    ("竞争对手的活动", 14, 6, "竞争对\n手的活\n动"[:0] + "竞争对手\n的活动"),
    ("缺乏沟通技巧，没有掌握客户需求", 14, 7, "缺乏沟通技巧，\n没有掌握\n客户需求"),
    ("处理投诉事务不当", 14, 7, "处理投诉\n事务不当"),
])
def test_wrap_label_never_cuts_a_latin_word_and_balances_chinese_lines(text, width, zh, want):
    got = wrap_label(text, width, zh)
    assert got == want
    assert got.replace("\n", " " if text.isascii() else "") == text
    if text.isascii():
        assert all(w in text.split() for line in got.split("\n") for w in line.split())


def test_wrap_label_rejects_bad_arguments():
    with pytest.raises(TypeError, match="text must be a string"):
        wrap_label(3, 10)
    with pytest.raises(ValueError, match="width must be a positive integer"):
        wrap_label("abc", 0)


def test_style_is_applied_only_when_asked():
    matplotlib.rcdefaults()
    before = matplotlib.rcParams["svg.hashsalt"]
    from crmbook import Chapter  # noqa: F401  (importing changes nothing)
    assert matplotlib.rcParams["svg.hashsalt"] == before
    apply_style("zh")
    assert matplotlib.rcParams["svg.hashsalt"] == "crm-notebooks"
    assert weight("zh") == "normal" or matplotlib.rcParams["axes.titleweight"] == "bold"
    apply_style("en")
    assert weight("en") == "bold"


def _normalised(rc):
    from cycler import cycler
    from matplotlib.colors import to_rgba

    out = dict(rc)
    cyc = out["axes.prop_cycle"].by_key()
    out["axes.prop_cycle"] = cycler(color=[to_rgba(c) for c in cyc.pop("color", [])], **cyc)
    return out


def test_the_style_sheet_is_what_seaborn_set_theme_sets():
    """crmnb.mplstyle carries seaborn's theme; regenerate it with tools/write_style.py when this fails."""
    import matplotlib as mpl
    import matplotlib.style
    import seaborn as sns

    from crmlib.plotting import SEABORN_THEME, STYLE

    with mpl.rc_context():
        mpl.rcdefaults()
        sns.set_theme(**SEABORN_THEME)
        want = _normalised(mpl.rcParams)
        mpl.rcdefaults()
        matplotlib.style.use(str(STYLE))
        got = _normalised(mpl.rcParams)
    differ = sorted(k for k in want if want[k] != got[k])
    assert not differ, (f"{STYLE.name} differs from seaborn.set_theme(**SEABORN_THEME) in {differ}; "
                        "run tools/write_style.py")


def test_applying_the_style_does_not_import_seaborn():
    import subprocess
    import sys

    code = ("import sys; import matplotlib; matplotlib.use('agg'); from crmlib.plotting import apply_style; "
            "apply_style('zh'); import matplotlib as mpl; "
            "assert mpl.rcParams['axes.grid'] and not mpl.rcParams['axes.spines.top']; "
            "print('seaborn' in sys.modules, 'scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]
