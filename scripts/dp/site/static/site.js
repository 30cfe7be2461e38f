// Sorting and filtering for the data tables, and the briefing's active quote.
// Every page reads in full without this script; it only adds to what is there.
"use strict";
document.documentElement.classList.add("has-js");

function cellValue(row, index, numeric) {
  const cell = row.children[index];
  if (!cell) return numeric ? null : "";
  if (numeric) {
    const raw = cell.dataset.sort;
    if (raw === undefined || raw === "") return null;  // missing values sort last
    const number = Number(raw);
    return Number.isNaN(number) ? raw : number;
  }
  return cell.textContent.trim();
}

function compare(a, b, numeric) {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (numeric && typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function sortBy(table, header, index) {
  const numeric = header.hasAttribute("data-numeric");
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  table.querySelectorAll("thead th").forEach((th) => th.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((r1, r2) => {
    const a = cellValue(r1, index, numeric);
    const b = cellValue(r2, index, numeric);
    if (a === null || b === null) return compare(a, b, numeric);  // missing values last, either way
    return ascending ? compare(a, b, numeric) : compare(b, a, numeric);
  });
  rows.forEach((row) => body.appendChild(row));
}

function makeSortable(table) {
  table.querySelectorAll("thead th").forEach((header, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    header.textContent = "";
    header.appendChild(button);
    button.addEventListener("click", () => sortBy(table, header, index));
  });
}

function addFilter(table) {
  const wrap = table.closest(".table-wrap") || table;
  const label = document.createElement("label");
  label.className = "filter";
  label.textContent = "Show only rows containing ";
  const input = document.createElement("input");
  input.type = "search";
  input.setAttribute("aria-controls", table.id);
  label.appendChild(input);
  const status = document.createElement("span");
  status.setAttribute("role", "status");
  wrap.parentNode.insertBefore(label, wrap);
  wrap.parentNode.insertBefore(status, wrap);
  input.addEventListener("input", () => {
    const needle = input.value.trim().toLowerCase();
    let shown = 0;
    Array.from(table.tBodies[0].rows).forEach((row) => {
      const match = !needle || row.textContent.toLowerCase().includes(needle);
      row.hidden = !match;
      if (match) shown += 1;
    });
    status.textContent = needle ? ` ${shown} of ${table.tBodies[0].rows.length} rows shown` : "";
  });
}

// A quote's words are outlined when its marker is the page's target (arriving from its row),
// and while the marker has the pointer or the keyboard focus: nested quotes show their own extent.
function outlineQuote(id) {
  document.querySelectorAll("mark.span.active").forEach((mark) => mark.classList.remove("active"));
  if (!id || !id.startsWith("q-")) return;
  document.querySelectorAll("mark.span").forEach((mark) => {
    if ((mark.dataset.quotes || "").split(" ").includes(id)) mark.classList.add("active");
  });
}

function showActiveQuote() {
  outlineQuote(decodeURIComponent(location.hash.slice(1)));
}

function followMarkers(text) {
  text.querySelectorAll("a.marker").forEach((marker) => {
    marker.addEventListener("mouseenter", () => outlineQuote(marker.id));
    marker.addEventListener("focus", () => outlineQuote(marker.id));
    marker.addEventListener("mouseleave", showActiveQuote);
    marker.addEventListener("blur", showActiveQuote);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach((table) => {
    makeSortable(table);
    addFilter(table);
  });
  const text = document.getElementById("briefing-text");
  if (text) {
    followMarkers(text);
    showActiveQuote();
    window.addEventListener("hashchange", showActiveQuote);
  }
});
