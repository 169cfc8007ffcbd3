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
  // Pickers: a field that links to another record (a contact's account,
  // an activity's related record) is, without this script, a select or an
  // input of the record's ID. Here it becomes a combobox: the user types
  // a name, the server's lookup (GET /{entity}/lookup?q=) answers the
  // options, and a hidden input posts the chosen record's ID.
  var pickerSeq = 0;

  function enhancePicker(root) {
    if (root.dataset.enhanced) {
      return;
    }
    var ctrl = root.querySelector("input, select");
    if (!ctrl) {
      return;
    }
    root.dataset.enhanced = "1";
    var id = ctrl.id || "picker-" + ++pickerSeq;
    var title = root.dataset.title || "";
    if (ctrl instanceof HTMLSelectElement && ctrl.value && !title) {
      title = ctrl.options[ctrl.selectedIndex].text;
    }
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = ctrl.name;
    hidden.value = ctrl.value;
    var text = document.createElement("input");
    text.type = "text";
    text.id = id;
    text.value = ctrl.value ? title || "#" + ctrl.value : "";
    text.autocomplete = "off";
    text.placeholder = root.dataset.placeholder || "";
    text.setAttribute("role", "combobox");
    text.setAttribute("aria-autocomplete", "list");
    text.setAttribute("aria-expanded", "false");
    text.setAttribute("aria-controls", id + "-listbox");
    text.setAttribute("data-testid", "picker-input");
    if (ctrl.getAttribute("aria-invalid")) {
      text.setAttribute("aria-invalid", ctrl.getAttribute("aria-invalid"));
    }
    var list = document.createElement("ul");
    list.id = id + "-listbox";
    list.className = "picker-list";
    list.hidden = true;
    list.setAttribute("role", "listbox");
    list.setAttribute("data-testid", "picker-list");
    ctrl.replaceWith(hidden, text);
    root.appendChild(list);
    if (root.hasAttribute("data-optional")) {
      var clear = document.createElement("button");
      clear.type = "button";
      clear.className = "picker-clear secondary";
      clear.textContent = "×";
      clear.setAttribute("aria-label", root.dataset.clearLabel || "");
      clear.addEventListener("click", function () {
        choose("", "");
        text.focus();
      });
      root.insertBefore(clear, list);
    }
    var hint = document.getElementById(id + "-hint");
    if (hint && hint.hasAttribute("data-picker-hint")) {
      hint.hidden = true;
    }

    var chosen = { id: hidden.value, title: text.value };
    var timer = null;
    var seq = 0;
    var active = -1;

    function options() {
      return list.querySelectorAll("[role=option]");
    }
    function close() {
      list.hidden = true;
      active = -1;
      text.setAttribute("aria-expanded", "false");
      text.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      var opts = options();
      if (!opts.length) {
        return;
      }
      active = (i + opts.length) % opts.length;
      opts.forEach(function (o, j) {
        o.setAttribute("aria-selected", j === active ? "true" : "false");
      });
      text.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }
    function choose(value, label) {
      hidden.value = value;
      text.value = label;
      chosen = { id: value, title: label };
      close();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function lookupURL() {
      if (root.dataset.lookupBy) {
        var by = document.getElementById(root.dataset.lookupBy);
        var spec = by && by.value ? root.querySelector('[data-lookup-for="' + by.value + '"]') : null;
        return spec ? spec.dataset.url : "";
      }
      return root.dataset.lookup || "";
    }
    function search() {
      var url = lookupURL();
      if (!url) {
        if (root.dataset.pickTypeLabel) {
          var li = document.createElement("li");
          li.className = "picker-empty";
          li.setAttribute("role", "presentation");
          li.textContent = root.dataset.pickTypeLabel;
          list.replaceChildren(li);
          list.hidden = false;
          text.setAttribute("aria-expanded", "true");
        }
        return;
      }
      var mine = ++seq;
      fetch(url + "?limit=10&q=" + encodeURIComponent(text.value.trim()), {
        headers: { "HX-Request": "true" },
        credentials: "same-origin"
      })
        .then(function (res) {
          return res.ok ? res.text() : "";
        })
        .then(function (html) {
          if (mine !== seq || document.activeElement !== text) {
            return;
          }
          list.innerHTML = html;
          options().forEach(function (o, j) {
            o.id = id + "-option-" + j;
          });
          list.hidden = false;
          active = -1;
          text.setAttribute("aria-expanded", "true");
        });
    }

    text.addEventListener("input", function () {
      hidden.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    text.addEventListener("keydown", function (ev) {
      switch (ev.key) {
        case "ArrowDown":
          ev.preventDefault();
          if (list.hidden) {
            search();
          } else {
            highlight(active + 1);
          }
          break;
        case "ArrowUp":
          if (!list.hidden) {
            ev.preventDefault();
            highlight(active - 1);
          }
          break;
        case "Enter":
          if (!list.hidden && active >= 0) {
            ev.preventDefault();
            swallowEnter = true;
            var o = options()[active];
            choose(o.dataset.id, o.dataset.title);
          }
          break;
        case "Escape":
          if (!list.hidden) {
            ev.preventDefault();
            ev.stopPropagation();
            close();
          }
          break;
      }
    });
    // The Enter that chose an option does not submit the form: some
    // browsers and tools send its keypress apart from the keydown.
    var swallowEnter = false;
    text.addEventListener("keypress", function (ev) {
      if (ev.key === "Enter" && swallowEnter) {
        ev.preventDefault();
      }
    });
    text.addEventListener("keyup", function (ev) {
      if (ev.key === "Enter") {
        swallowEnter = false;
      }
    });
    // The option is chosen on mousedown, before the input's blur.
    list.addEventListener("mousedown", function (ev) {
      var o = ev.target.closest("[role=option]");
      if (o) {
        ev.preventDefault();
        choose(o.dataset.id, o.dataset.title);
      }
    });
    // Leaving a half-typed name keeps the record chosen before; an
    // emptied field is a cleared one.
    text.addEventListener("blur", function () {
      close();
      if (!hidden.value && text.value.trim() !== "") {
        hidden.value = chosen.id;
        text.value = chosen.title;
      }
    });
    if (root.dataset.lookupBy) {
      var by = document.getElementById(root.dataset.lookupBy);
      if (by) {
        by.addEventListener("change", function () {
          choose("", "");
        });
      }
    }
  }

  function enhancePickers(scope) {
    if (scope && scope.querySelectorAll) {
      scope.querySelectorAll("[data-picker]").forEach(enhancePicker);
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhancePickers(document);
    });
  } else {
    enhancePickers(document);
  }
  document.addEventListener("htmx:load", function (ev) {
    enhancePickers(ev.detail && ev.detail.elt);
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
