/* CRM Notebooks decks: reveal.js settings (16:9, one left-to-right sequence, speaker notes) and a last
   check that every slide fits: a formula or table wider than the slide, or a body taller than it, is
   set a little smaller. Nothing is loaded from the network. */
(function () {
  "use strict";
  var W = 1280, H = 720;

  function shrink(el, fits, min) {
    var size = parseFloat(window.getComputedStyle(el).fontSize);
    while (!fits() && size > min) {
      size -= 1;
      el.style.fontSize = size + "px";
    }
  }

  function fit(section) {
    if (!section || section.dataset.crmFitted) return;
    section.dataset.crmFitted = "1";
    section.querySelectorAll(".crm-math").forEach(function (m) {
      shrink(m, function () { return m.scrollWidth <= m.clientWidth + 1; }, 16);
    });
    section.querySelectorAll("table.crm-table").forEach(function (t) {
      shrink(t, function () { return t.getBoundingClientRect().width <= W - 40; }, 13);
    });
    var body = section.querySelector(".crm-body") || section;
    shrink(body, function () { return section.scrollHeight <= H + 1; }, 20);
  }

  function overflows(section) {
    var m = Array.prototype.some.call(section.querySelectorAll(".crm-math"), function (e) {
      return e.scrollWidth > e.clientWidth + 1;
    });
    var t = Array.prototype.some.call(section.querySelectorAll("table.crm-table"), function (e) {
      return e.getBoundingClientRect().width > W - 40;
    });
    return m || t || section.scrollHeight > H + 1;
  }

  function fitAll() {
    // show every slide at once, measure them all (one layout), fix the few that overflow
    var slides = Array.prototype.slice.call(document.querySelectorAll(".reveal .slides > section"));
    var shown = slides.map(function (s) { var d = s.style.display; s.style.display = "block"; return d; });
    var bad = slides.filter(overflows);
    bad.forEach(fit);
    slides.forEach(function (s, i) { s.style.display = shown[i]; });
  }

  // reveal.js's print view wraps each slide in a page: fit them before it does
  if (/print-pdf/i.test(window.location.search)) fitAll();
  Reveal.initialize({
    hash: true, slideNumber: "c/t", width: W, height: H, margin: 0, minScale: 0.2, maxScale: 2,
    center: false, transition: "none", backgroundTransition: "none", controls: false, progress: true,
    pdfSeparateFragments: false, pdfMaxPagesPerSlide: 1, plugins: [RevealNotes]
  }).then(function () {
    fitAll();
    Reveal.layout();
    document.body.dataset.crmReady = "1";
  });
})();
