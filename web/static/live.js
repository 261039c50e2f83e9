// Live updates for Hypercare's pages, and one post per form. The page
// names what it refreshes (body[data-live]); the element with data-src is
// re-rendered by the server and swapped in when the live stream (GET
// /api/v1/stream, Server-Sent Events) reports a change. No data from the
// stream is put on the page: it only says when to fetch, and the server
// renders (and escapes) the HTML.
(function () {
  "use strict";
  // A form posts once per page: a double click (or a second press while
  // a slow server answers) would otherwise add the note twice or
  // escalate two levels. The lock lifts after 10 s (a stopped or failed
  // request) and when the page is shown again from the back/forward cache.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.method !== "post") {
      return;
    }
    if (form.hasAttribute("data-sent")) {
      ev.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "");
    setTimeout(function () {
      form.removeAttribute("data-sent");
    }, 10000);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (f) {
      f.removeAttribute("data-sent");
    });
  });

  // The confirmation of an action (?done=, ?new=) is shown once: the
  // address loses it, so a reload later does not say "Acknowledged." again.
  if (window.history && history.replaceState && /[?&](done|new)=/.test(location.search)) {
    var q = new URLSearchParams(location.search);
    q.delete("done");
    q.delete("new");
    var rest = q.toString();
    history.replaceState(history.state, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }

  // A page that changes with time (the on-call page at a handoff) says
  // when it goes stale, in seconds; it reloads then.
  var stale = document.querySelector("[data-refresh-in]");
  if (stale) {
    var secs = Number(stale.getAttribute("data-refresh-in"));
    if (secs > 0) {
      setTimeout(function () {
        location.reload();
      }, secs * 1000);
    }
  }

  var kind = document.body.getAttribute("data-live");
  var target = document.querySelector("[data-src]");
  if (!kind || !target || !window.EventSource || !window.fetch) {
    return;
  }
  var number = null;
  var m = /^\/incidents\/(\d+)$/.exec(location.pathname);
  if (kind === "incident" && m) {
    number = Number(m[1]);
  }
  var pending = null;
  var inFlight = false;
  var again = false;

  // focusKey names the focused control inside the live part so the same
  // control gets focus back after a swap: by its own id, else by the
  // nearest ancestor with an id, its tag, its place among that ancestor's
  // controls of the tag, and its text. A control that is gone (or another
  // now in its place) gets no focus: moving it to a neighbour would let
  // Enter press a button the user never chose (Acknowledge for Resolve).
  function focusKey() {
    var el = document.activeElement;
    if (!el || el === target || !target.contains(el)) {
      return null;
    }
    if (el.id) {
      return { id: el.id };
    }
    var row = el.closest("[id]");
    if (!row) {
      return null;
    }
    var same = row.querySelectorAll(el.tagName);
    return { row: row.id, tag: el.tagName, index: Array.prototype.indexOf.call(same, el), text: el.textContent };
  }

  function restoreFocus(key) {
    if (!key) {
      return;
    }
    var el = null;
    if (key.id) {
      el = document.getElementById(key.id);
    } else {
      var row = document.getElementById(key.row);
      var c = row && row.querySelectorAll(key.tag)[key.index];
      if (c && c.textContent === key.text) {
        el = c;
      }
    }
    if (el) {
      el.focus();
    }
  }

  // tickedBoxes are the ids of the ticked checkboxes in the live part (the
  // split form's alerts), so a swap keeps what the user chose so far.
  function tickedBoxes() {
    return Array.prototype.map.call(target.querySelectorAll("input[type=checkbox][id]:checked"), function (el) {
      return el.id;
    });
  }

  function restoreTicks(ids) {
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (el && target.contains(el)) {
        el.checked = true;
      }
    });
  }

  // announceStatus says a change of the incident's status in the page's
  // live region (#live-news, outside the swapped part, so screen readers
  // hear it): "Incident 12 is now resolved."
  var shownStatus = statusNow();
  function statusNow() {
    var st = target.querySelector("[data-status]");
    return st ? st.getAttribute("data-status") : null;
  }
  function announceStatus() {
    var news = document.getElementById("live-news");
    var now = statusNow();
    if (news && now && now !== shownStatus) {
      news.textContent = "Incident " + number + " is now " + now + ".";
    }
    shownStatus = now;
  }

  // withdrawActions removes the forms outside the live fragment that
  // only an open incident takes (escalate, reassign, merge, split) once
  // the fragment says it is resolved, so the page offers nothing the
  // server would refuse. The note form stays, with what is being typed.
  function withdrawActions() {
    var st = target.querySelector("[data-status]");
    if (!st || st.getAttribute("data-status") !== "resolved") {
      return;
    }
    document.querySelectorAll("[data-open-only]").forEach(function (el) {
      el.remove();
    });
  }

  function refresh() {
    pending = null;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    fetch(target.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (resp) {
        if (resp.status === 401 || resp.redirected) {
          location.reload();
          return null;
        }
        return resp.ok ? resp.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          var key = focusKey();
          var ticked = tickedBoxes();
          target.innerHTML = html;
          restoreTicks(ticked);
          restoreFocus(key);
          announceStatus();
          withdrawActions();
          target.setAttribute("data-updated", String(Date.now()));
        }
      })
      .catch(function () {})
      .then(function () {
        inFlight = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  }

  function schedule() {
    if (!pending) {
      pending = setTimeout(refresh, 150);
    }
  }

  var url = "/api/v1/stream" + (number ? "?incident=" + number : "");
  var source = new EventSource(url);
  var opened = false;
  function onChange(ev) {
    if (number) {
      try {
        var d = JSON.parse(ev.data);
        if (d.incident_number && d.incident_number !== number) {
          return;
        }
      } catch (e) {
        return;
      }
    }
    schedule();
  }
  ["incident", "alert", "timeline", "notification", "reset"].forEach(function (name) {
    source.addEventListener(name, onChange);
  });
  source.addEventListener("open", function () {
    // After a reconnect the stream resumes from Last-Event-ID, but a
    // refresh also covers anything that happened before the first event.
    if (opened) {
      schedule();
    }
    opened = true;
    document.body.setAttribute("data-stream", "open");
  });
  source.addEventListener("error", function () {
    // A refused reconnect (the session ended: 401; a server restarting:
    // 503) closes an EventSource for good, and the page would go quietly
    // stale. Reload it: it comes back live, or the sign-in page says why.
    if (source.readyState === EventSource.CLOSED) {
      document.body.setAttribute("data-stream", "closed");
      setTimeout(function () {
        window.location.reload();
      }, 3000);
    }
  });
})();
