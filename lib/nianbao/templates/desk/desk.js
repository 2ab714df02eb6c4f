// The desk's filters, counts and sorting: plain DOM, nothing fetched. Text is read through
// dataset and textContent and written only as textContent, never as markup.
(function () {
  "use strict";
  const form = document.getElementById("filters");
  const reports = Array.from(document.querySelectorAll("#reports tbody tr"));
  const findings = Array.from(document.querySelectorAll("#findings tbody tr"));
  const shown = document.getElementById("shown");

  function filter() {
    const wanted = Object.fromEntries(new FormData(form));
    const agency = (wanted.agency || "").trim().toLowerCase();
    const common = (row) => (!wanted.year || row.dataset.year === wanted.year)
      && (!agency || row.dataset.agency.includes(agency))
      && (!wanted.status || row.dataset.status === wanted.status);
    // a report is shown for a finding filter when one of its findings is
    const byFinding = wanted.severity || wanted.rule || wanted.decision;
    const withFindings = new Set();
    let findingsShown = 0;
    for (const row of findings) {
      const match = common(row)
        && (!wanted.severity || row.dataset.severity === wanted.severity)
        && (!wanted.rule || row.dataset.rule === wanted.rule)
        && (!wanted.decision || row.dataset.decision === wanted.decision);
      row.hidden = !match;
      if (match) { findingsShown += 1; withFindings.add(row.dataset.key); }
    }
    let reportsShown = 0;
    for (const row of reports) {
      const match = common(row) && (!byFinding || withFindings.has(row.dataset.key));
      row.hidden = !match;
      if (match) { reportsShown += 1; }
    }
    shown.textContent = "显示 " + reportsShown + " / " + reports.length + " 份报告，"
      + findingsShown + " / " + findings.length + " 条审核结果";
    // the filters stay in the address: a reload, or a decision saved, comes back to them
    const query = new URLSearchParams(Object.entries(wanted).filter(([, value]) => value)).toString();
    try { history.replaceState(null, "", (query ? "?" + query : location.pathname) + location.hash); } catch (e) { /* file: pages */ }
  }

  // A decision saved comes back to this address (the filters) at its finding's row; when the
  // filters now hide that row (未决定), at the row shown after it, or else before it.
  for (const decide of document.querySelectorAll("form.decide")) {
    decide.addEventListener("submit", () => {
      decide.elements.back.value = location.pathname + location.search + "#" + encodeURIComponent(decide.closest("tr").id);
    });
  }

  function standAtRow() {
    const row = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!row || !row.parentNode) { return; }
    const rows = Array.from(row.parentNode.children);
    const at = rows.indexOf(row);
    const shownRow = rows.slice(at).find((r) => !r.hidden) || rows.slice(0, at).reverse().find((r) => !r.hidden);
    if (shownRow) { shownRow.scrollIntoView({ block: "center" }); }
  }

  for (const [name, value] of new URLSearchParams(location.search)) {
    if (form.elements[name]) { form.elements[name].value = value; }
  }
  form.addEventListener("input", filter);
  form.addEventListener("submit", (event) => event.preventDefault());

  function sortValue(row, column) {
    const cell = row.cells[column];
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  }

  for (const table of document.querySelectorAll("table.sortable")) {
    const headers = Array.from(table.tHead.rows[0].cells);
    headers.forEach((header, column) => {
      const button = header.querySelector("button");
      if (!button) { return; }
      button.addEventListener("click", () => {
        const ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach((other) => other.removeAttribute("aria-sort"));
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = sortValue(a, column);
          const y = sortValue(b, column);
          const numbers = x !== "" && y !== "" && !isNaN(Number(x)) && !isNaN(Number(y));
          const order = numbers ? Number(x) - Number(y) : x.localeCompare(y, "zh-CN");
          return ascending ? order : -order;
        });
        body.append(...rows);
      });
    });
  }
  filter();
  standAtRow();
})();
