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

// A list remembers its filter, sort, columns and page for the tab, and a
// record's breadcrumb leads back to the list as it was left.
(function () {
  "use strict";
  var key = function (path) { return "relasi.list:" + path; };
  function remember() {
    if (document.querySelector("[data-list-state]")) {
      try { sessionStorage.setItem(key(location.pathname), location.search); } catch (e) { /* storage off */ }
    }
    var links = document.querySelectorAll("a[data-list-back]");
    for (var i = 0; i < links.length; i++) {
      var path = links[i].getAttribute("href");
      var search = null;
      try { search = sessionStorage.getItem(key(path)); } catch (e) { /* storage off */ }
      if (search) links[i].setAttribute("href", path + search);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", remember);
  else remember();
})();

// A list's bulk form: the header's box ticks every row of the page, and
// the form says how many rows are ticked.
(function () {
  "use strict";
  function update(form) {
    // Not form.id: the ticked boxes are named "id" and form.id is them.
    var rows = document.querySelectorAll('input[data-bulk-row][form="bulk-form"]');
    var n = 0;
    for (var i = 0; i < rows.length; i++) if (rows[i].checked) n++;
    var count = form.querySelector("[data-bulk-count]");
    if (count) count.textContent = (form.getAttribute("data-selected-text") || "%s").replace("%s", n);
    var all = document.querySelector("input[data-bulk-all]");
    if (all) {
      all.checked = n > 0 && n === rows.length;
      all.indeterminate = n > 0 && n < rows.length;
    }
  }
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    var form = document.getElementById("bulk-form");
    if (!form) return;
    if (el.hasAttribute("data-bulk-all")) {
      var rows = document.querySelectorAll('input[data-bulk-row][form="bulk-form"]');
      for (var i = 0; i < rows.length; i++) rows[i].checked = el.checked;
    }
    if (el.hasAttribute("data-bulk-all") || el.hasAttribute("data-bulk-row")) {
      var selected = form.querySelector('input[name=scope][value=selected]');
      if (selected) selected.checked = true;
      update(form);
    }
  });
})();
