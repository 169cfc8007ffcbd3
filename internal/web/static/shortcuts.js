// Keyboard shortcuts: a key pressed outside a text field acts on the
// element of the page that names it in data-shortcut — an input takes the
// focus, a link or button is followed. "?" lists them (the dialog in the
// layout). Pages name only what they offer: "e" exists on a record's page
// for users who may edit it, "n" on a list for those who may create.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function visible(el) {
    return el.offsetParent !== null || el.getClientRects().length > 0;
  }

  function target(key) {
    var all = document.querySelectorAll('[data-shortcut="' + key + '"]');
    for (var i = 0; i < all.length; i++) {
      if (visible(all[i])) return all[i];
    }
    return all.length ? all[0] : null;
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) return;
    if (document.querySelector("dialog[open]")) return;
    if (ev.key === "?") {
      var help = document.getElementById("shortcuts-help");
      if (help && help.showModal) {
        ev.preventDefault();
        help.showModal();
      }
      return;
    }
    if (ev.key.length !== 1) return;
    var el = target(ev.key.toLowerCase());
    if (!el) return;
    ev.preventDefault();
    if (typing(el)) {
      el.focus();
      if (el.select) el.select();
      if (el.scrollIntoView) el.scrollIntoView({ block: "center" });
    } else {
      el.click();
    }
  });

  // The link to the list, shown only where the script runs.
  function showOpeners() {
    var openers = document.querySelectorAll("[data-open-dialog]");
    for (var i = 0; i < openers.length; i++) openers[i].hidden = false;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showOpeners);
  else showOpeners();

  document.addEventListener("click", function (ev) {
    var opener = ev.target.closest && ev.target.closest("[data-open-dialog]");
    if (!opener) return;
    var d = document.getElementById(opener.getAttribute("data-open-dialog"));
    if (d && d.showModal) d.showModal();
  });
})();
