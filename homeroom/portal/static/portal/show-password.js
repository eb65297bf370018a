// "Show the password": a checkbox that turns password fields into text fields and back.
// Without JavaScript the checkbox stays hidden and the fields stay masked.
(function () {
  "use strict";
  document.querySelectorAll("[data-show-password]").forEach(function (box) {
    var toggle = box.querySelector("input[type=checkbox]");
    var fields = (toggle.getAttribute("aria-controls") || "")
      .split(/\s+/)
      .map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    if (!fields.length) { return; }
    box.hidden = false;
    toggle.addEventListener("change", function () {
      fields.forEach(function (field) { field.type = toggle.checked ? "text" : "password"; });
    });
    // Masked again before sending, so no browser keeps the password as ordinary form text.
    var form = toggle.form;
    if (form) {
      form.addEventListener("submit", function () {
        fields.forEach(function (field) { field.type = "password"; });
      });
    }
  });
})();
