// Small page behaviours, declared with data- attributes instead of inline handlers: the
// Content-Security-Policy runs no inline script, hx-on or onclick.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;

    // <button data-copy-from="element-id">: copy that field's value, then say so.
    var copy = target.closest("[data-copy-from]");
    if (copy) {
      var source = document.getElementById(copy.getAttribute("data-copy-from"));
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.value).then(function () {
          copy.textContent = "Copied";
        });
      }
      return;
    }

    // <button data-remove-closest=".selector">: remove the enclosing element.
    var remover = target.closest("[data-remove-closest]");
    if (remover) {
      var gone = remover.closest(remover.getAttribute("data-remove-closest"));
      if (gone) gone.remove();
      return;
    }

    // <a data-history-back href="fallback">: go back when there is somewhere to go back to.
    var back = target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  // <input data-select-on-focus>: select the whole value (links and tokens to copy).
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
      field.select();
    }
  });

  // <input type="checkbox" data-check-all="ids">: tick or untick every "ids" checkbox of its
  // form (those outside it with form="..." too); it follows them when they are ticked one by one.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.form) return;
    var boxes = function (name) {
      return Array.prototype.filter.call(box.form.elements, function (el) {
        return el.type === "checkbox" && el.name === name;
      });
    };
    var name = box.getAttribute("data-check-all");
    if (name) {
      boxes(name).forEach(function (el) { el.checked = box.checked; });
      return;
    }
    Array.prototype.forEach.call(box.form.querySelectorAll("[data-check-all]"), function (all) {
      var ticked = boxes(all.getAttribute("data-check-all"));
      all.checked = ticked.length > 0 && ticked.every(function (el) { return el.checked; });
    });
  });

  // <form data-reset-on-success data-remove-on-success="element-id">: after a successful htmx
  // request, clear the form and drop the placeholder. A form shown again after a refusal has the
  // refused text as its default value and says what was wrong: both go too.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target instanceof Element ? event.target.closest("[data-reset-on-success]") : null;
    if (!form || form !== event.target || !event.detail.successful) return;
    form.reset();
    Array.prototype.forEach.call(form.querySelectorAll(".form-errors, .field .error"), function (el) {
      el.remove();
    });
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (el) {
      el.classList.remove("has-error");
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[type=text], textarea"), function (el) {
      el.value = "";
      el.removeAttribute("aria-invalid");
    });
    var placeholder = document.getElementById(form.getAttribute("data-remove-on-success") || "");
    if (placeholder) placeholder.remove();
  });

  // A refusal that names where it goes (HX-Retarget, e.g. "this": the form sent) is swapped
  // there: the form again, with what was typed and its errors. It stays a failed request, so
  // data-reset-on-success keeps the typing.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && xhr.status < 500 && xhr.getResponseHeader("HX-Retarget")) {
      event.detail.shouldSwap = true;
    }
  });

  // An item swapped for itself (hx-swap="outerHTML": an action item ticked off, a notification
  // marked read, a participant paused) takes the focused button with it, and keyboard focus fell
  // back to the top of the page. Focus goes to the control at the same place in the new item
  // ("Mark done" becomes "Reopen", whose name says the new state), else to the item itself.
  var swappedFocus = null;
  var FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    swappedFocus = null;
    if (target && target.id && active && active !== document.body && target.contains(active)) {
      var controls = Array.prototype.slice.call(target.querySelectorAll(FOCUSABLE));
      swappedFocus = { id: target.id, index: controls.indexOf(active) };
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    var was = swappedFocus;
    swappedFocus = null;
    var fresh = was && document.getElementById(was.id);
    if (!fresh || fresh.contains(document.activeElement)) return;
    var controls = fresh.querySelectorAll(FOCUSABLE);
    var control = controls[Math.max(was.index, 0)] || controls[0];
    if (!control) {
      fresh.setAttribute("tabindex", "-1");
      control = fresh;
    }
    control.focus();
  });

  // --- The navigation behind a menu button on narrow screens ----------------------------------
  // Without script the button stays hidden and the navigation shows (the "js" class gates the
  // collapsing styles). Escape closes the menu and gives focus back to its button.
  document.documentElement.classList.add("js");

  function navToggle() { return document.querySelector("[data-nav-toggle]"); }

  function setNavOpen(open) {
    var toggle = navToggle();
    if (!toggle) return;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    if (nav) nav.classList.toggle("is-open", open);
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target instanceof Element ? event.target.closest("[data-nav-toggle]") : null;
    if (toggle) setNavOpen(toggle.getAttribute("aria-expanded") !== "true");
  });

  document.addEventListener("keydown", function (event) {
    var toggle = navToggle();
    if (event.key !== "Escape" || !toggle || toggle.getAttribute("aria-expanded") !== "true") return;
    setNavOpen(false);
    toggle.focus();
  });

  // --- <div data-checkbox-filter>: the multi-select ---------------------------------------------
  // A plain checkbox list (tandem.core.forms.CheckboxFilter) gains a filter box, a removable
  // chip per chosen item and a count read out as it changes ("3 languages chosen").
  function labelText(box) {
    var label = box.closest("label");
    return (label ? label.textContent : box.value).trim();
  }

  function enhanceCheckboxFilter(root) {
    if (root.hasAttribute("data-enhanced")) return;
    root.setAttribute("data-enhanced", "");
    var input = root.querySelector(".checkbox-filter-input");
    var chips = root.querySelector(".chips");
    var count = root.querySelector(".checkbox-filter-count");
    var none = root.querySelector(".checkbox-filter-none");
    var boxes = Array.prototype.slice.call(
      root.querySelectorAll(".checkbox-filter-options input[type=checkbox]"));
    var noun = root.getAttribute("data-noun"), plural = root.getAttribute("data-plural");

    function refresh() {
      var chosen = boxes.filter(function (box) { return box.checked; });
      chips.textContent = "";
      chosen.forEach(function (box) {
        var item = document.createElement("li");
        var chip = document.createElement("button");
        var cross = document.createElement("span");
        chip.type = "button";
        chip.className = "chip";
        chip.setAttribute("data-chip-for", box.id);
        chip.setAttribute("aria-label", "Remove " + labelText(box));
        chip.textContent = labelText(box) + " ";
        cross.setAttribute("aria-hidden", "true");
        cross.textContent = "×";
        chip.appendChild(cross);
        item.appendChild(chip);
        chips.appendChild(item);
      });
      count.textContent = chosen.length === 0 ? "No " + plural + " chosen"
        : chosen.length + " " + (chosen.length === 1 ? noun : plural) + " chosen";
    }

    function filter() {
      var words = input.value.trim().toLowerCase();
      var shown = 0;
      boxes.forEach(function (box) {
        var match = !words || labelText(box).toLowerCase().indexOf(words) !== -1;
        box.closest("li").hidden = !match;
        if (match) shown += 1;
      });
      none.hidden = shown > 0;
    }

    input.addEventListener("input", filter);
    // Enter in the filter box ticks (or unticks) the first match instead of sending the form.
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var first = boxes.filter(function (box) { return !box.closest("li").hidden; })[0];
      if (first) {
        first.checked = !first.checked;
        refresh();
      }
    });
    root.addEventListener("change", function (event) {
      if (boxes.indexOf(event.target) !== -1) refresh();
    });
    chips.addEventListener("click", function (event) {
      var chip = event.target instanceof Element ? event.target.closest("[data-chip-for]") : null;
      if (!chip) return;
      document.getElementById(chip.getAttribute("data-chip-for")).checked = false;
      refresh();
      input.focus();
    });
    root.querySelector(".checkbox-filter-tools").hidden = false;
    root.classList.add("is-enhanced");
    refresh();
  }

  // --- [data-manager-picker]: pick the manager among the people found -------------------------
  // The search results (people/_manager_options.html) are buttons; picking one puts a ticked
  // checkbox named "manager" in the form and clears the typed name and email, and typing a
  // name or email unticks the picked person (one way at a time).
  function enhanceManagerPicker(root) {
    if (root.hasAttribute("data-enhanced")) return;
    root.setAttribute("data-enhanced", "");
    var search = root.querySelector("[data-manager-search]");
    var input = search.querySelector("input");
    var chosen = root.querySelector("[data-manager-chosen]");
    var typed = root.querySelectorAll("input[name=manager_name], input[name=manager_email]");
    search.hidden = false;
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    root.addEventListener("click", function (event) {
      var pick = event.target instanceof Element ? event.target.closest("[data-pick-manager]") : null;
      if (!pick) return;
      var label = document.createElement("label");
      var box = document.createElement("input");
      var hint = document.createElement("p");
      label.className = "check";
      box.type = "checkbox";
      box.name = "manager";
      box.value = pick.getAttribute("data-pick-manager");
      box.checked = true;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + pick.getAttribute("data-name")));
      hint.className = "help";
      hint.textContent = "Chosen. Untick to remove them or to type someone else.";
      chosen.textContent = "";
      chosen.appendChild(label);
      chosen.appendChild(hint);
      Array.prototype.forEach.call(typed, function (field) { field.value = ""; });
      input.value = "";
      document.getElementById(input.getAttribute("aria-controls")).textContent = "";
      box.focus();
    });
    Array.prototype.forEach.call(typed, function (field) {
      field.addEventListener("input", function () {
        var box = chosen.querySelector("input[name=manager]");
        if (box && field.value) box.checked = false;
      });
    });
  }

  function enhance(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("[data-checkbox-filter]"), enhanceCheckboxFilter);
    Array.prototype.forEach.call(scope.querySelectorAll("[data-manager-picker]"), enhanceManagerPicker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) enhance(event.target);
  });
})();
