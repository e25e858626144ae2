"""A deck as an editable PowerPoint file (python-pptx): the same slides as the reveal.js page.

Titles and text are text boxes, lists real bullets, tables real tables, figures
pictures (the same PNGs, at the same size), display formulas pictures drawn by
matplotlib's mathtext (offline), inline math plain text with super- and
subscripts; the speaker notes are in the notes pane and an exercise's answer
appears on the next click. The slide is 16:9 (13.333 × 7.5 in; one CSS px of the
1280 × 720 HTML slide is 9,525 EMU). Chinese text is set in Microsoft YaHei
(微软雅黑, the East Asian font PowerPoint on Windows has), English in Calibri.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from .deck import CAPTION_PX, FONT_PX, SLIDE_H, SLIDE_W, Block, Deck, Run, Slide, est_lines, plain

__all__ = ["write_pptx", "tex_runs", "math_png", "EMU_PER_PX"]

EMU_PER_PX = 9525
_LATIN = {"en": "Calibri", "zh": "Microsoft YaHei"}
_EAST_ASIAN = "Microsoft YaHei"
_BLUE = (0x1F, 0x5F, 0x8B)

_SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
    "Omega": "Ω", "times": "×", "cdot": "·", "sim": "~", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "infty": "∞", "approx": "≈", "sum": "Σ", "prod": "Π", "pm": "±", "to": "→",
    "rightarrow": "→", "ldots": "…", "dots": "…", "cdots": "⋯", "in": "∈", "mid": "|", "log": "log",
    "exp": "exp", "ln": "ln", "min": "min", "max": "max", "%": "%", "$": "$", "{": "{", "}": "}",
}


def tex_runs(tex: str) -> list[tuple[str, str]]:
    """Inline TeX as text runs ``(text, "" | "sup" | "sub")`` (Greek letters and operators as characters).

    Parameters
    ----------
    tex : str

    Returns
    -------
    list of (str, str)
    """
    out: list[tuple[str, str]] = []

    def group(s: str, i: int) -> tuple[str, int]:
        """The argument at ``s[i]``: a braced group or one character/command."""
        if i < len(s) and s[i] == "{":
            depth, j = 0, i
            while j < len(s):
                depth += {"{": 1, "}": -1}.get(s[j], 0)
                if depth == 0:
                    return s[i + 1:j], j + 1
                j += 1
            return s[i + 1:], len(s)
        if i < len(s) and s[i] == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", s[i:])
            return (m.group(0), i + len(m.group(0))) if m else ("", i + 1)
        return (s[i], i + 1) if i < len(s) else ("", i)

    def flat(s: str) -> str:
        return "".join(t for t, _ in walk(s))

    def walk(s: str) -> list[tuple[str, str]]:
        res: list[tuple[str, str]] = []
        i = 0
        while i < len(s):
            ch = s[i]
            if ch in "^_":
                arg, i = group(s, i + 1)
                res.append((flat(arg), "sup" if ch == "^" else "sub"))
                continue
            if ch == "\\":
                m = re.match(r"\\([A-Za-z]+|.)", s[i:])
                name = m.group(1) if m else ""
                i += len(m.group(0)) if m else 1
                if name in ("mathrm", "text", "mathit", "mathbf", "operatorname", "textrm", "mathsf"):
                    arg, i = group(s, i)
                    res.append((flat(arg), ""))
                elif name in ("frac", "dfrac", "tfrac"):
                    a, i = group(s, i)
                    b, i = group(s, i)
                    fa, fb = flat(a), flat(b)
                    fa = fa if len(fa) <= 1 or re.fullmatch(r"\w+", fa) else f"({fa})"
                    fb = fb if len(fb) <= 1 or re.fullmatch(r"\w+", fb) else f"({fb})"
                    res.append((f"{fa}/{fb}", ""))
                elif name in (",", ";", ":", "quad", "qquad", " ", "!"):
                    res.append((" " if name != "!" else "", ""))
                elif name in ("left", "right", "big", "Big", "bigl", "bigr"):
                    continue
                else:
                    res.append((_SYMBOLS.get(name, name), ""))
                continue
            if ch in "{}":
                i += 1
                continue
            res.append((ch, ""))
            i += 1
        return res

    for text, kind in walk(tex):
        if out and out[-1][1] == kind:
            out[-1] = (out[-1][0] + text, kind)
        else:
            out.append((text, kind))
    return [(re.sub(r"\s+", " ", t), k) for t, k in out if t]


def _mathtext(tex: str) -> str:
    """TeX the site renders, in the dialect of matplotlib's mathtext."""
    s = " ".join(tex.split())
    s = re.sub(r"\\text\{([^{}]*)\}", lambda m: r"\mathrm{" + m.group(1).replace(" ", r"\ ") + "}", s)
    s = re.sub(r"\\(ge|le)(?![a-z])", r"\\\1q", s)
    return s


def math_png(tex: str, lang: str, px: float = 36) -> bytes:
    """A display formula as a PNG (matplotlib mathtext, offline), drawn at ``px`` per em and 2× resolution.

    Parameters
    ----------
    tex : str
        The TeX of a display formula (``\\text{…}`` may hold Chinese).
    lang : {"en", "zh"}
    px : float
        Font size in CSS px.

    Returns
    -------
    bytes
    """
    import matplotlib as mpl
    from matplotlib import mathtext

    rc: dict[str, Any] = {"mathtext.fontset": "dejavusans"}
    if lang == "zh" or re.search(r"[\u4e00-\u9fff]", tex):
        from crmlib.i18n import cjk_font_name

        rc = {"mathtext.fontset": "custom", "mathtext.rm": cjk_font_name(), "mathtext.it": "DejaVu Sans:italic",
              "mathtext.bf": "DejaVu Sans:bold", "mathtext.sf": "DejaVu Sans"}
    buf = io.BytesIO()
    with mpl.rc_context(rc):
        mathtext.math_to_image(f"${_mathtext(tex)}$", buf, prop=mpl.font_manager.FontProperties(size=px * 0.75),
                               dpi=192, format="png")
    return buf.getvalue()


# ------------------------------------------------------------------ drawing
class _Writer:
    def __init__(self, deck: Deck) -> None:
        from pptx import Presentation
        from pptx.util import Emu

        self.deck, self.lang = deck, deck.lang
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Emu(SLIDE_W * EMU_PER_PX), Emu(SLIDE_H * EMU_PER_PX)
        self.layout = self.prs.slide_layouts[6]  # blank

    # ---- helpers
    @staticmethod
    def emu(px: float) -> Any:
        from pptx.util import Emu

        return Emu(int(round(px * EMU_PER_PX)))

    def run(self, paragraph: Any, text: str, px: float, *, bold: bool = False, italic: bool = False, color=None,
            mono: bool = False, baseline: int = 0) -> None:
        """Append a text run with its font written straight into the XML (size, weight, colour, Latin and
        East Asian typeface, language) — python-pptx's property objects are slow for hundreds of runs."""
        from lxml import etree
        from pptx.oxml.ns import qn

        r = paragraph._p.add_r()
        r.text = text
        rpr = r.get_or_add_rPr()
        rpr.set("lang", "zh-CN" if self.lang == "zh" else "en-US")
        rpr.set("sz", str(int(round(px * 75))))
        if bold:
            rpr.set("b", "1")
        if italic:
            rpr.set("i", "1")
        if baseline:
            rpr.set("baseline", str(baseline))
        if color is not None:
            fill = etree.SubElement(rpr, qn("a:solidFill"))
            etree.SubElement(fill, qn("a:srgbClr"), val="%02X%02X%02X" % tuple(color))
        etree.SubElement(rpr, qn("a:latin"), typeface="Consolas" if mono else _LATIN[self.lang])
        etree.SubElement(rpr, qn("a:ea"), typeface=_EAST_ASIAN)

    def runs(self, paragraph: Any, runs: list[Run], px: float, color=None, bold: bool = False) -> None:
        for r in runs:
            if r.style == "math":
                for text, kind in tex_runs(r.text):
                    self.run(paragraph, text, px, italic=kind == "" and bool(re.fullmatch(r"[A-Za-z]", text)),
                             color=color, baseline={"sup": 30000, "sub": -25000}.get(kind, 0))
                continue
            self.run(paragraph, r.text, px, bold=bold or "b" in r.style, italic="i" in r.style, color=color,
                     mono=r.style == "code")

    def textbox(self, slide: Any, x: float, y: float, w: float, h: float, paragraphs: list[list[Run]], px: float,
                *, color=None, bold: bool = False, align: str = "left", bullets: str = "", fill=None,
                start: int = 1) -> Any:
        from pptx.dml.color import RGBColor
        from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN

        box = slide.shapes.add_textbox(self.emu(x), self.emu(y), self.emu(w), self.emu(h))
        tf = box.text_frame
        tf.word_wrap = True
        tf.auto_size = MSO_AUTO_SIZE.NONE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(tf, side, self.emu(6))
        if fill is not None:
            box.fill.solid()
            box.fill.fore_color.rgb = RGBColor(*fill)
        for i, para in enumerate(paragraphs):
            p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
            p.alignment = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER}[align]
            p.space_after = self.emu(8)
            if bullets:
                self.bullet(p, bullets, start)
            self.runs(p, para, px, color=color, bold=bold)
        return box

    def bullet(self, p: Any, kind: str, start: int = 1) -> None:
        from pptx.oxml.ns import qn

        ppr = p._p.get_or_add_pPr()
        ppr.set("marL", str(int(30 * EMU_PER_PX)))
        ppr.set("indent", str(int(-24 * EMU_PER_PX)))
        if kind == "ordered":
            el = ppr.makeelement(qn("a:buAutoNum"), {"type": "arabicPeriod", "startAt": str(start)})
        else:
            el = ppr.makeelement(qn("a:buChar"), {"char": "•"})
        ppr.append(el)

    def title(self, slide: Any, runs: list[Run], *, y: float = 26, px: float = 40, align: str = "left") -> float:
        lines = est_lines(plain(runs), px, SLIDE_W - 100)
        h = lines * px * 1.25 + 16
        self.textbox(slide, 50, y, SLIDE_W - 100, h, [runs], px, color=_BLUE, bold=True, align=align)
        return y + h + 8

    def picture(self, slide: Any, png: bytes | Path, x: float, y: float, w: float, h: float) -> Any:
        src = io.BytesIO(png) if isinstance(png, bytes) else str(png)
        return slide.shapes.add_picture(src, self.emu(x), self.emu(y), self.emu(w), self.emu(h))

    # ---- blocks
    def block(self, slide: Any, b: Block, y: float, px: float) -> tuple[float, Any]:
        x, w = 50, SLIDE_W - 100
        if b.kind == "text":
            color = (0x8A, 0x4B, 0x00) if b.cls == "params" else None
            lines = sum(est_lines(plain(i), px) for i in b.items)
            h = lines * px * 1.3 + 14 * len(b.items) + 8
            fill = (0xEE, 0xF5, 0xFB) if b.cls == "result" else None
            return y + h + 6, self.textbox(slide, x, y, w, h, b.items, px, color=color, fill=fill)
        if b.kind == "answer":
            lines = sum(est_lines(plain(i), px) for i in b.items)
            h = lines * px * 1.3 + 14 * len(b.items) + 8
            return y + h + 6, self.textbox(slide, x, y + 12, w, h, b.items, px, fill=(0xF1, 0xF8, 0xEE))
        if b.kind == "list":
            lines = sum(est_lines(plain(i), px, w - 50) for i in b.items)
            h = lines * px * 1.3 + 10 * len(b.items) + 8
            return y + h + 6, self.textbox(slide, x, y, w, h, b.items, px,
                                           bullets="ordered" if b.ordered else "bullet", start=b.start)
        if b.kind == "quote":
            lines = sum(est_lines(plain(i), px, w - 80) for i in b.items)
            h = lines * px * 1.3 + 12 * len(b.items) + 12
            return y + h + 10, self.textbox(slide, x + 30, y, w - 60, h, b.items, px, fill=(0xF6, 0xF6, 0xF6))
        if b.kind == "math":
            from PIL import Image

            png = math_png(b.tex, self.lang)
            with Image.open(io.BytesIO(png)) as im:
                pw, ph = im.size[0] / 2, im.size[1] / 2   # drawn at 2× resolution
            scale = min(1.0, (SLIDE_W - 100) / pw, 160 / ph)
            pw, ph = pw * scale, ph * scale
            return y + ph + 18, self.picture(slide, png, (SLIDE_W - pw) / 2, y + 4, pw, ph)
        if b.kind == "table":
            return self.table(slide, b, y)
        if b.kind == "image":
            pic = self.picture(slide, self.deck.build_dir / b.src, (SLIDE_W - b.width) / 2, 8, b.width, b.height)
            return 8 + b.height + 6, pic
        raise ValueError(f"unknown block kind {b.kind!r}")

    def table(self, slide: Any, b: Block, y: float) -> tuple[float, Any]:
        from pptx.dml.color import RGBColor

        from .deck import _width_em

        cols = max([len(b.header)] + [len(r) for r in b.rows])
        rows = [b.header] if b.header else []
        rows += b.rows
        px = b.font_px or 20
        widths = [max(min(_width_em(r[j]) if j < len(r) else 0, 18) for r in rows) + 1.2 for j in range(cols)]
        total_w = min(SLIDE_W - 100, sum(widths) * px)
        row_h = px * 1.6
        shape = slide.shapes.add_table(len(rows), cols, self.emu(50), self.emu(y), self.emu(total_w),
                                       self.emu(row_h * len(rows)))
        table = shape.table
        for j, wj in enumerate(widths):
            table.columns[j].width = self.emu(total_w * wj / sum(widths))
        for i, r in enumerate(rows):
            table.rows[i].height = self.emu(row_h)
            for j in range(cols):
                cell = table.cell(i, j)
                cell.margin_left = cell.margin_right = self.emu(8)
                cell.margin_top = cell.margin_bottom = self.emu(2)
                tf = cell.text_frame
                tf.word_wrap = True
                p = tf.paragraphs[0]
                self.runs(p, [Run(r[j] if j < len(r) else "")], px, bold=bool(b.header) and i == 0)
                if i == 0 and b.header:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = RGBColor(0xEE, 0xF2, 0xF6)
        return y + row_h * len(rows) + 10, shape

    # ---- slides
    def slide(self, s: Slide) -> None:
        slide = self.prs.slides.add_slide(self.layout)
        px = FONT_PX
        if s.kind == "title":
            y = self.title(slide, s.title, y=170, px=56)
            for sub in s.subtitle:
                y = self.block(slide, Block("text", items=[sub]), y + 10, 30)[0]
            for b in s.blocks:
                y = self.block(slide, b, y + 6, 26)[0]
        elif s.kind == "section":
            self.title(slide, s.title, y=270, px=56, align="center")
        elif s.kind == "figure":
            y = 8
            for b in s.blocks:
                if b.kind == "image":
                    y = self.block(slide, b, y, px)[0]
                else:
                    lines = sum(est_lines(plain(i), CAPTION_PX, SLIDE_W - 40) for i in b.items)
                    self.textbox(slide, 20, y, SLIDE_W - 40, lines * CAPTION_PX * 1.3 + 8, b.items, CAPTION_PX)
        else:
            y = self.title(slide, s.title)
            for b in s.blocks:
                y, shape = self.block(slide, b, y, px)
                if b.kind == "answer":
                    _appear_on_click(slide, shape.shape_id)
        notes = "\n\n".join(_notes_text(n) for n in s.notes if n)
        if notes:
            slide.notes_slide.notes_text_frame.text = notes


def _notes_text(runs: list[Run]) -> str:
    out = []
    for r in runs:
        out.append("".join(t for t, _ in tex_runs(r.text)) if r.style == "math" else r.text)
    return "".join(out)


_TIMING = """<p:timing xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:tnLst><p:par>
<p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
<p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="5" presetID="1" presetClass="entr" presetSubtype="0" fill="hold" grpId="0" nodeType="clickEffect">
<p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst><p:set><p:cBhvr>
<p:cTn id="6" dur="1" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst></p:cTn>
<p:tgtEl><p:spTgt spid="SPID"/></p:tgtEl><p:attrNameLst><p:attrName>style.visibility</p:attrName></p:attrNameLst>
</p:cBhvr><p:to><p:strVal val="visible"/></p:to></p:set></p:childTnLst></p:cTn></p:par>
</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn>
<p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst>
<p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst></p:seq>
</p:childTnLst></p:cTn></p:par></p:tnLst><p:bldLst><p:bldP spid="SPID" grpId="0" animBg="1"/></p:bldLst></p:timing>"""


def _appear_on_click(slide: Any, shape_id: int) -> None:
    """Make a shape appear on the next click (PowerPoint's "Appear" entrance effect)."""
    from lxml import etree

    timing = etree.fromstring(re.sub(r">\s+<", "><", _TIMING.replace("SPID", str(shape_id))))
    sld = slide._element
    ext = sld.find("{http://schemas.openxmlformats.org/presentationml/2006/main}extLst")
    if ext is not None:
        ext.addprevious(timing)
    else:
        sld.append(timing)


def write_pptx(deck: Deck, dest: Path) -> Path:
    """Write ``deck`` as a PowerPoint file (see the module docstring).

    Parameters
    ----------
    deck : Deck
    dest : Path
        The ``.pptx`` to write.

    Returns
    -------
    Path
        ``dest``.
    """
    w = _Writer(deck)
    for s in deck.slides:
        w.slide(s)
    core = w.prs.core_properties
    core.title = deck.title
    core.language = "zh-CN" if deck.lang == "zh" else "en-US"
    core.author = "CRM Notebooks"
    from datetime import datetime

    core.created = core.modified = datetime(2024, 1, 1)
    core.last_modified_by = "CRM Notebooks"
    core.revision = 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    w.prs.save(str(dest))
    return dest

