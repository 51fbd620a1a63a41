/* Follow a report's rendering: poll its status until it is ready or failed. */
(function () {
  "use strict";
  var box = document.querySelector("[data-report-status-url]");
  if (!box) { return; }
  var bar = box.querySelector("[data-progress-bar]");
  var label = box.querySelector("[data-status-label]");
  var message = box.querySelector("[data-status-message]");
  var link = box.querySelector("[data-download-link]");

  function show(data) {
    box.dataset.state = data.status;
    label.textContent = data.status_label;
    bar.textContent = data.progress + "%";
    bar.parentElement.setAttribute("aria-valuenow", String(data.progress));
    // Width through a class per step of 5: the CSP forbids inline styles.
    bar.className = "progress-bar ds-progress-" + (Math.round(data.progress / 5) * 5);
    message.textContent = data.message || "";
    message.classList.toggle("d-none", !data.message);
    link.classList.toggle("d-none", data.status !== "done");
    var again = box.querySelector("[data-request-again]");
    if (again) { again.classList.toggle("d-none", data.status !== "failed"); }
    var share = document.querySelector("[data-share-form]");
    if (share) { share.classList.toggle("d-none", data.status !== "done"); }
  }

  function poll() {
    fetch(box.dataset.reportStatusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data.status === "queued" || data.status === "running") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (box.dataset.state === "queued" || box.dataset.state === "running") { poll(); }
})();
