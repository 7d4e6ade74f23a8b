"use strict";
// A frame of the demo: runs the case its parent posts, and posts back what
// JavaScript saw. It runs on the other page origin, and in a sandboxed
// iframe (origin null).
window.addEventListener("message", async (event) => {
  if (!event.data || event.data.type !== "run") return;
  const result = await runCase(event.data.spec, event.data.api);
  event.source.postMessage({type: "result", token: event.data.token, result}, "*");
});
window.parent.postMessage({type: "ready"}, "*");
