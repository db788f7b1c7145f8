import assert from "node:assert/strict";
import {
  definitionLines,
  estimatedTokens,
  folderText,
  formatProblems,
  keywordMatches,
  mentionAt,
} from "../../../extension/src/core/chat/mentions";

describe("chat @-mentions", function () {
  describe("the mention before the cursor", function () {
    it("reads a bare @ as a search over kinds and files", function () {
      assert.deepEqual(mentionAt("explain @"), { start: 8, kind: undefined, query: "" });
      assert.deepEqual(mentionAt("@app"), { start: 0, kind: undefined, query: "app" });
    });

    it("reads @kind:query for the kinds that take an argument", function () {
      assert.deepEqual(mentionAt("see @folder:src/li"), { start: 4, kind: "folder", query: "src/li" });
      assert.deepEqual(mentionAt("see @symbol:parse"), { start: 4, kind: "symbol", query: "parse" });
      assert.deepEqual(mentionAt("see @file:a.py"), { start: 4, kind: "file", query: "a.py" });
    });

    it("keeps a colon that follows no known kind in the query (a Windows drive, a line number)", function () {
      assert.deepEqual(mentionAt("@app.py:12"), { start: 0, kind: undefined, query: "app.py:12" });
      assert.deepEqual(mentionAt("@problems:workspace"), { start: 0, kind: undefined, query: "problems:workspace" });
    });

    it("finds no mention in an e-mail address, after a space, or without an @", function () {
      assert.equal(mentionAt("mail me@example.com"), undefined);
      assert.equal(mentionAt("explain @app "), undefined);
      assert.equal(mentionAt("explain this"), undefined);
    });
  });

  describe("the kinds offered by name", function () {
    it("offers every kind for a bare @, and narrows by prefix", function () {
      assert.deepEqual(
        keywordMatches("").map((item) => item.label),
        ["@selection", "@problems", "@problems:workspace", "@changes", "@folder:", "@symbol:"],
      );
      assert.deepEqual(
        keywordMatches("pro").map((item) => [item.kind, item.value]),
        [
          ["problems", "file"],
          ["problems", "workspace"],
        ],
      );
      assert.deepEqual(
        keywordMatches("Sy").map((item) => item.complete),
        ["@symbol:"],
      );
      assert.deepEqual(keywordMatches("app"), []);
    });
  });

  it("formats problems errors first, one line each, with 1-based places", function () {
    const text = formatProblems([
      { path: "b.ts", line: 4, character: 0, severity: "warning", message: "unused x", source: "ts" },
      { path: "a.ts", line: 0, character: 2, severity: "error", message: "Cannot find name\n  'y'.", source: "ts" },
      { path: "a.ts", line: 9, character: 0, severity: "hint", message: "could be const" },
    ]);
    assert.equal(
      text,
      [
        "a.ts:1:3: error: Cannot find name 'y'. (ts)",
        "b.ts:5:1: warning: unused x (ts)",
        "a.ts:10:1: hint: could be const",
      ].join("\n"),
    );
  });

  it("joins a folder's files under path headers", function () {
    assert.equal(
      folderText([
        { path: "src/a.py", text: "x = 1" },
        { path: "src/b.py", text: "y = 2\n" },
      ]),
      "==> src/a.py <==\nx = 1\n\n==> src/b.py <==\ny = 2\n",
    );
  });

  it("estimates a chip's tokens from its length", function () {
    assert.equal(estimatedTokens(""), 0);
    assert.equal(estimatedTokens("x".repeat(300)), 100);
  });

  describe("a symbol's definition lines", function () {
    it("ends a braced definition at its closing line", function () {
      const lines = ["// c", "function f() {", "  if (x) {", "", "    y();", "  }", "}", "f();"];
      assert.deepEqual(definitionLines(lines, 1), { start: 1, end: 6 });
    });

    it("ends an indented definition where the indentation does, without trailing blank lines", function () {
      const lines = ["def f(a):", "    b = a", "", "    return b", "", "", "def g():", "    pass"];
      assert.deepEqual(definitionLines(lines, 0), { start: 0, end: 3 });
    });

    it("keeps a one-line definition to its line", function () {
      assert.deepEqual(definitionLines(["type A = string;", "type B = number;"], 0), { start: 0, end: 0 });
    });
  });
});
