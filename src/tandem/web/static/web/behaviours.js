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
