import assert from "node:assert/strict";
import { buildPromptPieces, defaultPromptBudget } from "../../../extension/src/core/completion/prompt";
import { fitInfillContextEstimated } from "../../../extension/src/core/completion/promptFit";
import {
  RecentEdits,
  RecentViews,
  recentSnippets,
  type OpenDocuments,
} from "../../../extension/src/core/completion/recentContext";

const files: Record<string, { path: string; lines: string[] }> = {
  "file:///w/app.py": {
    path: "/w/app.py",
    lines: Array.from({ length: 300 }, (_, index) => `line_${index} = ${index}`),
  },
  "file:///w/util.py": {
    path: "/w/util.py",
    lines: ["def helper(a, b):", "    return a + b", "", "def other():", "    pass"],
  },
  "file:///w/.env": { path: "/w/.env", lines: ["API_KEY=sk_live_secret"] },
};

const documents: OpenDocuments = {
  paths: (key) => files[key] && { display: files[key].path.replace("/w/", ""), absolute: files[key].path },
  lines: (key, start, end) => files[key]?.lines.slice(start, end + 1).join("\n"),
};

function request(edits: RecentEdits, views: RecentViews, cursorLine = 250) {
  return {
    edits: edits.list(),
    views: views.list(),
    currentKey: "file:///w/app.py",
    cursorLine,
    windowLines: 60,
    documents,
    maxEdits: 3,
    maxViews: 2,
    maxViewLines: 24,
  };
}

describe("recent edits", () => {
  it("grows one range while the user types in one place, and keeps the latest first", () => {
    const edits = new RecentEdits(8);
    edits.record({ key: "a", startLine: 10, oldEndLine: 10, newEndLine: 10 });
    edits.record({ key: "a", startLine: 10, oldEndLine: 10, newEndLine: 11 });
    edits.record({ key: "a", startLine: 11, oldEndLine: 11, newEndLine: 11 });
    edits.record({ key: "b", startLine: 3, oldEndLine: 3, newEndLine: 3 });
    assert.deepEqual(edits.list(), [
      { key: "b", startLine: 3, endLine: 3 },
      { key: "a", startLine: 10, endLine: 11 },
    ]);
  });

  it("moves ranges below an edit by the lines it adds or removes", () => {
    const edits = new RecentEdits(8);
    edits.record({ key: "a", startLine: 50, oldEndLine: 50, newEndLine: 50 });
    edits.record({ key: "a", startLine: 5, oldEndLine: 5, newEndLine: 8 });
    assert.deepEqual(edits.list()[1], { key: "a", startLine: 53, endLine: 53 });
    edits.record({ key: "a", startLine: 5, oldEndLine: 15, newEndLine: 5 });
    assert.deepEqual(
      edits.list().find((range) => range.startLine > 20),
      { key: "a", startLine: 43, endLine: 43 },
    );
  });

  it("keeps at most its capacity and at most 16 lines around the latest edit", () => {
    const edits = new RecentEdits(2);
    for (let line = 0; line < 100; line += 10)
      edits.record({ key: "a", startLine: line, oldEndLine: line, newEndLine: line });
    assert.equal(edits.list().length, 2);
    const long = new RecentEdits(4);
    for (let line = 0; line < 40; line++)
      long.record({ key: "a", startLine: line, oldEndLine: line, newEndLine: line + 1 });
    const [range] = long.list();
    assert.ok(range.endLine - range.startLine + 1 <= 16, JSON.stringify(range));
    assert.ok(range.startLine <= 39 && range.endLine >= 39, JSON.stringify(range));
  });

  it("forgets a closed document", () => {
    const edits = new RecentEdits(8);
    edits.record({ key: "a", startLine: 1, oldEndLine: 1, newEndLine: 1 });
    edits.forget("a");
    assert.deepEqual(edits.list(), []);
  });
});

describe("recent context snippets", () => {
  it("includes edits in other files and far from the cursor, with their paths, but not the lines around the cursor", () => {
    const edits = new RecentEdits(8);
    const views = new RecentViews(4);
    edits.record({ key: "file:///w/app.py", startLine: 20, oldEndLine: 20, newEndLine: 20 });
    edits.record({ key: "file:///w/util.py", startLine: 1, oldEndLine: 1, newEndLine: 1 });
    edits.record({ key: "file:///w/app.py", startLine: 240, oldEndLine: 240, newEndLine: 240 });
    const snippets = recentSnippets(request(edits, views));
    assert.deepEqual(
      snippets.map((snippet) => [snippet.path, snippet.text]),
      [
        ["util.py", "    return a + b"],
        ["app.py", "line_20 = 20"],
      ],
    );
    assert.match(snippets[0].reason, /recently edited, lines 2-2/);
  });

  it("adds a screen of recently viewed other files, and never a secret file", () => {
    const edits = new RecentEdits(8);
    const views = new RecentViews(4);
    views.record({ key: "file:///w/util.py", startLine: 0, endLine: 4 });
    views.record({ key: "file:///w/.env", startLine: 0, endLine: 0 });
    views.record({ key: "file:///w/app.py", startLine: 200, endLine: 260 });
    edits.record({ key: "file:///w/.env", startLine: 0, oldEndLine: 0, newEndLine: 0 });
    const snippets = recentSnippets(request(edits, views));
    assert.deepEqual(
      snippets.map((snippet) => snippet.path),
      ["util.py"],
    );
    assert.match(snippets[0].text, /^def helper\(a, b\):\n {4}return a \+ b\n\ndef other\(\):\n {4}pass$/);
    const pieces = buildPromptPieces({
      prefix: "x = ",
      suffix: "",
      cursorLine: 0,
      languageId: "python",
      path: "app.py",
      snippets,
      budget: defaultPromptBudget,
    });
    const prompt = fitInfillContextEstimated(pieces, "estimated from characters").text;
    assert.match(prompt.prefix, /^# Path: util\.py\ndef helper/);
    assert.doesNotMatch(prompt.prefix, /sk_live/);
  });

  it("shows at most a bounded number of edits and views, and a viewed file's middle lines", () => {
    const edits = new RecentEdits(8);
    const views = new RecentViews(4);
    for (let line = 0; line < 100; line += 10)
      edits.record({ key: "file:///w/app.py", startLine: line, oldEndLine: line, newEndLine: line });
    views.record({ key: "file:///w/util.py", startLine: 0, endLine: 4 });
    const snippets = recentSnippets({ ...request(edits, views), currentKey: "other", maxViewLines: 2 });
    assert.equal(snippets.filter((snippet) => /edited/.test(snippet.reason)).length, 3);
    assert.equal(snippets.find((snippet) => /viewed/.test(snippet.reason))?.text, "    return a + b\n");
  });
});
