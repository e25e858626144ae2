"""crmbook.chapter: recorded results and figure files."""
from __future__ import annotations

import json

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from crmbook import Chapter
from crmbook import paper_source, seed_source  # noqa: E402
from crmlib import i18n  # noqa: E402
from crmbook.results import ResultsError, load_results  # noqa: E402

i18n.add_labels({f"ch09.fig.9.{k}": {"en": "A line {n}" if k == 3 else "A line", "zh": "一条线"} for k in (1, 2, 3)}
                | {"ch09.say.hello": {"en": "Hello {name}, {x:.1f} %", "zh": "你好 {name}，{x:.1f}%"},
                   "ch09.ui.knob": {"en": "Knob", "zh": "旋钮"}})


def test_record_writes_json_with_sources_and_matches(tmp_path):
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False, seed=3)
    ch.record("a.b", np.float64(2.5), unit="%", source=seed_source("001.txt", "短语"), expected=2.5)
    ch.record("c", [np.int64(1), 2], expected=[1, 3])
    ch.record("d", {"x": np.bool_(True)})
    ch.save()
    doc = json.loads((tmp_path / "results" / "09_test_chapter.json").read_text(encoding="utf-8"))
    assert doc["params"] == {"lang": "en", "seed": 3, "small": False}
    assert doc["results"]["a.b"] == {"value": 2.5, "unit": "%", "expected": 2.5, "matches": True,
                                     "source": {"kind": "seed", "seed_file": "001.txt", "phrase": "短语"}}
    assert doc["results"]["c"]["matches"] is False
    assert doc["results"]["d"]["value"] == {"x": True}
    assert load_results("09_test_chapter", tmp_path) == doc


def test_tolerances(tmp_path):
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    ch.record("x", 0.7041, expected=0.704, atol=5e-4)
    ch.record("y", 0.7046, expected=0.704, atol=5e-4)
    ch.save()
    r = load_results("09_test_chapter", tmp_path)["results"]
    assert r["x"]["matches"] and not r["y"]["matches"]


def test_bad_records_rejected(tmp_path):
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    with pytest.raises(ValueError, match="non-finite"):
        ch.record("nan", float("nan"))
    with pytest.raises(ValueError, match="dotted identifier"):
        ch.record("has space", 1)
    with pytest.raises(TypeError, match="cannot record"):
        ch.record("obj", object())
    with pytest.raises(ValueError, match="seed_file and phrase"):
        seed_source("", "x")
    with pytest.raises(ValueError, match="citation and where"):
        paper_source("Fader", "")


@pytest.mark.parametrize("kwargs, msg", [
    ({"chapter": "chapter2"}, "chapter must look like"),
    ({"chapter": "09_x", "lang": "fr"}, "lang must be one of"),
    ({"chapter": "09_x", "seed": -1}, "seed must be a non-negative integer"),
    ({"chapter": "09_x", "seed": 1.5}, "seed must be a non-negative integer"),
])
def test_bad_chapter_arguments(tmp_path, kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        Chapter(build_dir=tmp_path, display=False, **kwargs)


def test_figures_saved_under_stable_names_per_language(tmp_path):
    for lang in ("en", "zh"):
        ch = Chapter("09_test_chapter", lang=lang, build_dir=tmp_path, display=False)
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        saved = ch.figure(fig, "9.1", "line")
        ch.save()
        assert saved.number == "9.1" and saved.png.is_file() and saved.svg.is_file()
    assert (tmp_path / "figures" / "09_test_chapter" / "fig-9-1-line.png").is_file()
    assert (tmp_path / "figures" / "zh" / "09_test_chapter" / "fig-9-1-line.svg").is_file()
    doc = load_results("09_test_chapter", tmp_path, "zh")
    assert doc["figures"]["9.1"]["label"] == "图 9.1"
    with pytest.raises(ValueError, match="figure number"):
        ch.figure(plt.figure(), "2.1", "x")
    with pytest.raises(ValueError, match="slug"):
        ch.figure(plt.figure(), "9.2", "Bad Slug")


def test_svg_output_is_deterministic(tmp_path):
    outs = []
    for k in range(2):
        ch = Chapter("09_test_chapter", build_dir=tmp_path / str(k), display=False)
        fig, ax = plt.subplots()
        ax.bar(["a", "b"], [1, 2])
        outs.append(ch.figure(fig, "9.1", "bars").svg.read_bytes())
    assert outs[0] == outs[1]


def test_rng_streams_are_seeded_and_distinct(tmp_path):
    a = Chapter("09_test_chapter", seed=5, build_dir=tmp_path, display=False)
    b = Chapter("09_test_chapter", seed=5, build_dir=tmp_path, display=False)
    assert a.rng(1).integers(1e9) == b.rng(1).integers(1e9)
    assert a.rng(1).integers(1e9) != a.rng(2).integers(1e9)


def _spilling_figure(layout=None):
    """A bar chart whose long tick labels reach past the figure's left edge."""
    fig, ax = plt.subplots(figsize=(5, 3), layout=layout)
    ax.barh(["a very long category name that spills", "short"], [3, 1])
    ax.set_title("title")
    return fig


@pytest.mark.parametrize("make", [_spilling_figure, lambda: plt.subplots()[0]])
def test_figure_files_equal_savefig_tight(tmp_path, make):
    """Sharing one measured box between PNG and SVG gives the PNG savefig(bbox_inches="tight") gives."""
    import io

    from crmbook.figures import PNG_DPI as _PNG_DPI, PNG_OPTIONS as _PNG_PIL

    fig = make()
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    ref = io.BytesIO()
    fig.savefig(ref, format="png", dpi=_PNG_DPI, bbox_inches="tight", metadata={"Software": None},
                pil_kwargs=_PNG_PIL)
    saved = ch.figure(fig, "9.1", "tight")
    assert saved.png.read_bytes() == ref.getvalue()


def test_tight_box_is_measured_only_without_a_layout_engine():
    from crmbook.figures import tight_bbox as _tight_bbox

    plain = _spilling_figure()
    box = _tight_bbox(plain, 150)
    assert box.x0 < 0 < box.x1 <= 5.2          # the labels reach past the left edge; measured, padded
    assert _tight_bbox(_spilling_figure(layout="constrained"), 150) == "tight"
    plt.close("all")


def test_results_file_reads_one_result_per_line(tmp_path):
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    ch.record("a", [1.5, 2], unit="USD")
    ch.record("b", {"中": True}, note="x")
    ch.save()
    text = (tmp_path / "results" / "09_test_chapter.json").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert '    "a": {"value": [1.5, 2], "unit": "USD"},' in lines
    assert '    "b": {"value": {"中": true}, "note": "x"}' in lines
    assert json.loads(text)["results"]["b"]["value"] == {"中": True}


def test_figure_save_times_go_to_their_own_file(tmp_path):
    ch = Chapter("09_test_chapter", lang="zh", build_dir=tmp_path, display=False)
    for n in ("9.1", "9.2"):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        ch.figure(fig, n, "line")
    ch.save()
    doc = json.loads((tmp_path / "timings" / "zh" / "09_test_chapter.json").read_text(encoding="utf-8"))
    assert set(doc["figure_seconds"]) == {"9.1", "9.2"} and all(v > 0 for v in doc["figure_seconds"].values())
    assert "figure_seconds" not in load_results("09_test_chapter", tmp_path, "zh")   # results stay deterministic


def test_captions_come_from_the_label_table_with_computed_values(tmp_path):
    for lang, want in (("en", "A line 7"), ("zh", "一条线")):
        ch = Chapter("09_test_chapter", lang=lang, build_dir=tmp_path, display=False)
        fig, ax = plt.subplots()
        ch.figure(ax, "9.3", "line", n=7)          # an Axes stands for its figure
        ch.save()
        assert load_results("09_test_chapter", tmp_path, lang)["figures"]["9.3"]["caption"] == want
    with pytest.raises(KeyError, match="needs a value for {n}"):
        Chapter("09_test_chapter", build_dir=tmp_path, display=False).figure(plt.figure(), "9.3", "line")
    with pytest.raises(KeyError, match="no label 'ch09.fig.9.9'"):
        Chapter("09_test_chapter", build_dir=tmp_path, display=False).figure(plt.figure(), "9.9", "line")


def test_say_t_and_join_use_the_chapter_language(tmp_path, capsys):
    en = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    zh = Chapter("09_test_chapter", lang="zh", build_dir=tmp_path, display=False)
    assert en.say("hello", name="A", x=1.25) is None
    assert en.t("say.hello", name="A", x=1.25) == "Hello A, 1.2 %"
    assert zh.t("ui.knob") == "旋钮" and en.t("ui.knob") == "Knob"
    assert zh.t("loss.cause.price") == "产品价格"                # shared keys as they are
    assert en.join("loss.cause", ["price", "complaints"]) == "Product price; Complaints handled badly"
    assert zh.join("loss.cause", ["price", "complaints"]) == "产品价格、处理投诉事务不当"
    assert (en.join(None, [0, 1]), zh.join(None, [0, 1])) == ("0, 1", "0、1")     # numbers, e.g. years
    with pytest.raises(TypeError, match="not one string"):
        en.join("loss.cause", "price")


def test_table_localises_headers_values_and_booleans(tmp_path):
    import pandas as pd

    df = pd.DataFrame({"group_id": ["company"], "share_pct": [87.0], "vital_few": [True]},
                      index=pd.Index(["price"], name="cause_id"))
    zh = Chapter("09_test_chapter", lang="zh", build_dir=tmp_path, display=False).table(
        df, values={"group_id": "loss.group"}, index="loss.cause")
    assert list(zh.columns) == ["原因类别", "比例（%）", "属于关键少数"]
    assert zh.index.name == "原因" and list(zh.index) == ["产品价格"]
    assert zh.iloc[0].tolist() == ["企业因素", 87.0, "是"]
    assert df["vital_few"].dtype == bool                        # the computed table is untouched
    with pytest.raises(KeyError, match="col.nope"):
        Chapter("09_test_chapter", build_dir=tmp_path, display=False).table(pd.DataFrame({"nope": [1]}))
    with pytest.raises(KeyError, match="no column 'missing'"):
        Chapter("09_test_chapter", build_dir=tmp_path, display=False).table(df, values={"missing": "x"})


def test_results_are_written_by_save_not_by_every_record(tmp_path):
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    ch.record("a", 1)
    assert not ch.results_path.exists()
    ch.save()
    assert load_results("09_test_chapter", tmp_path)["results"]["a"]["value"] == 1


def test_a_run_by_hand_writes_lab_output_not_build(tmp_path, monkeypatch):
    from crmbook import layout

    monkeypatch.setattr("crmbook.chapter.LAB_OUTPUT", tmp_path / "lab-output")
    monkeypatch.setenv("CRMNB_BUILD_DIR", str(tmp_path / "build"))
    ch = Chapter("09_test_chapter", build_dir=None, display=False)
    assert ch.interactive and ch.build_dir == tmp_path / "lab-output"
    assert ch.inputs.root == tmp_path / "build"                   # reads the main job's results
    ch.record("a", 1)
    ch.save()
    assert (tmp_path / "lab-output" / "results" / "09_test_chapter.json").is_file()
    assert not (tmp_path / "build").exists()
    assert layout.LAB_OUTPUT.name == "lab-output"


def test_load_results_refuses_corrupt_and_partial_files(tmp_path):
    p = tmp_path / "results" / "09_test_chapter.json"
    p.parent.mkdir(parents=True)
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(ResultsError, match="not a readable results file"):
        load_results("09_test_chapter", tmp_path)
    p.write_text('{"chapter": "09_test_chapter"}', encoding="utf-8")
    with pytest.raises(ResultsError, match="lacks the keys"):
        load_results("09_test_chapter", tmp_path)
    with pytest.raises(FileNotFoundError, match="no recorded results"):
        load_results("08_none", tmp_path)


def test_record_many_with_an_empty_prefix_records_the_names_as_keys(tmp_path):
    from crmbook import Chapter

    ch = Chapter("06_fake", build_dir=tmp_path, display=False)
    got = ch.record_many("", {"payback": 3.5, "discounted_payback": 4.0}, unit="years")
    assert got == {"payback": 3.5, "discounted_payback": 4.0}
    assert ch.results == {"payback": 3.5, "discounted_payback": 4.0}


def _three_panels(small: float = 7.0):
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for i, ax in enumerate(axes):
        im = ax.imshow(np.arange(9).reshape(3, 3))
        fig.colorbar(im, ax=ax)
        ax.set_title(f"panel {i}")
        ax.annotate("note", (1, 1), fontsize=small)
    fig.suptitle("three panels")
    return fig


def test_figure_record_has_its_size_and_smallest_font(tmp_path):
    from crmbook.figures import PNG_DPI, png_size

    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([0, 1], [1, 0])
    ax.set_title("big", fontsize=20)
    ax.tick_params(labelsize=15)
    ax.set_xlabel("x", fontsize=16)
    ax.set_ylabel("y", fontsize=16)
    saved = ch.figure(fig, "9.1", "line")
    ch.save()
    rec = load_results("09_test_chapter", tmp_path)["figures"]["9.1"]
    assert (rec["width_in"], rec["height_in"]) == tuple(round(v, 3) for v in png_size(saved.png.read_bytes(), PNG_DPI))
    assert rec["min_font_pt"] == 15.0
    assert "deck" not in rec, "text this large is legible on a slide: no variant"
    assert not list(saved.png.parent.glob("*-deck-*.png"))


def test_multi_panel_figure_gets_one_legible_deck_image_per_panel(tmp_path):
    from crmbook.figures import DECK_MIN_TEXT_PX, text_px

    site = []
    for deck in ("auto", None):
        ch = Chapter("09_test_chapter", build_dir=tmp_path / str(deck), display=False)
        saved = ch.figure(_three_panels(), "9.1", "line", deck=deck)
        ch.save()
        site.append(saved.png.read_bytes())
        rec = load_results("09_test_chapter", tmp_path / str(deck))["figures"]["9.1"]
        if deck is None:
            assert "deck" not in rec
            continue
        assert text_px(rec["min_font_pt"], rec["width_in"], rec["height_in"]) < DECK_MIN_TEXT_PX
        assert len(rec["deck"]) == 3, "one image per panel (each with its colorbar)"
        for v in rec["deck"]:
            assert (tmp_path / "auto" / v["png"]).is_file()
            assert text_px(v["min_font_pt"], v["width_in"], v["height_in"]) >= DECK_MIN_TEXT_PX
            assert v["width_in"] < rec["width_in"] / 2
    assert site[0] == site[1], "the site's PNG does not change with the deck's variants"


def test_deck_variants_given_by_the_chapter(tmp_path):
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    panels = []
    for _ in range(2):
        f, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1])
        panels.append(ax)
    ch.figure(_three_panels(), "9.1", "line", deck=panels)
    ch.save()
    rec = load_results("09_test_chapter", tmp_path)["figures"]["9.1"]
    assert [v["png"].rsplit("/", 1)[1] for v in rec["deck"]] == ["fig-9-1-line-deck-1.png", "fig-9-1-line-deck-2.png"]
    with pytest.raises(ValueError, match="deck must be 'auto'"):
        ch.figure(_three_panels(), "9.2", "line", deck="panels")
    with pytest.raises(TypeError, match="deck must be"):
        ch.figure(_three_panels(), "9.2", "line", deck=[1, 2])


i18n.add_labels({"ch09.say.refused_text": {"en": "Refused: amounts cost US$ as text.", "zh": "被拒绝：金额是文本。"},
                 "ch09.say.notes": {"en": "crmlib noted {n} thing(s):", "zh": "crmlib 给出 {n} 条提示："}})


def _shown(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    return shown


def test_refused_shows_the_sentence_and_the_library_message_as_code(tmp_path, monkeypatch):
    from crmlib.clv import rfm

    shown = _shown(monkeypatch)
    ch = Chapter("09_test_chapter", lang="zh", build_dir=tmp_path, display=True)
    log = {"c": ["a", "b"], "d": ["2024-01-01", "2024-01-02"], "x": ["$1", "$2"]}
    import pandas as pd

    msg = ch.refused("refused_text", rfm.summarize, pd.DataFrame(log), customer_id="c", date="d", amount="x",
                     observation_end="2024-01-02")
    assert msg == "TypeError: transactions column 'x' must be numeric, got dtype str"
    md = shown[-1]["text/markdown"]
    assert md.startswith("被拒绝：金额是文本。") and f"` {msg} `" in md      # the library's words, verbatim, as code
    assert shown[-1]["text/plain"].endswith(msg)
    # a message holding backticks gets a longer fence; dollar signs in code are not escaped
    en = Chapter("09_test_chapter", build_dir=tmp_path, display=True)
    en.refused("refused_text", lambda: (_ for _ in ()).throw(ValueError("bad `x` at $3")))
    assert "`` ValueError: bad `x` at $3 ``" in shown[-1]["text/markdown"]
    assert shown[-1]["text/markdown"].startswith("Refused: amounts cost US\\\\$ as text.")


def test_refused_fails_loudly_when_the_library_accepts(tmp_path):
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=False)
    with pytest.raises(RuntimeError, match="accepted the input that sentence ch09.say.refused_text says it refuses"):
        ch.refused("refused_text", lambda: 1)
    with pytest.raises(ZeroDivisionError):          # only refusals of input (ValueError, TypeError) are shown
        ch.refused("refused_text", lambda: 1 / 0)
    with pytest.raises(TypeError, match="func must be callable"):
        ch.refused("refused_text", 3)


def test_warned_shows_crmlib_warnings_and_passes_others_on(tmp_path, monkeypatch):
    import warnings

    from crmlib.warnings import ConvergenceWarning, DataWarning

    def noisy():
        warnings.warn("2 rows left out", DataWarning)
        warnings.warn("did not converge", ConvergenceWarning)
        warnings.warn("an old API", DeprecationWarning)
        return 42

    shown = _shown(monkeypatch)
    ch = Chapter("09_test_chapter", build_dir=tmp_path, display=True)
    with warnings.catch_warnings(record=True) as others:
        warnings.simplefilter("always")
        result, notes = ch.warned("notes", noisy)
    assert result == 42
    assert notes == ["DataWarning: 2 rows left out", "ConvergenceWarning: did not converge"]
    assert [str(w.message) for w in others] == ["an old API"]
    assert shown[-1]["text/markdown"] == ("crmlib noted 2 thing(s):\n\n` DataWarning: 2 rows left out `\n\n"
                                          "` ConvergenceWarning: did not converge `")
    before = len(shown)
    assert ch.warned("notes", lambda: "quiet") == ("quiet", [])
    assert len(shown) == before, "nothing is shown when the library gave no warning"
