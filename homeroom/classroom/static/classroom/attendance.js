// Taking attendance by keyboard: a code's key marks the student and moves to the next one;
// up and down move between students; Enter saves. The page works without this file: the
// radio buttons, the Tab key and the Save button do the same, more slowly.
(function () {
  "use strict";
  var form = document.querySelector("[data-attendance]");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr[data-row]"));
  var unsaved = form.querySelector("[data-unsaved]");

  // The words come from the page, in the reader's language.
  function showUnsaved(form, target, count) {
    if (!target) { return; }
    var words = count === 1 ? form.getAttribute("data-unsaved-one") : form.getAttribute("data-unsaved-many");
    target.textContent = count ? (words || "%s").replace("%s", count) : "";
  }
  function radios(row) { return Array.prototype.slice.call(row.querySelectorAll("input[type=radio]")); }
  function checked(row) {
    var list = radios(row);
    for (var i = 0; i < list.length; i++) { if (list[i].checked) { return list[i]; } }
    return list[0];
  }
  function focusRow(index) {
    if (index < 0) { index = 0; }
    if (index >= rows.length) {
      form.querySelector("button[type=submit]").focus();
      return;
    }
    var target = checked(rows[index]);
    if (target) { target.focus(); }
  }
  function markChanged(row) {
    row.classList.add("is-changed");
    showUnsaved(form, unsaved, form.querySelectorAll("tr.is-changed").length);
  }

  rows.forEach(function (row, index) {
    radios(row).forEach(function (radio) {
      radio.addEventListener("change", function () { markChanged(row); });
      radio.addEventListener("keydown", function (event) {
        if (event.ctrlKey || event.metaKey || event.altKey) { return; }
        var key = event.key;
        if (key === "ArrowDown" || key === "ArrowUp") {
          event.preventDefault();
          focusRow(index + (key === "ArrowDown" ? 1 : -1));
          return;
        }
        if (key === "Enter") {
          event.preventDefault();
          if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
          return;
        }
        if (key.length !== 1) { return; }
        var wanted = row.querySelector("input[type=radio][data-key='" + key.toLowerCase().replace(/'/g, "") + "']");
        if (!wanted) { return; }
        event.preventDefault();
        if (!wanted.checked) {
          wanted.checked = true;
          wanted.dispatchEvent(new Event("change", { bubbles: true }));
        }
        focusRow(index + 1);
      });
    });
  });
})();
