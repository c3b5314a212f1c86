// Cairn's page behaviour: keyboard shortcuts, the drawer, collapsing rows and small form
// helpers. Every page works without it; this only makes them quicker to use.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var focusCheckIn = false;

  function drawer() { return document.getElementById("drawer"); }

  function visibleRows() {
    return Array.prototype.filter.call(document.querySelectorAll(".tree [data-row]"), function (r) {
      return r.offsetParent !== null;
    });
  }

  function currentRow() {
    return document.querySelector(".tree .row.kbd") || document.querySelector(".tree .row.selected");
  }

  function markRow(row) {
    document.querySelectorAll(".tree .row.kbd").forEach(function (r) { r.classList.remove("kbd"); });
    if (!row) return;
    row.classList.add("kbd");
    row.scrollIntoView({ block: "nearest" });
    var link = row.querySelector("a.title");
    if (link) link.focus({ preventScroll: true });
  }

  function moveRow(step) {
    var rows = visibleRows();
    if (!rows.length) return;
    var i = rows.indexOf(currentRow());
    i = i < 0 ? (step > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, i + step));
    markRow(rows[i]);
  }

  function openRow(row) {
    var link = row && row.querySelector("a.title");
    if (link) link.click();
  }

  function closeDrawer() {
    var d = drawer();
    if (!d || !d.classList.contains("open")) return false;
    var inner = d.querySelector(".drawer-inner");
    var to = inner && inner.getAttribute("data-close-url");
    d.classList.remove("open");
    d.innerHTML = "";
    document.querySelectorAll(".tree .row.selected").forEach(function (r) { r.classList.remove("selected"); });
    document.querySelector(".okrs-page") && document.querySelector(".okrs-page").classList.remove("has-drawer");
    if (to) history.pushState({}, "", to);
    var row = currentRow();
    if (row) { var l = row.querySelector("a.title"); if (l) l.focus(); }
    return true;
  }

  function typing(el) {
    if (!el) return false;
    var t = el.tagName;
    return t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape") {
      var open = document.querySelector("details[open]");
      if (open) { open.removeAttribute("open"); var s = open.querySelector("summary"); if (s) s.focus(); e.preventDefault(); return; }
      if (closeDrawer()) e.preventDefault();
      return;
    }
    if (typing(e.target)) return;
    switch (e.key) {
      case "j": moveRow(1); e.preventDefault(); break;
      case "k": moveRow(-1); e.preventDefault(); break;
      case "Enter":
        if (e.target.closest && e.target.closest("[data-row]") && e.target.tagName !== "A" && e.target.tagName !== "BUTTON") { openRow(e.target.closest("[data-row]")); e.preventDefault(); }
        break;
      case "/":
        var q = document.getElementById("global-search");
        if (q) { q.focus(); q.select(); e.preventDefault(); }
        break;
      case "c":
        var input = document.getElementById("ci-value");
        var row = currentRow();
        if (input && (!row || row.classList.contains("selected"))) { input.focus(); e.preventDefault(); break; }
        if (row) { focusCheckIn = true; openRow(row); e.preventDefault(); }
        break;
    }
  });

  document.addEventListener("click", function (e) {
    var caret = e.target.closest(".caret");
    if (caret) {
      var kids = document.getElementById(caret.getAttribute("aria-controls"));
      var open = caret.getAttribute("aria-expanded") === "true";
      caret.setAttribute("aria-expanded", open ? "false" : "true");
      caret.setAttribute("aria-label", caret.getAttribute("aria-label").replace(open ? "Collapse" : "Expand", open ? "Expand" : "Collapse"));
      if (kids) kids.hidden = open;
      return;
    }
    var close = e.target.closest("[data-close]");
    if (close && drawer() && drawer().contains(close)) {
      e.preventDefault();
      closeDrawer();
      return;
    }
    var row = e.target.closest("[data-row]");
    if (row && !e.target.closest("a, button, input, select, label")) {
      markRow(row);
      openRow(row);
    }
  });

  // Forms marked data-autosubmit apply as soon as a choice changes.
  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest("form[data-autosubmit]");
    if (form && e.target.type !== "search") {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
    syncReveal();
  });

  // A plain form cannot be sent twice by a double click.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.hasAttribute("hx-post") || form.method.toLowerCase() !== "post") return;
    if (form.dataset.sent) { e.preventDefault(); return; }
    form.dataset.sent = "1";
    setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
    }, 0);
  });

  // A key result's goal to increase or decrease follows the start and target as they are
  // typed, so that a target below the start picks "Decrease"; a threshold goal stays as
  // chosen. Without this the server names the goal that fits in its message.
  document.addEventListener("input", function (e) {
    var t = e.target;
    if (!t || (t.id !== "metric_start" && t.id !== "metric_target")) return;
    var form = t.closest("form");
    var goal = form && form.querySelector("#metric_goal");
    if (!goal || (goal.value !== "increase" && goal.value !== "decrease")) return;
    var start = parseFloat(form.querySelector("#metric_start").value.replace(/,/g, ""));
    var target = parseFloat(form.querySelector("#metric_target").value.replace(/,/g, ""));
    if (isFinite(start) && isFinite(target) && start !== target) goal.value = target > start ? "increase" : "decrease";
  });

  // Fieldsets marked data-show-when show only for the matching radio choice.
  function syncReveal() {
    document.querySelectorAll("[data-show-when]").forEach(function (el) {
      var form = el.closest("form");
      var checked = form && form.querySelector("input[name=progress_mode]:checked");
      el.hidden = !!checked && checked.value !== el.getAttribute("data-show-when");
    });
  }
  document.addEventListener("DOMContentLoaded", syncReveal);

  // A swap that removed the focused control (such as the data source card after Sync
  // now) gives the focus to the new card's marked control instead of the page.
  document.addEventListener("htmx:afterSettle", function (e) {
    var a = document.activeElement;
    if (a && a !== document.body) return;
    var elt = e.detail && e.detail.requestConfig && e.detail.requestConfig.elt;
    if (!elt || !(elt.id === "sync-status" || (elt.closest && elt.closest(".source-card")))) return;
    var d = drawer();
    var f = d && d.querySelector("[data-refocus]:not([disabled])");
    if (!f && d) f = d.querySelector("#sync-status");
    if (f) { if (!f.hasAttribute("tabindex") && f.tagName === "P") f.setAttribute("tabindex", "-1"); f.focus({ preventScroll: true }); }
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    var d = drawer();
    if (d && e.detail.target === d) {
      d.classList.add("open");
      var page = document.querySelector(".okrs-page");
      if (page) page.classList.add("has-drawer");
      var inner = d.querySelector(".drawer-inner");
      var url = inner && inner.getAttribute("data-item-url");
      document.querySelectorAll(".tree .row.selected").forEach(function (r) { r.classList.remove("selected"); });
      if (url) {
        document.querySelectorAll(".tree [data-row]").forEach(function (r) {
          if (r.getAttribute("data-href").split("?")[0] === url) r.classList.add("selected");
        });
      }
      var target = null;
      if (focusCheckIn) target = document.getElementById("ci-value");
      focusCheckIn = false;
      var err = d.querySelector("[aria-invalid=true]");
      target = err || target || d.querySelector("[data-autofocus]") || d.querySelector(".drawer-title");
      if (target) { if (!target.hasAttribute("tabindex") && target.tagName === "H2") target.setAttribute("tabindex", "-1"); target.focus({ preventScroll: false }); }
    }
    if (e.detail.target && e.detail.target.id === "main") {
      // A whole page swapped in, such as the import's dry run: start reading at its top.
      var first = e.detail.target.querySelector("[aria-invalid=true]") || e.detail.target.querySelector("h1");
      if (first) { if (first.tagName === "H1") first.setAttribute("tabindex", "-1"); first.focus({ preventScroll: true }); }
      window.scrollTo(0, 0);
    }
    syncReveal();
  });

  // A file input with data-max-size says at once when the chosen file is too large, and its
  // form is not sent: uploading it would only end in the server's refusal.
  function fileTooLarge(input) {
    var max = Number(input.getAttribute("data-max-size"));
    var f = input.files && input.files[0];
    var big = !!f && max > 0 && f.size > max;
    var msg = document.getElementById(input.id + "-size-error");
    if (msg) msg.hidden = !big;
    if (big) {
      input.setAttribute("aria-invalid", "true");
    } else if (!document.getElementById("err-" + input.id)) {
      input.removeAttribute("aria-invalid");
    }
    return big;
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("input[type=file][data-max-size]")) fileTooLarge(e.target);
  });
  document.addEventListener("submit", function (e) {
    var inputs = e.target.querySelectorAll ? e.target.querySelectorAll("input[type=file][data-max-size]") : [];
    for (var i = 0; i < inputs.length; i++) {
      if (fileTooLarge(inputs[i])) {
        e.preventDefault();
        e.stopPropagation();
        inputs[i].focus();
        return;
      }
    }
  }, true);
})();
