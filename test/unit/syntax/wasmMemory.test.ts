import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";

const probe = path.join(__dirname, "wasmMemoryProbe.ts");

function measure(...args: string[]): { settled: number; after: number } {
  const output = execFileSync(process.execPath, ["--import", "tsx", probe, ...args], {
    cwd: path.resolve(__dirname, "../../.."),
    encoding: "utf8",
  });
  return JSON.parse(output) as { settled: number; after: number };
}

describe("WASM memory over a long session", () => {
  it("does not grow over 50 more editing sessions (3,000 keystrokes, each with a completion check)", function () {
    this.timeout(120_000);
    const { settled, after } = measure();
    assert.equal(after, settled, `WASM memory grew from ${settled} to ${after} bytes`);
  });
});
