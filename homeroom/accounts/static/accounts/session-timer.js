// The session-timeout warning (WCAG 2.2.1 Timing Adjustable; R37, R46).
//
// The server ends a session after a time without activity and after a fixed time in any
// case; it tells this script how long is left (data- attributes on its <script> tag). A
// little before the inactivity limit a dialog says so, moves the keyboard focus to
// "Stay signed in", and counts down; that button (or Escape, or Enter) tells the server the
// person is still there. Before the fixed limit, which cannot be extended, a dialog says
// when it comes. When time is up the page goes to the sign-in page.
//
// Before warning, the script asks the server how long is really left: activity in another
// tab may have reset the clock. That question does not count as activity.
(function () {
  "use strict";

  var script = document.currentScript;
  var template = document.getElementById("session-timer-template");
  if (!script || !template) {
    return;
  }
  var data = script.dataset;
  var warningSeconds = Number(data.warningSeconds);
  var endNoticeSeconds = Math.max(warningSeconds, 300);
  var dialog = null;
  var mode = null;
  var previousFocus = null;
  var idleDeadline = 0;
  var absoluteDeadline = 0;
  var idleTimer = null;
  var endTimer = null;
  var expiryTimer = null;
  var tick = null;
  var endNoticeShown = false;

  function now() {
    return Date.now() / 1000;
  }

  function setDeadlines(idleLeft, absoluteLeft) {
    idleDeadline = now() + Number(idleLeft);
    absoluteDeadline = now() + Number(absoluteLeft);
  }

  function formatSeconds(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var minutes = Math.floor(s / 60);
    var rest = s % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function goToSignIn() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(data.signInUrl + "?next=" + encodeURIComponent(next));
  }

  function buildDialog() {
    var fragment = template.content.cloneNode(true);
    document.body.appendChild(fragment);
    dialog = document.body.querySelector("dialog.session-dialog");
    dialog.querySelector("[data-stay]").addEventListener("click", staySignedIn);
    dialog.querySelector("[data-close]").addEventListener("click", closeDialog);
    // Escape means "I am here": the same as the button, never a silent dismissal that
    // would leave the session to end.
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      if (mode === "idle") {
        staySignedIn();
      } else {
        closeDialog();
      }
    });
  }

  function showParts(which) {
    dialog.querySelectorAll("[data-idle-part]").forEach(function (el) {
      el.hidden = which !== "idle";
    });
    dialog.querySelectorAll("[data-end-part]").forEach(function (el) {
      el.hidden = which !== "end";
    });
    dialog.setAttribute(
      "aria-labelledby",
      which === "idle" ? "session-dialog-title" : "session-dialog-title-end"
    );
  }

  function openDialog(which) {
    if (!dialog) {
      buildDialog();
    }
    mode = which;
    showParts(which);
    if (!dialog.open) {
      previousFocus = document.activeElement;
      dialog.showModal();
    }
    var focusTarget = dialog.querySelector(which === "idle" ? "[data-stay]" : "[data-close]");
    focusTarget.focus();
    updateCountdown();
    clearInterval(tick);
    tick = setInterval(updateCountdown, 1000);
  }

  function closeDialog() {
    clearInterval(tick);
    if (dialog && dialog.open) {
      dialog.close();
    }
    mode = null;
    if (previousFocus && document.contains(previousFocus)) {
      previousFocus.focus();
    }
  }

  function updateCountdown() {
    var left = Math.min(idleDeadline, absoluteDeadline) - now();
    var countdown = dialog.querySelector("[data-countdown]");
    if (countdown) {
      countdown.textContent = formatSeconds(idleDeadline - now());
    }
    if (left <= 0) {
      clearInterval(tick);
      checkExpiry();
    }
  }

  // Time is up here; the server decides. Asking it ends the session there if it is over
  // (and leaves the sign-in page a message); if activity elsewhere kept it, go on.
  function checkExpiry() {
    request("GET", data.statusUrl)
      .then(function (left) {
        setDeadlines(left.idle_left, left.absolute_left);
        if (left.idle_left > warningSeconds) {
          closeDialog();
          schedule();
        } else {
          openDialog(absoluteDeadline <= idleDeadline ? "end" : "idle");
        }
      })
      .catch(goToSignIn);
  }

  function schedule() {
    clearTimeout(idleTimer);
    clearTimeout(endTimer);
    clearTimeout(expiryTimer);
    expiryTimer = setTimeout(checkExpiry, Math.max(0, absoluteDeadline - now()) * 1000 + 500);
    var untilWarning = idleDeadline - warningSeconds - now();
    idleTimer = setTimeout(checkThenWarn, Math.max(0, untilWarning) * 1000);
    if (!endNoticeShown) {
      var untilEndNotice = absoluteDeadline - endNoticeSeconds - now();
      endTimer = setTimeout(function () {
        endNoticeShown = true;
        if (mode !== "idle") {
          openDialog("end");
        }
      }, Math.max(0, untilEndNotice) * 1000);
    }
  }

  function request(method, url) {
    var headers = { Accept: "application/json" };
    if (method === "POST") {
      headers["X-CSRFToken"] = template.content.querySelector("[data-csrf]").value;
    }
    return fetch(url, { method: method, headers: headers, credentials: "same-origin" }).then(
      function (response) {
        if (!response.ok) {
          throw new Error("signed out");
        }
        return response.json();
      }
    );
  }

  function checkThenWarn() {
    request("GET", data.statusUrl)
      .then(function (left) {
        setDeadlines(left.idle_left, left.absolute_left);
        if (left.idle_left > warningSeconds + 2) {
          schedule();
        } else {
          openDialog("idle");
        }
      })
      .catch(goToSignIn);
  }

  function staySignedIn() {
    request("POST", data.keepAliveUrl)
      .then(function (left) {
        setDeadlines(left.idle_left, left.absolute_left);
        closeDialog();
        schedule();
      })
      .catch(goToSignIn);
  }

  setDeadlines(data.idleLeft, data.absoluteLeft);
  schedule();
})();
