/* Behaviour the pages used to carry in inline scripts, kept here so that the Content-Security-Policy
   can refuse every inline script (docs/security.md). */
(function () {
  "use strict";

  // A <select data-autosubmit> submits its form when changed (the language switch).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // Filters folded for a phone (<details data-open-wide>) start open at a desk's width.
  if (window.matchMedia("(min-width: 761px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (details) { details.open = true; });
  }

  // <input data-check-all="items"> in a form ticks or clears every box named "items" of that form.
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    var boxes = function () {
      return Array.prototype.filter.call(all.form.elements, function (element) {
        return element.type === "checkbox" && element.name === all.dataset.checkAll;
      });
    };
    all.closest("label").hidden = false;
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
    });
    // The boxes may stand outside the form (form="…"), so their changes are heard on the document.
    document.addEventListener("change", function (event) {
      if (event.target.form === all.form && event.target.name === all.dataset.checkAll) {
        all.checked = boxes().every(function (box) { return box.checked; });
      }
    });
  });

  // The sheet import's progress page polls its status until the job is done or failed.
  var box = document.getElementById("import-job");
  if (!box || box.dataset.poll !== "1") { return; }
  var labels = {check: box.dataset.labelCheck, write: box.dataset.labelWrite, read: box.dataset.labelRead};
  function show(status) {
    document.getElementById("job-state").textContent = status.state_label;
    document.getElementById("job-stage").textContent = labels[status.stage] || "";
    var bar = document.getElementById("job-progress");
    bar.max = status.total || 1; bar.value = status.done;
    document.getElementById("job-count").textContent = status.done + "/" + status.total;
    var finished = status.state === "done" || status.state === "failed";
    if (finished) { window.location.reload(); }  // the page itself then shows the outcome
    return finished;
  }
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (status) { if (!show(status)) { setTimeout(poll, 1000); } });
  }
  poll();
})();
