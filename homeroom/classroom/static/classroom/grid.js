// The score grid by keyboard: arrow keys move between cells (left and right once the caret
// is at the edge of the text), Enter moves to the next student, Shift+Enter to the previous
// one, Ctrl+Enter saves. The page works without this file: Tab moves between cells and the
// Save button saves.
(function () {
  "use strict";
  var form = document.querySelector("[data-grid]");
  if (!form) { return; }
  var focusField = form.querySelector("[data-focus]");
  var table = form.querySelector("table");
  var unsaved = form.querySelector("[data-unsaved]");

  function cellAt(row, column) {
    var tr = table.tBodies[0].rows[row];
    if (!tr) { return null; }
    var inputs = tr.querySelectorAll("input[data-cell]");
    return inputs[column] || null;
  }
  function position(input) {
    var tr = input.closest("tr");
    var inputs = Array.prototype.slice.call(tr.querySelectorAll("input[data-cell]"));
    return { row: tr.sectionRowIndex, column: inputs.indexOf(input) };
  }
  function move(input, dRow, dColumn) {
    var at = position(input);
    var next = cellAt(at.row + dRow, at.column + dColumn);
    if (next) { next.focus(); next.select(); }
    return next;
  }
  function changedCount() {
    return form.querySelectorAll("input[data-cell].is-changed").length;
  }

  form.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[data-cell]")) {
      if (focusField) { focusField.value = input.id; }
      input.select();
    }
  });
  form.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-cell]")) { return; }
    var original = input.defaultValue;
    input.classList.toggle("is-changed", input.value.trim() !== original.trim());
    if (unsaved) {
      // The words come from the page, in the reader's language.
      var count = changedCount();
      var words = count === 1 ? form.getAttribute("data-unsaved-one") : form.getAttribute("data-unsaved-many");
      unsaved.textContent = count ? (words || "%s").replace("%s", count) : "";
    }
  });
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-cell]")) { return; }
    var key = event.key;
    if (key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length && input.selectionEnd === input.value.length;
    var all = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    if (key === "ArrowDown" || (key === "Enter" && !event.shiftKey)) {
      event.preventDefault(); move(input, 1, 0);
    } else if (key === "ArrowUp" || (key === "Enter" && event.shiftKey)) {
      event.preventDefault(); move(input, -1, 0);
    } else if (key === "ArrowLeft" && (atStart || all)) {
      event.preventDefault(); move(input, 0, -1);
    } else if (key === "ArrowRight" && (atEnd || all)) {
      event.preventDefault(); move(input, 0, 1);
    }
  });

  // After saving, the page comes back at the cell that was last in use.
  if (window.location.hash && window.location.hash.indexOf("#c-") === 0) {
    var again = document.getElementById(window.location.hash.slice(1));
    if (again) { again.focus(); again.select(); }
  }
})();
