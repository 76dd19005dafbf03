// Mermaid's own parser as a line server: one JSON string (a diagram) per input line,
// one JSON answer per output line: {"ok": true, "type": "flowchart-v2"} or
// {"ok": false, "error": "Parse error on line 2: ..."}. Offline: only node_modules.
import { createInterface } from "node:readline";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
// GitHub renders with the strict security level; so does this check.
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const result = await mermaid.parse(JSON.parse(line));
    answer = { ok: true, type: result.diagramType };
  } catch (error) {
    answer = { ok: false, error: String(error && error.message ? error.message : error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
