// Connectivity front-end glue. No inline scripts anywhere: behaviour lives in static files.
(function () {
  "use strict";

  function isTextField(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // Buttons that remove a repeated form row (issue rows in the quick log).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-remove-closest]");
    if (!button) return;
    var row = button.closest(button.getAttribute("data-remove-closest"));
    if (!row) return;
    row.remove();
    var add = document.querySelector("[data-shortcut-add-issue]"); // focus must not fall back to the page's start
    if (add) add.focus();
  });

  // "L" anywhere (outside a text field) opens the quick log: logging a call must take seconds. On a page about one
  // account (it links to the quick log for that account), the quick log opens with that account chosen.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "l" && event.key !== "L") return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isTextField(event.target)) return;
    var link = document.getElementById("log-conversation");
    if (!link) return;
    var forAccount = document.querySelector('main a[href^="' + link.getAttribute("href") + '?account="]');
    event.preventDefault();
    window.location.assign((forAccount || link).href);
  });

  // ---------------------------------------------------------------------------------------------------------------
  // Combobox (WAI-ARIA APG: editable combobox, list autocomplete with automatic selection). The input keeps focus;
  // htmx fills the listbox; ArrowDown/ArrowUp move the active option, Enter picks it, Escape closes the list. Enter
  // never submits the form from here, and Escape never clears what was typed.
  // ---------------------------------------------------------------------------------------------------------------
  function comboParts(input) {
    var listbox = document.getElementById(input.getAttribute("aria-controls"));
    var options = listbox
      ? Array.prototype.slice.call(listbox.querySelectorAll('[role="option"]:not([aria-disabled="true"])'))
      : [];
    return { listbox: listbox, options: options };
  }

  function comboActive(input) {
    var id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function comboSetActive(input, option) {
    var parts = comboParts(input);
    parts.options.forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function comboOpen(input, open) {
    var parts = comboParts(input);
    var show = open && parts.listbox && parts.listbox.children.length > 0;
    if (parts.listbox) parts.listbox.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) comboSetActive(input, null);
  }

  function comboStatus(input, text) {
    var status = document.getElementById(input.getAttribute("data-combobox-status") || "");
    if (status) status.textContent = text;
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input || !input.matches || !input.matches('[role="combobox"]')) return;
    var parts = comboParts(input);
    var active = comboActive(input);
    var index = active ? parts.options.indexOf(active) : -1;
    var expanded = input.getAttribute("aria-expanded") === "true";
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!parts.options.length) return;
      event.preventDefault();
      var down = event.key === "ArrowDown";
      if (!expanded) {
        comboOpen(input, true);
        if (event.altKey) return; // Alt+ArrowDown opens the list without moving
        comboSetActive(input, down ? parts.options[0] : parts.options[parts.options.length - 1]);
        return;
      }
      var next = down ? (index + 1) % parts.options.length : (index <= 0 ? parts.options.length : index) - 1;
      comboSetActive(input, parts.options[next]);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submit half a form from the account field
      if (expanded && active) active.click();
    } else if (event.key === "Escape") {
      event.preventDefault(); // close the list; the typed text stays
      if (expanded) comboOpen(input, false);
    }
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches('[role="combobox"]')) comboOpen(input, false);
  });

  // Clicking an option must not blur the input first (the list would close under the pointer).
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest('[role="listbox"] [role="option"]')) event.preventDefault();
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || !target.id) return;
    var input = document.querySelector('[role="combobox"][aria-controls="' + target.id + '"]');
    if (input) {
      var parts = comboParts(input);
      var open = document.activeElement === input && target.children.length > 0;
      comboOpen(input, open);
      if (open && parts.options.length) comboSetActive(input, parts.options[0]);
      comboStatus(
        input,
        parts.options.length
          ? parts.options.length + " match" + (parts.options.length === 1 ? "" : "es") + ": up and down arrows to choose, Enter to pick."
          : target.textContent.trim()
      );
      return;
    }
    // An account was picked: go on to the next field of the routine, the channel.
    if (target.id === "account-picker") {
      var picked = document.getElementById("picked-account");
      var next = document.querySelector("#quick-log [data-after-account] input");
      if (picked && next) next.focus();
    }
    // A new issue row: go to its department (the severity has a default).
    if (target.id === "issue-rows") {
      var rows = target.querySelectorAll(".issue-row");
      var field = rows.length ? rows[rows.length - 1].querySelector("[data-focus-first] select, [data-focus-first] input") : null;
      if (field) field.focus();
    }
  });

  // Typing in the combobox: forget the active option until fresh suggestions arrive.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input && input.matches && input.matches('[role="combobox"]')) comboSetActive(input, null);
  });

  // "change" next to a picked account: back to the combobox, without reloading (nothing else typed is lost).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-account-change]");
    if (!link) return;
    var template = document.getElementById("account-combobox");
    var picker = document.getElementById("account-picker");
    if (!template || !picker) return;
    event.preventDefault();
    picker.replaceChildren(template.content.cloneNode(true));
    if (window.htmx) window.htmx.process(picker);
    var input = picker.querySelector('[role="combobox"]');
    if (input) input.focus();
  });

  // ---------------------------------------------------------------------------------------------------------------
  // Chip groups (Bootstrap toggle buttons over radios or checkboxes, marked data-chips): type a chip's name to choose
  // it, as in a select; a checkbox group is one Tab stop whose arrows move between chips (Space toggles), as radios
  // are natively.
  // ---------------------------------------------------------------------------------------------------------------
  function chipInputs(group) {
    return Array.prototype.slice.call(group.querySelectorAll("input.btn-check:not(:disabled)"));
  }

  function chipLabel(input) {
    var label = input.id ? document.querySelector('label[for="' + input.id + '"]') : null;
    return label ? label.textContent.trim().toLowerCase() : "";
  }

  function initChipGroups(root) {
    var groups = (root.matches && root.matches("[data-chips]") ? [root] : []).concat(
      Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll("[data-chips]") : [])
    );
    groups.forEach(function (group) {
      var inputs = chipInputs(group);
      if (!inputs.length || inputs[0].type !== "checkbox") return;
      var current = inputs.filter(function (i) { return i.checked; })[0] || inputs[0];
      inputs.forEach(function (i) { i.tabIndex = i === current ? 0 : -1; });
    });
  }

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    var group = input && input.closest && input.closest("[data-chips]");
    if (!group || input.type !== "checkbox") return;
    chipInputs(group).forEach(function (i) { i.tabIndex = i === input ? 0 : -1; });
  });

  var typed = { group: null, text: "", timer: 0, chosen: null };

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    var group = input && input.closest && input.closest("[data-chips]");
    if (!group || !input.classList.contains("btn-check") || event.ctrlKey || event.metaKey || event.altKey) return;
    var inputs = chipInputs(group);
    var at = inputs.indexOf(input);
    var moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    if (input.type === "checkbox" && (event.key in moves || event.key === "Home" || event.key === "End")) {
      event.preventDefault();
      var to = event.key === "Home" ? 0 : event.key === "End" ? inputs.length - 1 : (at + moves[event.key] + inputs.length) % inputs.length;
      inputs[to].focus();
      return;
    }
    if (event.key.length !== 1 || (event.key === " " && !(typed.group === group && typed.text))) return;
    event.preventDefault();
    if (typed.group !== group) typed = { group: group, text: "", timer: 0, chosen: null };
    window.clearTimeout(typed.timer);
    typed.timer = window.setTimeout(function () { typed = { group: null, text: "", timer: 0, chosen: null }; }, 1000);
    typed.text += event.key.toLowerCase();
    var match = inputs.filter(function (i) { return chipLabel(i).indexOf(typed.text) === 0; })[0];
    if (!match || (typed.chosen && typed.chosen.input === match)) return;
    // The chip chosen earlier by this same word was only a prefix match: undo it.
    if (typed.chosen && typed.chosen.input.type === "checkbox" && !typed.chosen.was) typed.chosen.input.checked = false;
    typed.chosen = { input: match, was: match.checked };
    match.focus();
    if (!match.checked) {
      match.checked = true;
      match.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // ---------------------------------------------------------------------------------------------------------------
  // Forms marked data-keyboard-form: Enter in a one-line field never sends a half-filled form; Ctrl+Enter (⌘+Enter)
  // saves from anywhere in it; Alt+I adds an issue row.
  // ---------------------------------------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    var form = event.target && event.target.closest && event.target.closest("form[data-keyboard-form]");
    if (!form) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      var submit = form.querySelector('[type="submit"][data-default-submit]');
      form.requestSubmit(submit || undefined);
      return;
    }
    if (event.altKey && event.code === "KeyI" && !event.ctrlKey && !event.metaKey) {
      var add = form.querySelector("[data-shortcut-add-issue]");
      if (add) { event.preventDefault(); add.click(); }
      return;
    }
    var target = event.target;
    if (event.key === "Enter" && target.tagName === "INPUT" && !/^(submit|button|reset|image)$/.test(target.type)) {
      event.preventDefault();
    }
  });

  // Focus where the page asks (the first field of the routine, or the summary of what went wrong).
  function focusRequested(root) {
    var wanted = root.querySelector && root.querySelector("[data-autofocus]");
    if (!wanted) return;
    var field = wanted.matches("input, select, textarea, [tabindex]") ? wanted : wanted.querySelector("input, select, textarea");
    if (field) field.focus();
  }

  // A table wider than its .table-responsive box scrolls inside it: the box then takes keyboard focus (arrows scroll
  // it) and is named after the section it is in, so that the columns out of sight stay reachable without a mouse.
  function markScrollRegions() {
    Array.prototype.forEach.call(document.querySelectorAll(".table-responsive"), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        var section = box.closest("section, .card, main");
        var heading = section && section.querySelector("h1, h2, h3, caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (heading ? heading.textContent.trim() + ": " : "") + "table, scrolls sideways");
        box.setAttribute("data-scroll-region", "");
      } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (a) { box.removeAttribute(a); });
      }
    });
  }

  var resizing = 0;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(markScrollRegions, 150);
  });

  document.addEventListener("DOMContentLoaded", function () {
    initChipGroups(document);
    focusRequested(document);
    markScrollRegions();
  });
  document.addEventListener("htmx:load", function (event) {
    initChipGroups(event.detail.elt);
    markScrollRegions();
  });
})();
