"use strict";
// The demo page: shows the policy, runs every case, and fills the table with
// what the browser did, what the API received and what the middleware
// decided. Everything the server sends is shown with textContent, never as
// markup.

let state = null;

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

async function getJSON(url, init) {
  const response = await fetch(url, init);
  return {status: response.status, body: await response.json()};
}

function runId() {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  return Date.now().toString(36) + "-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The policy form ------------------------------------------------------------

function renderPolicy() {
  document.getElementById("page-origin").textContent = state.origins.page;
  document.getElementById("api-origin").textContent = state.origins.api;
  document.getElementById("other-origin").textContent = state.origins.other;
  const fields = document.getElementById("fields");
  fields.replaceChildren();
  for (const field of state.fields) {
    const input = element("input", {type: "text", id: "field-" + field.name, name: field.name});
    input.value = state.policy[field.name];
    fields.append(element("div", {}, element("label", {for: input.id}, field.name, element("small", {}, field.doc)), input));
  }
  document.getElementById("policy-code").textContent = state.python;
}

function showErrors(errors) {
  const list = document.getElementById("policy-errors");
  list.replaceChildren(...errors.map((line) => element("li", {}, line)));
  list.hidden = errors.length === 0;
}

async function postPolicy(policy) {
  const answer = await getJSON("/policy", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify(policy),
  });
  if (answer.status !== 200) {
    showErrors(answer.body.errors);
    document.body.dataset.state = "policy-refused";
    return;
  }
  showErrors([]);
  state = answer.body;
  renderPolicy();
  await runAll();
}

// Running the cases ------------------------------------------------------------

function frameFor(origin) {
  // A frame on the other page origin, or a sandboxed one (origin null).
  const frame = document.createElement("iframe");
  frame.hidden = true;
  if (origin === "other") {
    frame.src = state.origins.other + "/";
  } else {
    frame.setAttribute("sandbox", "allow-scripts");
    frame.srcdoc = '<!doctype html><meta charset="utf-8">' +
      '<script src="/static/runner.js"><\/script><script src="/static/frame.js"><\/script>';
  }
  return frame;
}

function runInFrame(spec) {
  return new Promise((resolve) => {
    const frame = frameFor(spec.origin);
    const token = runId();
    const timer = setTimeout(() => finish({outcome: "blocked", detail: "", status: null, body: "", error: "the frame did not answer in 10 s"}), 10000);
    function finish(result) {
      clearTimeout(timer);
      window.removeEventListener("message", listen);
      frame.remove();
      resolve(result);
    }
    function listen(event) {
      if (event.source !== frame.contentWindow || !event.data) return;
      if (event.data.type === "ready") {
        frame.contentWindow.postMessage({type: "run", token, spec, api: spec.api}, "*");
      } else if (event.data.type === "result" && event.data.token === token) {
        finish(event.data.result);
      }
    }
    window.addEventListener("message", listen);
    document.body.append(frame);
  });
}

async function runAll() {
  document.body.dataset.state = "running";
  const run = runId();
  const api = state.origins.api + "/api/" + run;
  const tbody = document.querySelector("#cases tbody");
  tbody.replaceChildren();
  const rows = state.cases.map((spec) => {
    const row = renderRow(spec);
    tbody.append(row.main, row.details);
    return row;
  });
  const seen = [];
  for (const spec of state.cases) {
    const job = {...spec, api};
    seen.push(spec.origin === "page" ? await runCase(spec, api) : await runInFrame(job));
  }
  const results = (await getJSON("/results?run=" + encodeURIComponent(run))).body;
  let matching = 0;
  state.cases.forEach((spec, index) => {
    if (fillRow(rows[index], spec, seen[index], results[spec.id] || {exchanges: [], decisions: [], preflights: 0})) matching += 1;
  });
  const summary = document.getElementById("summary");
  const all = matching === state.cases.length;
  summary.textContent = all ? `all ${matching} as expected` : `${state.cases.length - matching} of ${state.cases.length} not as expected`;
  summary.className = "summary " + (all ? "yes" : "no");
  document.body.dataset.state = "done";
}

// The table --------------------------------------------------------------------

function renderRow(spec) {
  const cells = {
    browser: element("td", {}, element("span", {class: "badge pending"}, "running")),
    preflights: element("td", {}),
    decision: element("td", {}),
    match: element("td", {}),
  };
  const from = spec.origin === "page" ? "" : spec.origin === "other" ? "from the other page origin" : "from a sandboxed iframe";
  const main = element("tr", {class: "case", "data-case": spec.id},
    element("td", {}, element("div", {class: "title"}, spec.title), element("div", {class: "about"}, spec.about)),
    element("td", {}, element("pre", {}, spec.code), from ? element("div", {class: "about"}, from) : null),
    cells.browser, cells.preflights, cells.decision, cells.match);
  const details = element("tr", {class: "details", hidden: ""}, element("td", {colspan: "6"}));
  main.addEventListener("click", () => { details.hidden = !details.hidden; });
  return {main, details, cells};
}

function decisionText(decision) {
  const verdict = decision.allowed ? "allowed" : "refused, " + decision.reason;
  return `${decision.kind} ${decision.method}: ${verdict}${decision.cached ? " (cached)" : ""}`;
}

function headerBlock(headers) {
  return element("pre", {}, headers.map(([name, value]) => `${name}: ${value}`).join("\n") || "(none)");
}

function fillRow(row, spec, seen, observed) {
  const expected = spec.expected;
  const match = seen.outcome === expected.outcome && seen.detail === expected.detail &&
    observed.preflights === expected.preflights;
  row.main.dataset.outcome = seen.outcome;
  row.main.dataset.detail = seen.detail;
  row.main.dataset.preflights = String(observed.preflights);
  row.main.dataset.expected = expected.outcome;
  row.main.dataset.match = match ? "yes" : "no";

  const said = seen.outcome === "allowed"
    ? `status ${seen.status}${seen.detail ? "; " + seen.detail : ""}: ${seen.body}`
    : seen.error;
  row.cells.browser.replaceChildren(
    element("span", {class: "badge " + seen.outcome}, seen.outcome),
    element("div", {class: "seen"}, said));
  row.cells.preflights.replaceChildren(
    element("div", {}, observed.preflights === 0 ? "none sent" : `${observed.preflights} OPTIONS`));
  row.cells.decision.replaceChildren(...(observed.decisions.length
    ? observed.decisions.map((decision) => element("div", {}, decisionText(decision)))
    : [element("div", {class: "about"}, "no request reached the API")]));
  const wanted = `${expected.outcome}${expected.detail ? ", " + expected.detail : ""}; ` +
    `${expected.preflights === 0 ? "no preflight" : expected.preflights + " preflight" + (expected.preflights > 1 ? "s" : "")}`;
  row.cells.match.replaceChildren(
    element("div", {class: "match " + (match ? "yes" : "no")}, match ? "✓ yes" : "✗ no"),
    element("div", {class: "about"}, "policy says: " + wanted));

  const cell = row.details.firstChild;
  cell.replaceChildren(element("h4", {}, "Exchanges the API saw"));
  for (const exchange of observed.exchanges) {
    cell.append(element("div", {class: "exchange"},
      element("div", {}, element("code", {}, `${exchange.method} ${exchange.path}`), " → ", element("code", {}, exchange.status)),
      element("h4", {}, "request headers"), headerBlock(exchange.request),
      element("h4", {}, "response headers"), headerBlock(exchange.response)));
  }
  if (observed.exchanges.length === 0) cell.append(element("div", {}, "none: the browser sent nothing that reached the API"));
  cell.append(element("h4", {}, "What cors-wsgi explain predicts"), element("pre", {}, expected.steps.join("\n")));
  return match;
}

// Start ------------------------------------------------------------------------

function formPolicy() {
  const policy = {};
  for (const field of state.fields) policy[field.name] = document.getElementById("field-" + field.name).value;
  return policy;
}

document.getElementById("policy").addEventListener("submit", (event) => {
  event.preventDefault();
  postPolicy(formPolicy());
});
document.getElementById("reset").addEventListener("click", () => postPolicy(state.defaults));
document.getElementById("rerun").addEventListener("click", () => runAll());

(async () => {
  state = (await getJSON("/state")).body;
  renderPolicy();
  await runAll();
})();
