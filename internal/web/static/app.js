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

  // The top bar's search box shows its hits as a listbox it points into
  // (aria-activedescendant): the focus stays in the box while ↓ and ↑ mark
  // a hit, Enter opens the marked one (or, with none marked, the results
  // page, as without JavaScript), Escape closes the list. The hits also
  // close when the user clicks elsewhere.
  function searchBox() {
    return document.getElementById("topsearch-q");
  }
  function hitLinks(list) {
    return list ? Array.prototype.slice.call(list.querySelectorAll("a.hit")) : [];
  }
  function markHit(box, hit) {
    hitLinks(document.getElementById("topsearch-hits")).forEach(function (a) {
      a.setAttribute("aria-selected", a === hit ? "true" : "false");
    });
    if (hit) {
      box.setAttribute("aria-activedescendant", hit.id);
      hit.scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }
  function closeHits() {
    var hits = document.getElementById("topsearch-hits");
    if (hits) {
      hits.replaceChildren();
    }
    var box = searchBox();
    if (box) {
      box.removeAttribute("aria-activedescendant");
      box.setAttribute("aria-expanded", "false");
    }
  }
  document.addEventListener("htmx:afterSwap", function (ev) {
    var box = searchBox();
    if (box && ev.target && ev.target.id === "topsearch-hits") {
      box.removeAttribute("aria-activedescendant");
      box.setAttribute("aria-expanded", ev.target.querySelector("[role=option]") ? "true" : "false");
    }
  });
  function boxKeys(ev, box) {
    var hits = hitLinks(document.getElementById("topsearch-hits"));
    var current = document.getElementById(box.getAttribute("aria-activedescendant") || "");
    var at = hits.indexOf(current);
    switch (ev.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (hits.length === 0) {
          return;
        }
        ev.preventDefault();
        if (ev.key === "ArrowDown") {
          at = at < 0 || at === hits.length - 1 ? 0 : at + 1;
        } else {
          at = at <= 0 ? hits.length - 1 : at - 1;
        }
        markHit(box, hits[at]);
        break;
      case "Enter":
        if (at >= 0) {
          ev.preventDefault();
          hits[at].click();
        }
        break;
      case "Escape":
        closeHits();
        break;
    }
  }

  // On the results page ↓ in the search box goes to the first hit, and ↓
  // and ↑ move from hit to hit (Enter follows the focused link, as links
  // do); ↑ on the first hit goes back to the box.
  function pageKeys(ev) {
    var el = ev.target;
    var box = document.querySelector("[data-hit-keys]");
    if (!box || (ev.key !== "ArrowDown" && ev.key !== "ArrowUp")) {
      return;
    }
    var hits = hitLinks(document.querySelector(box.getAttribute("data-hit-keys")));
    var at = el === box ? -1 : hits.indexOf(el);
    if (hits.length === 0 || (el !== box && at < 0) || (el === box && ev.key === "ArrowUp")) {
      return;
    }
    ev.preventDefault();
    if (ev.key === "ArrowDown") {
      hits[Math.min(at + 1, hits.length - 1)].focus();
    } else if (at === 0) {
      box.focus();
    } else {
      hits[at - 1].focus();
    }
  }

  document.addEventListener("keydown", function (ev) {
    var box = searchBox();
    if (box && ev.target === box) {
      boxKeys(ev, box);
      return;
    }
    if (ev.key === "Escape") {
      closeHits();
      return;
    }
    pageKeys(ev);
  });
  // Enter on a marked hit opens the hit, not the results page: some
  // browsers submit the form on the key's character even when its keydown
  // was cancelled.
  document.addEventListener("submit", function (ev) {
    var box = searchBox();
    if (box && ev.target === box.form && document.getElementById(box.getAttribute("aria-activedescendant") || "")) {
      ev.preventDefault();
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
