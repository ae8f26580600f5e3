// Screening that never waits for the server between two records.
//
// Each record panel brings the next records of my queue as <template>s. A decision (a key, a
// tap, a swipe) shows the next one at once; the decisions are then saved in order in the
// background, those made meanwhile together, each answer bringing the records after. The
// server stays the judge: a decision it refuses comes back on screen with its reason, and
// nothing is dropped silently.
// Keys: I/E/M decide, 1-9 pick a reason, U undoes, J/K move. Touch: swipe right to include,
// left to exclude (the reason is asked), and the bar at the bottom of narrow screens.
// The page works without this file: every action is a plain link or form.
(function () {
  "use strict";
  var VALUES = { i: "include", e: "exclude", m: "maybe" };
  var strings = {};
  var buffer = []; // upcoming panels: {id, node}
  var pending = []; // decisions not saved yet, oldest first: {id, value, reason, note, pos, title}
  var inflight = false;
  var waiting = null; // counts of a decided panel shown until its successor arrives
  var idle = []; // what waits until every decision is saved (moving, undoing)
  var toastTimer = null;

  function panel() { return document.getElementById("screen-record"); }

  function t(key, values) {
    var text = strings[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(values[name]);
    });
    return text;
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function titleOf(root) {
    var h = root.querySelector(".record-title");
    return h ? h.textContent.trim() : "";
  }

  // --- panels ----------------------------------------------------------------------------

  function parse(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    return holder.content.querySelector("#screen-record");
  }

  // The upcoming records a panel carries, taken out of it. Those the page already holds come
  // as bare ids (data-have) and keep the copy we have.
  function takeUpcoming(section) {
    var found = [];
    var box = section.querySelector(".upcoming");
    if (!box) { return found; }
    var held = {};
    buffer.forEach(function (c) { held[c.id] = c.node; });
    Array.prototype.forEach.call(box.querySelectorAll("template[data-record]"), function (tpl) {
      var id = tpl.getAttribute("data-record");
      var node = tpl.hasAttribute("data-have") ? held[id] : tpl.content.querySelector("#screen-record");
      if (node) { found.push({ id: id, node: node }); }
    });
    box.remove();
    return found;
  }

  function heldIds() {
    var shown = panel();
    var ids = buffer.map(function (c) { return c.id; });
    if (shown && shown.dataset.record) { ids.push(shown.dataset.record); }
    return ids.join(",");
  }

  function decidedIds() {
    var ids = {};
    pending.forEach(function (job) { ids[job.id] = true; });
    return ids;
  }

  // Records still to come: neither on screen nor decided by me meanwhile.
  function refill(candidates) {
    var shown = panel();
    var skip = decidedIds();
    if (shown && shown.dataset.record && !waiting) { skip[shown.dataset.record] = true; }
    buffer = candidates.filter(function (c) { return c.id && !skip[c.id]; });
  }

  function show(section) {
    var old = panel();
    if (!old) { return; }
    old.replaceWith(section);
    var title = section.querySelector("h1");
    if (title) {
      title.focus({ preventScroll: true });
      if (section.getBoundingClientRect().top < 0) { section.scrollIntoView(); }
    }
  }

  function setCounts(section, remaining, decided) {
    section.dataset.remaining = remaining;
    section.dataset.decided = decided;
    var left = section.querySelector(".queue-left");
    var done = section.querySelector(".decided-count");
    if (left) { left.textContent = remaining; }
    if (done) { done.textContent = decided; }
    setWaiting(remaining);
  }

  // The navigation's "waiting for you" figures follow the queue (page, stage, menu).
  function setWaiting(remaining) {
    var before = null;
    document.querySelectorAll('[data-waiting-page="screen"]').forEach(function (el) {
      var badge = el.querySelector(".badge");
      if (before === null) { before = Number(badge.textContent) || 0; }
      write(el, remaining);
    });
    if (before === null || before === remaining) { return; }
    document.querySelectorAll('[data-waiting-stage="screen"], [data-waiting-total]').forEach(function (el) {
      var badge = el.querySelector(".badge") || el;
      write(el, Math.max(0, (Number(badge.textContent) || 0) + remaining - before));
    });
  }

  function write(el, n) {
    var badge = el.querySelector(".badge") || el;
    badge.textContent = n;
    var text = el.querySelector(".waiting-text");
    if (text) { text.textContent = t("waiting", { n: n }); }
    el.hidden = n === 0;
  }

  // --- deciding ---------------------------------------------------------------------------

  function decide(value, reason) {
    var root = panel();
    if (!root || root.getAttribute("aria-busy") === "true") { return; }
    var form = root.querySelector("form.decide-form");
    if (!form) { return; }
    var chosen = form.querySelector('select[name="reason"]');
    var note = form.querySelector('textarea[name="note"]');
    if (reason === undefined) { reason = chosen ? chosen.value : ""; }
    pending.push({
      id: root.dataset.record,
      value: value,
      reason: value === "exclude" ? reason : "",
      note: note ? note.value : "",
      pos: root.dataset.pos || "0",
      title: titleOf(root),
    });
    announce(value, value === "exclude" ? reason : "");
    advance(root, !root.dataset.mine);
    pump();
  }

  function advance(root, fresh) {
    var remaining = Math.max(0, Number(root.dataset.remaining) - (fresh ? 1 : 0));
    var decided = Number(root.dataset.decided) + (fresh ? 1 : 0);
    var next = buffer.shift();
    if (!next) {
      // Nothing buffered (a fast hand, or the queue's end): show it as soon as it is known.
      waiting = { remaining: remaining, decided: decided };
      root.setAttribute("aria-busy", "true");
      root.classList.add("saving");
      return;
    }
    setCounts(next.node, remaining, decided);
    show(next.node);
  }

  // Every decision not saved yet goes in the next request, oldest first: the server saves them
  // in that order, each on its own, and answers with my queue as it then stands.
  function pump() {
    if (inflight) { return; }
    if (!pending.length) { runIdle(); return; }
    var batch = pending.slice(0, 50);
    inflight = true;
    var data = new FormData();
    var token = document.querySelector('input[name="csrfmiddlewaretoken"]');
    data.set("csrfmiddlewaretoken", token ? token.value : "");
    data.set("pos", batch[batch.length - 1].pos);
    data.set("have", heldIds());
    batch.forEach(function (job) {
      data.append("record", job.id);
      data.append("value", job.value);
      data.append("reason", job.reason);
      data.append("note", job.note);
    });
    post(saveUrl(), data).then(function (response) {
      if (!response.ok) {
        pending.splice(0, batch.length);
        failed(batch, response.status);
        return null;
      }
      return response.text().then(function (html) {
        pending.splice(0, batch.length);
        saved(parse(html));
      });
    }).then(function () {
      inflight = false;
      offline(false);
      pump();
    }, function () {
      // No answer (offline, server restarting): the decisions stay queued and are sent again.
      inflight = false;
      offline(true);
      window.setTimeout(pump, 2000);
    });
  }

  function saveUrl() {
    var main = document.querySelector("[data-save-url]");
    return main.getAttribute("data-save-url");
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    });
  }

  function saved(section) {
    if (!section) { return; }
    var upcoming = takeUpcoming(section);
    if (section.querySelector(".message.error")) {
      // Refused (resolved meanwhile, no longer mine...): the server's panel says which and why;
      // the record on screen waits in front of the others.
      waiting = null;
      show(section);
      refill(upcoming);
      return;
    }
    var candidates = section.dataset.record ? [{ id: section.dataset.record, node: section }] : [];
    refill(candidates.concat(upcoming));
    if (waiting) {
      var counts = waiting;
      if (buffer.length) {
        waiting = null;
        var next = buffer.shift();
        setCounts(next.node, counts.remaining, counts.decided);
        show(next.node);
      } else if (!pending.length) {
        waiting = null;
        show(section);
        setCounts(section, Number(section.dataset.remaining), Number(section.dataset.decided));
      }
      return;
    }
    if (!pending.length) {
      // Everything saved: the server's counts are the truth (imports, stops, other tabs).
      setCounts(panel(), Number(section.dataset.remaining), Number(section.dataset.decided));
    }
  }

  function failed(batch, status) {
    var key = status === 403 ? "sessionEnded" : "serverError";
    var root = panel();
    batch.forEach(function (job) {
      var message = document.createElement("p");
      message.className = "message error";
      message.setAttribute("role", "alert");
      message.textContent = t(key, { title: job.title, status: status });
      root.insertBefore(message, root.firstChild);
    });
    if (waiting && !pending.length) { navigate(location.href, false); }
  }

  function offline(on) {
    var root = panel();
    var note = document.getElementById("screen-offline");
    if (!on) { if (note) { note.remove(); } return; }
    if (note || !root) { return; }
    note = document.createElement("p");
    note.id = "screen-offline";
    note.className = "message warning";
    note.setAttribute("role", "status");
    note.textContent = t("offline", { n: pending.length });
    root.insertBefore(note, root.firstChild);
  }

  function runIdle() {
    var todo = idle;
    idle = [];
    todo.forEach(function (fn) { fn(); });
  }

  // Moving and undoing read the queue as the server has it: after every decision is saved.
  function whenSaved(fn) {
    var root = panel();
    if (root) { root.setAttribute("aria-busy", "true"); }
    idle.push(fn);
    pump();
  }

  function load(promise, push, url) {
    promise.then(function (response) {
      if (!response.ok) { location.href = url; return null; }
      return response.text().then(function (html) {
        var section = parse(html);
        if (!section) { location.href = url; return; }
        var upcoming = takeUpcoming(section);
        waiting = null;
        show(section);
        refill(upcoming);
        setCounts(section, Number(section.dataset.remaining), Number(section.dataset.decided));
        if (push) { history.pushState({ screen: true }, "", url); }
      });
    }, function () { location.href = url; });
  }

  function navigate(url, push) {
    whenSaved(function () {
      load(fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } }), push, url);
    });
  }

  function undo(form) {
    whenSaved(function () { load(post(form.action, new FormData(form)), false, form.action); });
  }

  // --- telling what happened ----------------------------------------------------------------

  function announce(value, reason) {
    var toast = document.getElementById("screen-toast");
    if (!toast) { return; }
    var text = t(value);
    if (value === "exclude" && reason) {
      var option = document.querySelector('#reason-picker [data-reason="' + reason + '"]');
      if (option) { text = t("excludedBecause", { reason: option.textContent.trim() }); }
    }
    toast.querySelector(".toast-text").textContent = text;
    toast.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(function () { toast.hidden = true; }, 5000);
  }

  // --- the reason picker --------------------------------------------------------------------

  function picker() { return document.getElementById("reason-picker"); }

  function askReason() {
    var box = picker();
    var root = panel();
    if (!box || !box.querySelector("[data-reason]:not([data-reason=''])")) {
      decide("exclude");
      return;
    }
    var chosen = root && root.querySelector('select[name="reason"]');
    if (chosen && chosen.value) { decide("exclude", chosen.value); return; }
    box.hidden = false;
    var first = box.querySelector("[data-reason]");
    if (first) { first.focus(); }
  }

  function closePicker() {
    var box = picker();
    if (box) { box.hidden = true; }
    var root = panel();
    var title = root && root.querySelector("h1");
    if (title) { title.focus({ preventScroll: true }); }
  }

  document.addEventListener("click", function (event) {
    var box = picker();
    if (box && !box.hidden && box.contains(event.target)) {
      var button = event.target.closest("button");
      if (!button) { return; }
      if (button.hasAttribute("data-cancel")) { closePicker(); return; }
      if (button.hasAttribute("data-reason")) {
        box.hidden = true;
        decide("exclude", button.getAttribute("data-reason"));
      }
      return;
    }
    var toastUndo = event.target.closest(".toast-undo");
    if (toastUndo) {
      document.getElementById("screen-toast").hidden = true;
      var form = panel() && panel().querySelector("form.undo-form");
      if (form) { undo(form); }
      return;
    }
    var link = event.target.closest('#screen-record a[rel="next"], #screen-record a[rel="prev"]');
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
      event.preventDefault();
      navigate(link.href, true);
    }
  });

  // --- forms, keys and gestures ------------------------------------------------------------

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var root = panel();
    if (!root || !root.contains(form)) { return; }
    if (form.classList.contains("undo-form")) {
      event.preventDefault();
      undo(form);
    } else if (form.classList.contains("decide-form")) {
      event.preventDefault();
      var value = event.submitter && event.submitter.value;
      // A tap or click on Exclude with no reason chosen asks for one; the E key does not.
      if (value === "exclude") { askReason(); } else if (value) { decide(value); }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var box = picker();
    if (box && !box.hidden) {
      if (event.key === "Escape") { event.preventDefault(); closePicker(); }
      var n = /^[1-9]$/.test(event.key) && box.querySelectorAll("[data-reason]")[Number(event.key) - 1];
      if (n) { event.preventDefault(); n.click(); }
      return;
    }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var root = panel();
    if (!root || root.getAttribute("aria-busy") === "true") { return; }
    var key = event.key.toLowerCase();
    if (event.repeat && (VALUES[key] || key === "u")) {
      // A held-down key must not decide the records after this one unseen.
      event.preventDefault();
      return;
    }
    if (VALUES[key]) {
      if (!root.querySelector("form.decide-form")) { return; }
      event.preventDefault();
      decide(VALUES[key]);
    } else if (/^[1-9]$/.test(key)) {
      var select = root.querySelector('select[name="reason"]');
      if (select && select.options.length > Number(key)) {
        event.preventDefault();
        select.selectedIndex = Number(key);
      }
    } else if (key === "u") {
      var form = root.querySelector("form.undo-form");
      if (form) { event.preventDefault(); undo(form); }
    } else if (key === "j" || key === "k") {
      var link = root.querySelector(key === "j" ? 'a[rel="next"]' : 'a[rel="prev"]');
      if (link) { event.preventDefault(); navigate(link.href, true); }
    }
  });

  // Swipe right to include, left to exclude; vertical scrolling stays the browser's.
  var swipe = null;
  document.addEventListener("touchstart", function (event) {
    var root = panel();
    var start = event.target;
    if (event.touches.length !== 1 || !root || !root.contains(start)) { swipe = null; return; }
    if (start.closest("a, button, input, select, textarea, label") || !root.querySelector("form.decide-form")) {
      swipe = null;
      return;
    }
    var touch = event.touches[0];
    var card = root.querySelector("[data-swipe]") || root;
    swipe = { x: touch.clientX, y: touch.clientY, dx: 0, moving: false, root: root, card: card };
  }, { passive: true });

  document.addEventListener("touchmove", function (event) {
    if (!swipe) { return; }
    var touch = event.touches[0];
    var dx = touch.clientX - swipe.x;
    var dy = touch.clientY - swipe.y;
    if (!swipe.moving) {
      if (Math.abs(dy) > 12 && Math.abs(dy) > Math.abs(dx)) { swipe = null; return; }
      if (Math.abs(dx) < 12) { return; }
      swipe.moving = true;
    }
    swipe.dx = dx;
    swipe.card.style.transform = "translateX(" + dx + "px)";
    swipe.root.classList.toggle("swipe-include", dx > 0);
    swipe.root.classList.toggle("swipe-exclude", dx < 0);
  }, { passive: true });

  function endSwipe() {
    if (!swipe) { return; }
    var done = swipe;
    swipe = null;
    done.card.style.transform = "";
    done.root.classList.remove("swipe-include", "swipe-exclude");
    if (!done.moving) { return; }
    var far = Math.max(80, done.root.offsetWidth * 0.25);
    if (done.dx > far) { decide("include"); } else if (done.dx < -far) { askReason(); }
  }
  document.addEventListener("touchend", endSwipe, { passive: true });
  document.addEventListener("touchcancel", function () {
    if (swipe) { swipe.moving = false; }
    endSwipe();
  }, { passive: true });

  window.addEventListener("popstate", function () { navigate(location.href, false); });

  window.addEventListener("beforeunload", function (event) {
    if (pending.length) { event.preventDefault(); event.returnValue = ""; }
  });

  function start() {
    var catalogue = document.getElementById("screen-strings");
    if (catalogue) { strings = JSON.parse(catalogue.textContent); }
    var root = panel();
    if (root) { refill(takeUpcoming(root)); }
    history.replaceState({ screen: true }, "", location.href);
  }
  start();
})();
