// sourcing: one-click decisions without a page reload. Without JavaScript the same forms post
// and redirect back, so nothing depends on this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  document.querySelectorAll("form.review-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = new URLSearchParams(new FormData(form));
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
        credentials: "same-origin",
      });
      if (!response.ok) {
        alert("Could not save the decision: " + (await response.text()));
        return;
      }
      const data = await response.json();
      const row = form.closest("tr[data-person]");
      const cell = row ? row.querySelector("td.status") : document.getElementById("status");
      if (cell) {
        cell.textContent = data.status;
        cell.dataset.status = data.status;
      }
    });
  });
});
