// "Show password" buttons (NIST SP 800-63B: SHOULD offer to show the password). Each button
// names its field with aria-controls and says its state with aria-pressed; without this
// script the buttons stay hidden and the fields work as they are.
(function () {
  "use strict";

  function setUp(button) {
    var input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", show ? "true" : "false");
    });
    if (input.form) {
      // A browser must never offer to remember the password as plain text.
      input.form.addEventListener("submit", function () {
        input.type = "password";
        button.setAttribute("aria-pressed", "false");
      });
    }
  }

  document.querySelectorAll("button.password-toggle[aria-controls]").forEach(setUp);
})();
