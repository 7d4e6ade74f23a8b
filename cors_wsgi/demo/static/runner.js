"use strict";
// Runs one case of the demo: the fetch() calls its "Request" column shows,
// against the API base URL given. The page runs it in its own origin; the
// frames run it from the other page origin and from a sandboxed iframe.
// Resolves to what JavaScript could see: never rejects.
async function runCase(spec, base) {
  const url = base + "/" + spec.id;
  const init = {method: spec.method, headers: spec.headers};
  if (spec.body !== null) init.body = spec.body;
  if (spec.credentials) init.credentials = "include";
  const result = {outcome: "blocked", detail: "", status: null, body: "", error: ""};
  try {
    if (spec.credentials) {
      await fetch(url + "/login", {method: "POST", credentials: "include"});
    }
    let response = null;
    for (let i = 0; i < spec.repeat; i += 1) {
      response = await fetch(url, init);
      if (i + 1 < spec.repeat) await response.arrayBuffer();
    }
    result.status = response.status;
    result.body = (await response.text()).slice(0, 300);
    result.outcome = "allowed";
    if (spec.read_header) {
      const value = response.headers.get(spec.read_header);
      result.header = value;
      result.detail = spec.read_header + (value === null ? " hidden" : " readable");
    }
    if (spec.credentials) {
      result.detail = JSON.parse(result.body).cookie ? "cookie sent" : "no cookie";
    }
  } catch (error) {
    result.outcome = "blocked";
    result.error = String(error);
  }
  return result;
}
