"""The collection as a static site: every executed chapter as a web page, in English and Chinese.

:func:`build` reads what the main job left in the build folder —

* ``notebooks/NN_slug.ipynb`` and ``notebooks/zh/NN_slug.ipynb`` (executed by papermill),
* ``results/[zh/]NN_slug.json`` (recorded numbers and the figure list),
* ``figures/NN_slug/[zh/]fig-N-k-slug.{png,svg}``,

writes page sources under ``<build>/.site/src/`` (transformed *copies* of the
executed notebooks, the landing page, and per edition an index, a glossary and
a Reproduce page) and runs Sphinx + myst-nb on them with warnings as errors,
configured by ``site/conf.py`` at the repository root. The result is
``<build>/site/index.html`` with ``en/…`` and ``zh/…`` pages of the same names.

The copies differ from the executed notebooks in presentation only:

* code cells are collapsed (myst-nb's ``hide-input`` tag) except the exercise
  answer cells; papermill's injected-parameters cell is removed;
* a figure shown by :meth:`crmlib.chapter.Chapter.figure` (image followed by a
  "**Figure N.k.** caption" Markdown output) becomes an HTML ``<figure>`` with
  the saved PNG, the numbered caption, an ``id="figure-N-k"`` anchor and PNG /
  SVG download links;
* bare object reprs (``PosixPath('…')``, ``<Figure size …>``) and widget views
  are dropped (the chapters print the what-if result as text when headless),
  and so are matplotlib's "findfont: … now using 400" notices (the CJK font
  has no bold face; the figure files are right);
* a "Run it" box after the title tells how to open the notebook in JupyterLab
  or run it with other parameters, and links the notebook and every figure.

Chapters whose run failed (papermill recorded an exception, or an error output)
are left out with a message; a chapter that is missing is simply not there.
"""
from __future__ import annotations

import copy
import html
import json
import re
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .i18n import LANGS, glossary

__all__ = ["SITE_CONF_DIR", "ChapterPage", "collect", "prepare_notebook", "glossary_markdown", "main",
           "reproduce_markdown", "write_sources", "build"]

ROOT = Path(__file__).resolve().parents[1]
SITE_CONF_DIR = ROOT / "site"

_CAPTION = re.compile(r"^\s*\*\*(?:Figure|图)\s*(\d+\.\d+)\.?\*\*")
_ANSWER_CELL = re.compile(r"^answer_\d+_\d+\s*=", re.M)
_BARE_REPR = re.compile(r"^(?:(?:Posix|Windows)?Path\(.*\)|<[^<>]*>)$", re.S)
_FONT_NOTICE = re.compile(r"^findfont: Failed to find font weight .* now using \d+\.\s*$")
_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

UI: dict[str, dict[str, str]] = {
    "en": {
        "edition": "English edition",
        "edition_blurb": "Figures, captions and glossary in English.",
        "chapters": "Chapters",
        "reference": "Reference",
        "glossary_title": "Glossary (English ↔ 中文)",
        "glossary_intro": ("Every term the figures show, in both languages, generated from crmlib's label "
                           "table (`crmlib/labels/*.csv`, `crmlib.i18n.glossary()`)."),
        "col_term": "English", "col_other": "中文", "col_key": "Label key",
        "reproduce_title": "Reproduce",
        "reproduce_intro": ("Every number a chapter takes from a source text or a paper, as recorded by the "
                            "executed notebook (`build/results/<chapter>.json`): its value, where it comes "
                            "from, and whether the computed value matches the printed one. "
                            "Re-run a chapter (`python -m crmlib run NN`) and this table is rebuilt from the "
                            "new results."),
        "col_result": "Result", "col_value": "Value", "col_expected": "Printed",
        "col_source": "Source", "col_matches": "Matches",
        "yes": "✓ yes", "no": "✗ no", "unchecked": "—",
        "seed": "seed text {file}, grep “{phrase}”", "nosource": "internal check",
        "summary": "{n} numbers with a source or a printed value; {checked} checked, {ok} match, {bad} differ.",
        "none": "No chapter recorded a number with a source.",
        "runit": "Run it",
        "defaults": "its default parameters",
        "runit_text": ("This page is `notebooks/{file}` as executed with {params}. Open it in JupyterLab with "
                       "`make lab` (the what-if sliders work there), or run it with other parameters: "
                       "`python -m crmlib run {nn} -p lang zh` (Chinese figures), "
                       "`python -m crmlib run {nn} -p seed 7 --small`."),
        "params": "Parameters you can set with `-p NAME VALUE`: {names}.",
        "download": "Download",
        "notebook": "the executed notebook (.ipynb)",
        "figures": "Figures in this chapter (PNG / SVG)",
        "code_show": "Show code", "code_hide": "Hide code",
        "figure": "Figure",
        "landing": "Chapters",
    },
    "zh": {
        "edition": "中文版",
        "edition_blurb": "图表、图注与术语表为中文。",
        "chapters": "章节",
        "reference": "参考",
        "glossary_title": "术语表（中文 ↔ English）",
        "glossary_intro": "图中出现的全部术语的中英对照，由 crmlib 的标签表（`crmlib/labels/*.csv`，"
                          "`crmlib.i18n.glossary()`）生成。",
        "col_term": "中文", "col_other": "English", "col_key": "标签键",
        "reproduce_title": "复现核对",
        "reproduce_intro": ("各章从原始文本或论文中取得的每个数字，均取自执行后的笔记本所记录的结果"
                            "（`build/results/zh/<chapter>.json`）：计算值、出处，以及与原文所印数值是否一致。"
                            "重新运行某章（`python -m crmlib run NN -p lang zh`）后，本表随新结果重建。"),
        "col_result": "结果", "col_value": "计算值", "col_expected": "原文数值",
        "col_source": "出处", "col_matches": "一致",
        "yes": "✓ 一致", "no": "✗ 不一致", "unchecked": "—",
        "seed": "原始文本 {file}，检索“{phrase}”", "nosource": "内部核对",
        "summary": "共 {n} 个带出处或原文数值的数字；核对 {checked} 个，{ok} 个一致，{bad} 个不一致。",
        "none": "没有章节记录带出处的数字。",
        "runit": "自己运行",
        "defaults": "默认参数",
        "runit_text": ("本页是 `notebooks/{file}` 以 {params} 执行的结果。用 `make lab` 在 JupyterLab 中打开"
                       "（可拖动情景分析滑块），或用其他参数运行："
                       "`python -m crmlib run {nn} -p lang zh`（中文图表），"
                       "`python -m crmlib run {nn} -p lang zh -p seed 7 --small`。"),
        "params": "可用 `-p 名称 值` 设置的参数：{names}。",
        "download": "下载",
        "notebook": "执行后的笔记本（.ipynb）",
        "figures": "本章图表（PNG / SVG）",
        "code_show": "显示代码", "code_hide": "隐藏代码",
        "figure": "图",
        "landing": "章节",
    },
}


@dataclass
class ChapterPage:
    """One executed chapter notebook of one edition.

    Attributes
    ----------
    chapter : str
        Notebook stem, e.g. ``"02_why_customers_are_lost"``.
    lang : str
        Edition, ``"en"`` or ``"zh"``.
    notebook : Path
        The executed notebook.
    results : dict
        The chapter's recorded results document (empty if none was written).
    title : str
        The notebook's first level-1 heading.
    """

    chapter: str
    lang: str
    notebook: Path
    results: dict[str, Any] = field(default_factory=dict)
    title: str = ""

    @property
    def figures(self) -> dict[str, dict[str, Any]]:
        """Figure number -> ``{slug, caption, label, png, svg}`` from the results."""
        return dict(self.results.get("figures") or {})


def _failure(nb: dict[str, Any]) -> str | None:
    """Why an executed notebook cannot be shown, or None if it ran cleanly."""
    if (nb.get("metadata", {}).get("papermill") or {}).get("exception"):
        return "papermill recorded an exception"
    for i, cell in enumerate(nb.get("cells", [])):
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") == "error":
                return f"cell {i} shows an error ({out.get('ename', 'error')})"
    return None


def _title(nb: dict[str, Any], fallback: str) -> str:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            m = re.search(r"^#\s+(.+?)\s*$", _text(cell.get("source")), re.M)
            if m:
                return m.group(1)
    return fallback


def _text(src: Any) -> str:
    return "".join(src) if isinstance(src, list) else (src or "")


def collect(build_dir: Path, langs: tuple[str, ...] = LANGS,
            log: Callable[[str], None] | None = None) -> dict[str, list[ChapterPage]]:
    """Executed chapters per edition, in chapter order; failed runs are skipped with a message.

    Parameters
    ----------
    build_dir : Path
        The build folder written by ``python -m crmlib all``.
    langs : tuple of str
        Editions to look for.
    log : callable, optional
        Receives one line per skipped notebook (default: print to stderr).

    Returns
    -------
    dict
        ``lang -> [ChapterPage, …]``; editions without any chapter are absent.
    """
    log = log or (lambda msg: print(msg, file=sys.stderr))
    build_dir = Path(build_dir)
    out: dict[str, list[ChapterPage]] = {}
    for lang in langs:
        nb_dir = build_dir / "notebooks" / ("" if lang == "en" else lang)
        res_dir = build_dir / "results" / ("" if lang == "en" else lang)
        pages = []
        for path in sorted(nb_dir.glob("[0-9][0-9]_*.ipynb")):
            try:
                nb = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                log(f"site: skipping {path}: cannot read it ({exc})")
                continue
            why = _failure(nb)
            if why:
                log(f"site: skipping {path.stem} [{lang}]: {why}")
                continue
            res_path = res_dir / f"{path.stem}.json"
            results = json.loads(res_path.read_text(encoding="utf-8")) if res_path.is_file() else {}
            pages.append(ChapterPage(path.stem, lang, path, results, _title(nb, path.stem)))
        if pages:
            out[lang] = pages
    return out


# ------------------------------------------------------------------ notebook copies
def _rel(target: str) -> str:
    """URL (relative to an edition page such as ``en/02_x.html``) of a file under the site root."""
    return "../" + target


def _figure_html(number: str, fig: dict[str, Any], lang: str) -> str:
    label = html.escape(fig.get("label") or f"{UI[lang]['figure']} {number}")
    caption = html.escape(fig.get("caption", ""))
    png, svg = _rel("figures/" + _figpath(fig["png"])), _rel("figures/" + _figpath(fig["svg"]))
    anchor = "figure-" + number.replace(".", "-")
    return (f'<figure class="crm-figure" id="{anchor}">'
            f'<a class="crm-figure-image" href="{png}"><img src="{png}" alt="{label}. {caption}"></a>'
            f'<figcaption><span class="crm-figure-label">{label}.</span> {caption} '
            f'<span class="crm-downloads">{UI[lang]["download"]}'
            f'<a href="{png}" download>PNG</a><a href="{svg}" download>SVG</a></span>'
            f'</figcaption></figure>')


def _figpath(recorded: str) -> str:
    """``figures/02_x/zh/fig.png`` (as recorded, relative to the build folder) -> ``02_x/zh/fig.png``."""
    p = Path(recorded)
    return p.relative_to("figures").as_posix() if p.parts and p.parts[0] == "figures" else p.as_posix()


def _output_text(out: dict[str, Any], mime: str) -> str:
    return _text((out.get("data") or {}).get(mime))


def _is_bare_repr(out: dict[str, Any]) -> bool:
    data = out.get("data") or {}
    return (out.get("output_type") in ("execute_result", "display_data") and set(data) == {"text/plain"}
            and bool(_BARE_REPR.match(_text(data["text/plain"]).strip())))


def _without_font_notices(out: dict[str, Any]) -> dict[str, Any] | None:
    """A stderr stream without matplotlib's "findfont: … now using …" fallback notices (None if empty)."""
    if out.get("output_type") != "stream" or out.get("name") != "stderr":
        return out
    lines = _text(out.get("text")).splitlines(keepends=True)
    kept = [line for line in lines if not _FONT_NOTICE.match(line)]
    if len(kept) == len(lines):
        return out
    return {**out, "text": "".join(kept)} if "".join(kept).strip() else None


def _transform_outputs(outputs: list[dict[str, Any]], figures: dict[str, dict[str, Any]], lang: str,
                       shown: set[str]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for out in outputs:
        data = out.get("data") or {}
        if _WIDGET_MIME in data:
            data = {k: v for k, v in data.items() if k != _WIDGET_MIME}
            if not data or set(data) == {"text/plain"}:
                continue  # a widget's text repr ("IntSlider(value=…)") says nothing on a static page
            out = {**out, "data": data}
        if _is_bare_repr(out):
            continue
        out = _without_font_notices(out)
        if out is None:
            continue
        m = _CAPTION.match(_output_text(out, "text/markdown")) if "text/markdown" in data else None
        if m and m.group(1) in figures:
            number = m.group(1)
            if result and "image/png" in (result[-1].get("data") or {}):
                result.pop()  # the inline copy of the figure: replaced by the saved PNG
            result.append({"output_type": "display_data", "metadata": {},
                           "data": {"text/html": _figure_html(number, figures[number], lang)}})
            shown.add(number)
            continue
        result.append(out)
    return result


def _parameter_names(nb: dict[str, Any]) -> list[str]:
    for cell in nb.get("cells", []):
        if "parameters" in (cell.get("metadata", {}).get("tags") or []):
            return re.findall(r"^([A-Za-z_]\w*)\s*=", _text(cell.get("source")), re.M)
    return []


def _figure_item(number: str, fig: dict[str, Any], on_page: bool) -> str:
    """One ``<li>`` of the Run-it box's figure list: label (to the figure or its PNG), caption, downloads."""
    png, svg = _rel("figures/" + _figpath(fig["png"])), _rel("figures/" + _figpath(fig["svg"]))
    target = "#figure-" + number.replace(".", "-") if on_page else png
    return (f'<li><a href="{target}">{html.escape(fig.get("label") or number)}</a> '
            f'{html.escape(fig.get("caption", ""))} <span class="crm-downloads">'
            f'<a href="{png}" download>PNG</a><a href="{svg}" download>SVG</a></span></li>')


def _runit_html(page: ChapterPage, nb: dict[str, Any], lang: str, shown: set[str]) -> str:
    """The "Run it" box: how to run the chapter, its parameters, the notebook and figure downloads.

    Figures shown on the page link to their anchor, others to their PNG.
    """
    ui = UI[lang]
    params = page.results.get("params") or {}
    used = ", ".join(f"`{k}={v}`" for k, v in params.items() if k in ("lang", "seed", "small")) or ui["defaults"]
    names = ", ".join(f"`{n}`" for n in _parameter_names(nb) if n != "build_dir")
    nb_url = _rel(f"downloads/{lang}/{page.chapter}.ipynb")
    figs = "".join(_figure_item(n, f, n in shown) for n, f in page.figures.items())
    text = ui["runit_text"].format(file=f"{page.chapter}.ipynb", params=used, nn=page.chapter[:2])
    body = _inline_code(html.escape(text, quote=False))
    lines = ['<div class="crm-runit" id="run-it">',
             f"<p><strong>{ui['runit']}.</strong> {body}</p>"]
    if names:
        lines.append(f"<p>{_inline_code(html.escape(ui['params'].format(names=names), quote=False))}</p>")
    lines.append(f'<p>{ui["download"]}: <a class="crm-notebook-download" href="{nb_url}" download>'
                 f'{ui["notebook"]}</a></p>')
    if figs:
        lines.append(f"<details><summary>{ui['figures']}</summary><ul>{figs}</ul></details>")
    lines.append("</div>")
    return "\n".join(lines)  # one HTML block: no blank line inside


def _inline_code(escaped: str) -> str:
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def prepare_notebook(nb: dict[str, Any], page: ChapterPage) -> dict[str, Any]:
    """The copy of an executed notebook that the site renders (see the module docstring).

    Parameters
    ----------
    nb : dict
        The executed notebook (nbformat JSON); it is not modified.
    page : ChapterPage
        Its chapter, edition and recorded results.

    Returns
    -------
    dict
        A new notebook.
    """
    lang = page.lang
    out = copy.deepcopy(nb)
    md = out.setdefault("metadata", {})
    md.pop("widgets", None)
    md["mystnb"] = {"code_prompt_show": UI[lang]["code_show"], "code_prompt_hide": UI[lang]["code_hide"]}
    figures = page.figures
    shown: set[str] = set()
    cells = []
    for cell in out.get("cells", []):
        tags = list(cell.get("metadata", {}).get("tags") or [])
        if "injected-parameters" in tags:
            continue
        if cell.get("cell_type") == "code":
            if not _ANSWER_CELL.search(_text(cell.get("source"))) and "hide-input" not in tags:
                tags.append("hide-input")
            cell.setdefault("metadata", {})["tags"] = tags
            cell["outputs"] = _transform_outputs(cell.get("outputs") or [], figures, lang, shown)
        cells.append(cell)
    at = next((i + 1 for i, c in enumerate(cells) if c.get("cell_type") == "markdown"
               and re.search(r"^#\s", _text(c.get("source")), re.M)), 0)
    box = {"cell_type": "markdown", "metadata": {}, "source": _runit_html(page, nb, lang, shown)}
    if out.get("nbformat", 4) >= 4 and out.get("nbformat_minor", 0) >= 5:
        box["id"] = "crm-run-it"
    cells.insert(at, box)
    out["cells"] = cells
    return out


# ------------------------------------------------------------------ generated pages
_MD_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def _md(text: Any) -> str:
    """Escape every ASCII punctuation character so ``text`` is literal in a MyST table cell."""
    return _MD_PUNCT.sub(r"\\\1", str(text)).replace("\n", " ")


def glossary_markdown(lang: str) -> str:
    """The glossary page (MyST Markdown) from :func:`crmlib.i18n.glossary`, grouped by topic.

    Parameters
    ----------
    lang : {"en", "zh"}
        Edition: its language comes first in each row.

    Returns
    -------
    str
        One table per topic: term, translation, label key.
    """
    ui = UI[lang]
    other = "zh" if lang == "en" else "en"
    lines = [f"# {ui['glossary_title']}", "", ui["glossary_intro"], ""]
    topic = None
    for row in glossary():
        if row["topic"] != topic:
            topic = row["topic"]
            lines += ["", f"## {_md(topic)}", "",
                      f"| {ui['col_term']} | {ui['col_other']} | {ui['col_key']} |", "| --- | --- | --- |"]
        lines.append(f"| {_md(row[lang])} | {_md(row[other])} | `{row['key']}` |")
    return "\n".join(lines) + "\n"


def _fmt(value: Any, unit: str | None = None) -> str:
    if isinstance(value, bool) or value is None:
        text = str(value)
    elif isinstance(value, float):
        text = f"{value:.6g}"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_fmt(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return f"{text} {unit}" if unit and not isinstance(value, dict) else text


def _source_md(source: dict[str, Any] | None, ui: dict[str, str]) -> str:
    if not source:
        return _md(ui["nosource"])
    if source.get("kind") == "seed":
        return ui["seed"].format(file=f"`{source.get('seed_file', '')}`", phrase=_md(source.get("phrase", "")))
    if source.get("kind") == "paper":
        return f"{_md(source.get('citation', ''))} — {_md(source.get('where', ''))}"
    return _md(json.dumps(source, ensure_ascii=False))


def reproduce_markdown(lang: str, pages: list[ChapterPage]) -> str:
    """The Reproduce page (MyST Markdown): every recorded number with a source or a printed value.

    Parameters
    ----------
    lang : str
        Edition.
    pages : list of ChapterPage
        The edition's chapters, with their recorded results.

    Returns
    -------
    str
        A summary line and one table per chapter: result key, value, printed value, source, verdict.
    """
    ui = UI[lang]
    sections, n = [], {"n": 0, "checked": 0, "ok": 0, "bad": 0}
    for page in pages:
        rows = [(k, v) for k, v in (page.results.get("results") or {}).items()
                if v.get("source") or "expected" in v]
        if not rows:
            continue
        sec = ["", f"## [{_md(page.title)}]({page.chapter}.ipynb)", "",
               f"| {ui['col_result']} | {ui['col_value']} | {ui['col_expected']} | {ui['col_source']} "
               f"| {ui['col_matches']} |", "| --- | --- | --- | --- | --- |"]
        for key, entry in rows:
            n["n"] += 1
            if "matches" in entry:
                n["checked"] += 1
                n["ok" if entry["matches"] else "bad"] += 1
                verdict = (f'<span class="crm-ok">{ui["yes"]}</span>' if entry["matches"]
                           else f'<span class="crm-bad">{ui["no"]}</span>')
            else:
                verdict = ui["unchecked"]
            expected = _md(_fmt(entry["expected"], entry.get("unit"))) if "expected" in entry else "—"
            sec.append(f"| `{key}` | {_md(_fmt(entry['value'], entry.get('unit')))} | {expected} "
                       f"| {_source_md(entry.get('source'), ui)} | {verdict} |")
        sections += sec
    head = [f"# {ui['reproduce_title']}", "", ui["reproduce_intro"], ""]
    head.append(ui["summary"].format(**n) if n["n"] else ui["none"])
    return "\n".join(head + sections) + "\n"


def _edition_index(lang: str, pages: list[ChapterPage]) -> str:
    ui = UI[lang]
    lines = [f"# {ui['edition']}", "", ui["edition_blurb"], "",
             "```{toctree}", ":maxdepth: 1", f":caption: {ui['chapters']}", ""]
    lines += [p.chapter for p in pages]
    lines += ["```", "", "```{toctree}", ":maxdepth: 1", f":caption: {ui['reference']}", "",
              "glossary", "reproduce", "```", ""]
    return "\n".join(lines)


def _landing(editions: dict[str, list[ChapterPage]]) -> str:
    lines = ["# CRM Notebooks", "",
             "Customer relationship management taught with real computation: every chapter below was "
             "executed from its notebook, and every number it takes from a source is checked on the "
             "*Reproduce* page. The same chapters exist in two editions — English figures and Chinese "
             "figures (客户关系管理教学笔记本：英文图表版与中文图表版).", ""]
    for lang, pages in editions.items():
        ui = UI[lang]
        lines += [f"## [{ui['edition']}]({lang}/index.md)", "", ui["edition_blurb"], ""]
        lines += [f"* [{_md(p.title)}]({lang}/{p.chapter}.ipynb)" for p in pages]
        lines += [f"* [{ui['glossary_title']}]({lang}/glossary.md)",
                  f"* [{ui['reproduce_title']}]({lang}/reproduce.md)", ""]
    lines += ["```{toctree}", ":hidden:", ""] + [f"{lang}/index" for lang in editions] + ["```", ""]
    return "\n".join(lines)


def write_sources(src: Path, editions: dict[str, list[ChapterPage]]) -> None:
    """Write every page source under ``src`` (emptied first).

    Parameters
    ----------
    src : Path
        Sphinx source folder to (re)create.
    editions : dict
        ``lang -> [ChapterPage, …]`` as returned by :func:`collect`.
    """
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    (src / "index.md").write_text(_landing(editions), encoding="utf-8")
    for lang, pages in editions.items():
        d = src / lang
        d.mkdir()
        (d / "index.md").write_text(_edition_index(lang, pages), encoding="utf-8")
        (d / "glossary.md").write_text(glossary_markdown(lang), encoding="utf-8")
        (d / "reproduce.md").write_text(reproduce_markdown(lang, pages), encoding="utf-8")
        for page in pages:
            nb = json.loads(page.notebook.read_text(encoding="utf-8"))
            (d / page.notebook.name).write_text(json.dumps(prepare_notebook(nb, page), ensure_ascii=False),
                                                encoding="utf-8")


def _copy_files(build_dir: Path, out: Path, editions: dict[str, list[ChapterPage]]) -> None:
    """Executed notebooks to ``downloads/<lang>/`` and recorded figures to ``figures/``."""
    for lang, pages in editions.items():
        dl = out / "downloads" / lang
        dl.mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copy2(page.notebook, dl / page.notebook.name)
            for fig in page.figures.values():
                for key in ("png", "svg"):
                    srcf = build_dir / fig[key]
                    dest = out / "figures" / _figpath(fig[key])
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(srcf, dest)


def build(build_dir: Path, *, out_dir: Path | None = None, quiet: bool = True) -> bool:
    """Build the site from the executed chapters in ``build_dir``; True on success.

    Parameters
    ----------
    build_dir : Path
        Folder with ``notebooks/``, ``results/`` and ``figures/`` from ``python -m crmlib all``.
    out_dir : Path, optional
        Where the HTML goes (default ``build_dir / "site"``; emptied first).
    quiet : bool
        Pass ``-q`` to Sphinx (warnings and errors are printed either way).

    Returns
    -------
    bool
        False (with the reason printed) if there is no executed chapter, a recorded
        figure file is missing, or Sphinx reports any warning.
    """
    build_dir = Path(build_dir).resolve()
    out = Path(out_dir).resolve() if out_dir else build_dir / "site"
    editions = collect(build_dir)
    if not editions:
        print(f"site: no executed chapter under {build_dir / 'notebooks'}; nothing to build", file=sys.stderr)
        return False
    missing = [str(build_dir / f[k]) for pages in editions.values() for p in pages
               for f in p.figures.values() for k in ("png", "svg") if not (build_dir / f[k]).is_file()]
    if missing:
        print("site: recorded figure files are missing:\n  " + "\n  ".join(missing), file=sys.stderr)
        return False
    # Sphinx works in <build>/.site/ (myst-nb puts its jupyter_execute/ beside the HTML folder);
    # the finished HTML is then moved to ``out``.
    work = build_dir / ".site"
    if work.exists():
        shutil.rmtree(work)
    src, html_dir = work / "src", work / "html"
    write_sources(src, editions)
    # In this process: the caller (the runner, the tests) has usually imported nbformat already,
    # which is a good part of Sphinx + myst-nb's start-up time.
    from sphinx.cmd.build import build_main

    args = ["-b", "html", "-W", "--keep-going", "-E", "-n", "-c", str(SITE_CONF_DIR),
            "-d", str(work / "doctrees"), str(src), str(html_dir)]
    with warnings.catch_warnings():  # Sphinx-API deprecations inside myst-parser are not ours to fix
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        rc = build_main((["-q"] if quiet else []) + args)
    if rc != 0:
        print(f"site: Sphinx failed (exit {rc}); warnings are errors — see the messages above", file=sys.stderr)
        return False
    _copy_files(build_dir, html_dir, editions)
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(html_dir), str(out))
    n = sum(len(p) for p in editions.values())
    print(f"Site: {n} chapter page(s) in {', '.join(editions)} -> {out / 'index.html'}", flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m crmlib.site [--build DIR]``: rebuild the site without re-running the chapters."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m crmlib.site", description=main.__doc__)
    ap.add_argument("--build", type=Path, default=ROOT / "build", help="build folder (default: build/)")
    args = ap.parse_args(argv)
    return 0 if build(args.build) else 1


if __name__ == "__main__":
    raise SystemExit(main())
