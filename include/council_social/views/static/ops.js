// Forms marked data-api send JSON to the views' API and reload the page on success.
// Served as a file: the Content-Security-Policy allows no inline script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-api]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {};
      new FormData(form).forEach(function (value, name) {
        if (value === "") { return; }
        body[name] = value === "true" ? true : value === "false" ? false : value;
      });
      var status = form.querySelector(".status");
      fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body)
      }).then(function (response) {
        if (response.ok) { window.location.reload(); return; }
        return response.json().then(function (data) {
          var detail = data && data.detail;
          status.textContent = typeof detail === "string" ? detail : "not saved (" + response.status + ")";
        });
      }).catch(function () { status.textContent = "not saved: network error"; });
    });
  });
});
