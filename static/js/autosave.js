/*
 * Autosave for assessment answers.
 *
 * Every change is posted to the server as the user types (debounced). What
 * was typed is also kept in localStorage until the server confirms it, so a
 * dropped connection, an expired session or a closed tab never loses work.
 * A save based on an older version is refused by the server (409); the user
 * sees both values and chooses.
 */
(function () {
  "use strict";
  var messages = document.getElementById("autosave-messages");
  if (!messages) { return; }
  var text = messages.dataset;
  var pending = new Set();
  var timers = new Map();
  var STORE = "dualspace:response:";

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
    try { localStorage.setItem(storageKey(form), JSON.stringify({ at: Date.now(), values: snapshot(form) })); } catch (e) { /* storage full or blocked: the server save still runs */ }
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
      apply(form, values); forget(form); panel.hidden = true; pending.delete(form);
      setState(form, "saved", text.saved);
    });
    panel.appendChild(keep); panel.appendChild(take);
    panel.hidden = false;
  }

  function save(form, submitter) {
    clearErrors(form);
    setState(form, "saving", text.saving);
    var body = submitter ? new FormData(form, submitter) : new FormData(form);
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 302 || response.status === 403 && !response.headers.get("content-type").includes("json")) {
        setState(form, "failed", text.session);
        return;
      }
      return response.json().then(function (reply) {
        if (response.ok && reply.ok) {
          if (reply.reload) { forget(form); pending.delete(form); window.location.reload(); return; }
          form.querySelector("[name$='base_version']").value = reply.version;
          forget(form); pending.delete(form);
          setState(form, "saved", text.saved + " " + new Date(reply.saved_at).toLocaleTimeString());
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

  function schedule(form, delay) {
    pending.add(form);
    remember(form);
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { save(form); }, delay));
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.addEventListener("change", function () { schedule(form, 300); });
    form.addEventListener("input", function (event) {
      if (event.target.matches("textarea, input[type=text], input[type=number], input:not([type])")) { schedule(form, 1500); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); save(form, event.submitter); });
    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(storageKey(form)) || "null"); } catch (e) { stored = null; }
    if (stored && stored.values) {
      apply(form, stored.values);
      setState(form, "saving", text.restored);
      schedule(form, 50);
    }
  });

  window.addEventListener("online", function () { pending.forEach(function (form) { save(form); }); });
  window.addEventListener("beforeunload", function (event) {
    if (pending.size) { event.preventDefault(); event.returnValue = text.leave; return text.leave; }
  });
})();
