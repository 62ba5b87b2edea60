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
  // request, clear the form and drop the placeholder.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target instanceof Element ? event.target.closest("[data-reset-on-success]") : null;
    if (!form || form !== event.target || !event.detail.successful) return;
    form.reset();
    var placeholder = document.getElementById(form.getAttribute("data-remove-on-success") || "");
    if (placeholder) placeholder.remove();
  });
})();
