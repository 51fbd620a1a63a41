/*
 * Autosave for assessment answers.
 *
 * Every change is posted to the server as the user types (debounced). What
 * was typed is also kept in localStorage until the server confirms it, so a
 * dropped connection, an expired session or a closed tab never loses work.
 * A save based on an older version is refused by the server (409); the user
 * sees both values and chooses. Each save names the fields the user changed
 * (changed_fields), so keeping one's values after a conflict saves those and
 * leaves the other person's fields as they saved them.
 *
 * A session that ended (signed out or expired) is noticed; after the user signs
 * in again in another tab, the page reads the new CSRF cookie and sends what is
 * pending when it is shown again, and every few seconds until then.
 */
(function () {
  "use strict";
  var messages = document.getElementById("autosave-messages");
  if (!messages) { return; }
  var text = messages.dataset;
  var pending = new Set();
  var timers = new Map();
  var STORE = "dualspace:response:";
  var CSRF_COOKIE = "csrftoken";  // Django's CSRF_COOKIE_NAME, readable by scripts (not HttpOnly)
  var RETRY_MS = 5000;
  var changed = new Map();  // form -> Map(field name without prefix -> edit number)
  var edits = 0;
  var sessionEnded = false;
  var retryTimer = null;

  function fieldName(form, name) {
    var prefix = "r" + form.dataset.response + "-";
    return name && name.indexOf(prefix) === 0 ? name.slice(prefix.length) : null;
  }

  function changesOf(form) {
    if (!changed.has(form)) { changed.set(form, new Map()); }
    return changed.get(form);
  }

  function csrfCookie() {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + CSRF_COOKIE + "=([^;]+)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function storageKey(form) { return STORE + form.dataset.response; }
  function state(form) { return form.querySelector(".save-state"); }

  function setState(form, kind, message) {
    var el = state(form);
    el.className = "save-state small " + kind;
    el.textContent = message;
  }

  function snapshot(form) {
    var data = {};
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken") { data[key] = value; }
    });
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) { data[box.name] = box.checked ? "on" : ""; });
    return data;
  }

  function remember(form) {
    var record = { at: Date.now(), values: snapshot(form), changed: Array.from(changesOf(form).keys()) };
    try { localStorage.setItem(storageKey(form), JSON.stringify(record)); } catch (e) { /* storage full or blocked: the server save still runs */ }
  }

  function forget(form) {
    try { localStorage.removeItem(storageKey(form)); } catch (e) { /* ignore */ }
  }

  function apply(form, values) {
    Object.keys(values).forEach(function (name) {
      var fields = form.querySelectorAll("[name='" + name + "']");
      fields.forEach(function (field) {
        if (field.type === "radio") { field.checked = field.value === String(values[name]); }
        else if (field.type === "checkbox") { field.checked = values[name] === "on" || values[name] === true; }
        else if (field.type !== "hidden" || name.endsWith("base_version")) { field.value = values[name] === null ? "" : values[name]; }
      });
    });
  }

  function clearErrors(form) {
    form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    form.querySelectorAll(".autosave-error").forEach(function (el) { el.remove(); });
  }

  function showWarnings(form, warnings) {
    // Beside the value, from the server's reply: the value is saved, the note explains its score.
    var note = form.querySelector(".value-warning");
    if (note) { note.textContent = (warnings && warnings.value) || ""; }
  }

  function showErrors(form, errors) {
    var prefix = "r" + form.dataset.response + "-";
    Object.keys(errors).forEach(function (field) {
      var input = form.querySelector("[name='" + prefix + field + "']");
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block autosave-error";
      note.textContent = errors[field].map(function (e) { return e.message; }).join(" ");
      if (input) {
        input.classList.add("is-invalid");
        (input.closest(".mb-3") || input.parentNode).appendChild(note);
      } else {
        form.querySelector(".save-state").after(note);
      }
    });
  }

  function showConflict(form, reply) {
    var panel = form.querySelector(".conflict-panel");
    panel.replaceChildren();
    var title = document.createElement("p");
    title.className = "fw-semibold mb-1";
    title.textContent = text.conflictTitle + " (" + reply.by + ")";
    panel.appendChild(title);
    var table = document.createElement("table");
    table.className = "table table-sm mb-2";
    var head = table.createTHead().insertRow();
    [text.field, text.theirs, text.yours].forEach(function (label) {
      var th = document.createElement("th"); th.textContent = label; head.appendChild(th);
    });
    var body = table.createTBody();
    reply.differences.forEach(function (item) {
      var row = body.insertRow();
      [item.label, item.theirs, item.yours].forEach(function (value) {
        row.insertCell().textContent = value === null || value === undefined ? "—" : String(value);
      });
    });
    panel.appendChild(table);
    var keep = document.createElement("button");
    keep.type = "button"; keep.className = "btn btn-sm btn-danger me-2"; keep.textContent = text.keepMine;
    keep.addEventListener("click", function () {
      // Only the fields this user changed are sent (see save): theirs stay where they did not overlap.
      form.querySelector("[name$='base_version']").value = reply.version;
      panel.hidden = true; save(form);
    });
    var take = document.createElement("button");
    take.type = "button"; take.className = "btn btn-sm btn-outline-secondary"; take.textContent = text.takeTheirs;
    take.addEventListener("click", function () {
      var prefix = "r" + form.dataset.response + "-";
      var values = {};
      Object.keys(reply.theirs).forEach(function (key) { values[prefix + key] = reply.theirs[key]; });
      values[prefix + "base_version"] = reply.version;
      apply(form, values); forget(form); panel.hidden = true; pending.delete(form); changesOf(form).clear();
      setState(form, "saved", text.saved);
    });
    panel.appendChild(keep); panel.appendChild(take);
    panel.hidden = false;
  }

  function sessionLost(form) {
    pending.add(form);
    remember(form);
    setState(form, "failed", text.session);
    sessionEnded = true;
    if (!retryTimer) { retryTimer = setInterval(retryPending, RETRY_MS); }
  }

  function retryPending() {
    // Signed in again in another tab? The next try carries that session's cookie and CSRF token.
    if (sessionEnded) { pending.forEach(function (form) { save(form); }); }
  }

  function save(form, submitter) {
    clearErrors(form);
    clearTimeout(timers.get(form));
    timers.delete(form);
    setState(form, "saving", text.saving);
    var body = submitter ? new FormData(form, submitter) : new FormData(form);
    var prefix = "r" + form.dataset.response + "-";
    var edited = changesOf(form);
    var sentAt = edits;
    body.set(prefix + "changed_fields", Array.from(edited.keys()).join(","));
    // Signing in again rotates the CSRF token: the cookie has the current one, the page an old one.
    var token = csrfCookie();
    if (token) { body.set("csrfmiddlewaretoken", token); }
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      if (response.type === "opaqueredirect" || response.status === 302 || response.status === 403 && !type.includes("json")) {
        sessionLost(form);
        return;
      }
      sessionEnded = false;
      if (retryTimer) { clearInterval(retryTimer); retryTimer = null; }
      return response.json().then(function (reply) {
        if (response.ok && reply.ok) {
          if (reply.reload) { forget(form); pending.delete(form); window.location.reload(); return; }
          form.querySelector("[name$='base_version']").value = reply.version;
          // Saved: these fields now match the server, unless typed in again while the save was on its way.
          edited.forEach(function (at, name) { if (at <= sentAt) { edited.delete(name); } });
          if (edited.size) { remember(form); } else { forget(form); pending.delete(form); }
          showWarnings(form, reply.warnings);
          setState(form, "saved", text.saved + " " + reply.saved_at_text);
        } else if (response.status === 409) {
          setState(form, "failed", reply.message);
          showConflict(form, reply);
        } else if (reply.errors) {
          setState(form, "failed", text.failed);
          showErrors(form, reply.errors);
        } else {
          setState(form, "failed", reply.error || text.failed);
        }
      });
    }).catch(function () {
      setState(form, "failed", text.offline);
    });
  }

  function touch(form, target) {
    var name = fieldName(form, target && target.name);
    if (name && name !== "base_version") { edits += 1; changesOf(form).set(name, edits); }
  }

  function schedule(form, delay) {
    pending.add(form);
    remember(form);
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { save(form); }, delay));
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.addEventListener("change", function (event) { touch(form, event.target); schedule(form, 300); });
    form.addEventListener("input", function (event) {
      if (event.target.matches("textarea, input[type=text], input[type=number], input:not([type])")) { touch(form, event.target); schedule(form, 1500); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); save(form, event.submitter); });
    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(storageKey(form)) || "null"); } catch (e) { stored = null; }
    if (stored && stored.values) {
      apply(form, stored.values);
      // Typing kept from before: the fields it changed, or (kept by an older version of this script) all.
      var names = stored.changed || Object.keys(stored.values).map(function (key) { return fieldName(form, key); });
      names.forEach(function (name) { if (name && name !== "base_version") { edits += 1; changesOf(form).set(name, edits); } });
      setState(form, "saving", text.restored);
      schedule(form, 50);
    }
  });

  window.addEventListener("online", function () { pending.forEach(function (form) { save(form); }); });
  // Back from the tab where the user signed in again: send what waits now rather than at the next retry.
  window.addEventListener("focus", function () { if (sessionEnded) { retryPending(); } });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && sessionEnded) { retryPending(); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (pending.size) { event.preventDefault(); event.returnValue = text.leave; return text.leave; }
  });
})();
