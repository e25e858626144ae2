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

  function fitAll() {
    document.querySelectorAll(".reveal .slides > section").forEach(function (s) {
      var shown = s.style.display;
      s.style.display = "block";
      fit(s);
      s.style.display = shown;
    });
  }

  var print = /print-pdf/i.test(window.location.search);
  if (print) fitAll();
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
