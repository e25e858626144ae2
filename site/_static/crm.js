/* CRM Notebooks: keep the reader's place when switching language.
   Figure anchors (#figure-2-1) and section anchors are the same in both
   editions, so the switch carries the current #fragment over. No network. */
(function () {
  "use strict";
  function carryHash(event) {
    var link = event.currentTarget;
    if (window.location.hash && link.href.indexOf("#") < 0) {
      link.href = link.href + window.location.hash;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var links = document.querySelectorAll("a.crm-lang-switch");
    for (var i = 0; i < links.length; i++) {
      links[i].addEventListener("click", carryHash);
    }
  });
})();

/* Sphinx 9's Chinese search data (language_data.js, loaded after this file on search pages) sets
   `window.Stemmer = ChineseStemmer` but defines only EnglishStemmer: Chinese words are split by
   jieba at build time and Latin words stemmed as English. Name the stemmer so the search runs. */
if (typeof window.ChineseStemmer === "undefined") {
  window.ChineseStemmer = function () { return new EnglishStemmer(); };
}
