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

  // In the form that logs an activity, a task is still to do and
  // anything else was just done, until the user ticks the box themselves.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    var form = el.closest && el.closest("form.log-activity");
    if (!form) {
      return;
    }
    var done = form.querySelector("input[name=done]");
    if (el === done) {
      done.dataset.touched = "1";
    } else if (el.name === "kind" && done && !done.dataset.touched) {
      done.checked = el.value !== "task";
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
