import assert from "node:assert/strict";
import { readCompletionSettings } from "../../../extension/src/core/completion/completionSettings";

describe("completion settings", () => {
  it("defaults to adaptive, enabled completions", () => {
    const settings = readCompletionSettings({ get: () => undefined });
    assert.equal(settings.enabled, true);
    assert.deepEqual(settings.debounce, { kind: "adaptive" });
    assert.equal(settings.maxLines, 12);
    assert.equal(settings.disabledLanguages.size, 0);
    assert.equal(settings.precompute, true);
    assert.equal(settings.timeCapMs, 1500);
  });
  it("reads the time cap, 0 turning it off, and rejects a negative one", () => {
    assert.equal(
      readCompletionSettings({ get: (key) => (key === "completions.timeCapMs" ? 0 : undefined) }).timeCapMs,
      0,
    );
    assert.equal(
      readCompletionSettings({ get: (key) => (key === "completions.timeCapMs" ? 800 : undefined) }).timeCapMs,
      800,
    );
    assert.equal(
      readCompletionSettings({ get: (key) => (key === "completions.timeCapMs" ? -1 : undefined) }).timeCapMs,
      1500,
    );
  });
  it("turns the precompute after an accept off only when set to false", () => {
    assert.equal(
      readCompletionSettings({ get: (key) => (key === "completions.precompute" ? false : undefined) }).precompute,
      false,
    );
    assert.equal(
      readCompletionSettings({ get: (key) => (key === "completions.precompute" ? "no" : undefined) }).precompute,
      true,
    );
  });
  it("reads a fixed debounce, switched-off languages, and rejects out-of-range numbers", () => {
    const values: Record<string, unknown> = {
      "completions.enabled": false,
      "completions.debounce": "fixed",
      "completions.debounceMs": 80,
      "completions.languages": { markdown: false, python: true },
      "completions.maxLines": 0,
    };
    const settings = readCompletionSettings({ get: (key) => values[key] });
    assert.equal(settings.enabled, false);
    assert.deepEqual(settings.debounce, { kind: "fixed", milliseconds: 80 });
    assert.deepEqual([...settings.disabledLanguages], ["markdown"]);
    assert.equal(settings.maxLines, 12);
  });
});
