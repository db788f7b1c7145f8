// The minimal line diff behind Accept: the replacements must rebuild the proposal exactly and touch only changed lines.
import assert from "node:assert/strict";
import { applyReplacements, diffLines, lineReplacements } from "../../../extension/src/core/refactor/lineDiff";

/** A small deterministic generator (mulberry32), so a failure names a seed that reproduces it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pool = ["def f(x):", "    return x", "", "    y = 1", "}", "  if (a) {", "    b();", "// note", "x = 2"];

function randomText(next: () => number, lineEnding: string): string {
  const count = Math.floor(next() * 8);
  const lines = Array.from({ length: count }, () => pool[Math.floor(next() * pool.length)]);
  return lines.join(lineEnding) + (next() < 0.5 ? lineEnding : "");
}

function mutate(text: string, next: () => number, lineEnding: string): string {
  const endsWithBreak = text.endsWith(lineEnding);
  const lines = text === "" ? [] : (endsWithBreak ? text.slice(0, -lineEnding.length) : text).split(lineEnding);
  const edits = 1 + Math.floor(next() * 3);
  for (let edit = 0; edit < edits; edit++) {
    const at = Math.floor(next() * (lines.length + 1));
    const choice = next();
    if (choice < 0.33) lines.splice(at, 0, pool[Math.floor(next() * pool.length)]);
    else if (choice < 0.66) lines.splice(at, 1);
    else lines.splice(at, 1, `${pool[Math.floor(next() * pool.length)]} changed`);
  }
  return lines.join(lineEnding) + (endsWithBreak ? lineEnding : "");
}

describe("refactor: minimal line diff", function () {
  it("finds no hunks between equal texts", function () {
    assert.deepEqual(diffLines(["a", "b"], ["a", "b"]), []);
    assert.deepEqual(lineReplacements("a\nb\n", "a\nb\n"), []);
  });

  it("replaces just the one changed line of a function", function () {
    const original = 'def greet(name):\n    """Say hi."""\n    return "Hi, " + name\n';
    const proposed = 'def greet(name):\n    """Say hi."""\n    return "Hello, " + name\n';
    assert.deepEqual(lineReplacements(original, proposed), [
      { start: 35, end: 59, text: '    return "Hello, " + name' },
    ]);
  });

  it("keeps the unchanged lines between two separate changes out of the edit", function () {
    const hunks = diffLines(["a", "keep1", "keep2", "b"], ["A", "keep1", "keep2", "B", "C"]);
    assert.deepEqual(hunks, [
      { originalStart: 0, originalEnd: 1, proposedStart: 0, proposedEnd: 1 },
      { originalStart: 3, originalEnd: 4, proposedStart: 3, proposedEnd: 5 },
    ]);
  });

  it("inserts a docstring line without touching the lines around it", function () {
    const original = "def f():\n    return 1\n";
    const proposed = 'def f():\n    """One."""\n    return 1\n';
    assert.deepEqual(lineReplacements(original, proposed), [{ start: 9, end: 9, text: '    """One."""\n' }]);
  });

  it("deletes lines with their line breaks, also at the very end", function () {
    assert.deepEqual(lineReplacements("a\nb\nc", "a\nc"), [{ start: 2, end: 4, text: "" }]);
    assert.deepEqual(lineReplacements("a\nb\nc", "a"), [{ start: 1, end: 5, text: "" }]);
  });

  it("appends after a last line without a line break", function () {
    assert.deepEqual(lineReplacements("a", "a\nb"), [{ start: 1, end: 1, text: "\nb" }]);
  });

  it("keeps CRLF breaks out of replaced ranges", function () {
    const original = "a\r\nb\r\nc\r\n";
    const replacements = lineReplacements(original, "a\r\nB\r\nc\r\n");
    assert.deepEqual(replacements, [{ start: 3, end: 4, text: "B" }]);
  });

  for (const lineEnding of ["\n", "\r\n"]) {
    it(`rebuilds the proposal exactly for 3,000 random edits (${JSON.stringify(lineEnding)})`, function () {
      const next = random(lineEnding.length * 7919);
      for (let round = 0; round < 3000; round++) {
        const original = randomText(next, lineEnding);
        const proposed = next() < 0.2 ? randomText(next, lineEnding) : mutate(original, next, lineEnding);
        const replacements = lineReplacements(original, proposed);
        assert.equal(
          applyReplacements(original, replacements),
          proposed,
          `round ${round}: ${JSON.stringify({ original, proposed })}`,
        );
        for (let index = 1; index < replacements.length; index++) {
          assert.ok(replacements[index - 1].end <= replacements[index].start, `round ${round}: replacements overlap`);
        }
        const changedLines = diffLines(original.split(lineEnding), proposed.split(lineEnding));
        const removed = changedLines.reduce((sum, hunk) => sum + hunk.originalEnd - hunk.originalStart, 0);
        assert.ok(removed <= original.split(lineEnding).length, `round ${round}`);
      }
    });
  }

  it("falls back to one hunk for a change too large for the table, still rebuilding the text", function () {
    const original = Array.from({ length: 2500 }, (_, index) => `line ${index}`).join("\n");
    const proposed = Array.from({ length: 2500 }, (_, index) => `line ${index % 2 === 0 ? index : -index}`).join("\n");
    assert.equal(applyReplacements(original, lineReplacements(original, proposed)), proposed);
  });
});
