// Relasi's own script: small conveniences on top of pages that work
// without it. No inline handlers anywhere (the CSP forbids them); this
// file listens on the document instead.
(function () {
  "use strict";

  // A quick-filter dropdown applies its choice at once.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      if (el.form.requestSubmit) {
        el.form.requestSubmit();
      } else {
        el.form.submit();
      }
    }
  });

  // The search box's hits close on Escape and when the user clicks
  // elsewhere.
  function closeHits() {
    var hits = document.getElementById("topsearch-hits");
    if (hits) {
      hits.replaceChildren();
    }
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      closeHits();
    }
  });
  document.addEventListener("click", function (ev) {
    var form = document.querySelector(".topsearch");
    if (form && !form.contains(ev.target)) {
      closeHits();
    }
  });
})();
