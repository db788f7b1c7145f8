import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { textReader } from "../../../extension/src/core/syntax/documentReader";
import { DocumentTree, pointAfter, type TextChange } from "../../../extension/src/core/syntax/documentTree";
import {
  HeaderImportCache,
  importHeaderChars,
  importMatches,
  type ImportMatch,
} from "../../../extension/src/core/syntax/headerImports";
import { QueryStore, type LanguageQueries } from "../../../extension/src/core/syntax/queries";
import { grammar, grammarDirectory, testRuntime } from "./testRuntime";

/** A deterministic generator, so that a failure reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const described = (matches: readonly ImportMatch[]): string[] =>
  matches.map(({ source, name, alias }) => `${source} ${name ?? ""} ${alias ?? ""}`).sort();

function changeAt(text: string, offset: number, length: number, inserted: string): TextChange {
  const origin = { row: 0, column: 0 };
  return {
    rangeOffset: offset,
    rangeLength: length,
    start: pointAfter(origin, text.slice(0, offset)),
    end: pointAfter(origin, text.slice(0, offset + length)),
    text: inserted,
  };
}

/** Counts the queries of the whole header, to see which edits are spared one. */
function countingWholeHeaderQueries(queries: LanguageQueries): { queries: LanguageQueries; count: () => number } {
  let count = 0;
  const imports = new Proxy(queries.imports, {
    get(target, property) {
      if (property !== "matches") return Reflect.get(target, property, target);
      return (...args: Parameters<typeof target.matches>) => {
        if (args[1]?.startIndex === 0 && args[1]?.endIndex === importHeaderChars * 2) count++;
        return target.matches(...args);
      };
    },
  });
  return { queries: { ...queries, imports }, count: () => count };
}

interface Case {
  languageId: string;
  code: string;
  /** A line that makes a file long. */
  filler: string;
  /** Lines a user might type or delete: imports of every form the queries know, and plain code. */
  lines: string[];
  /** Text typed anywhere, including what opens or closes strings and comments far from the edit. */
  pieces: string[];
}

const cases: Case[] = [
  {
    languageId: "python",
    code: "import os\nfrom .text import slugify, title as t\n\n\ndef build(items):\n    from json import dumps\n    return [slugify(item) for item in items]\n\n\nclass Report:\n    def render(self):\n        return dumps(self.rows)\n",
    filler: "value = compute(1)\n",
    lines: [
      "import re\n",
      "from pathlib import Path\n",
      "from . import (a,\n    b)\n",
      "import numpy as np\n",
      "x = 1\n",
      "def f():\n    pass\n",
      '"""\n',
    ],
    pieces: ["x", " ", "\n", "(", ")", "import", "from", ".", ",", '"', "#", "s", "'''"],
  },
  {
    languageId: "typescript",
    code: 'import { a, b as c } from "./alpha";\nimport * as path from "node:path";\nconst fs = require("fs");\n\nexport function run(items: string[]): number {\n  return items.length;\n}\n',
    filler: "const value = compute(1);\n",
    lines: [
      'import d from "./delta";\n',
      'import {\n  e,\n  f,\n} from "./multi";\n',
      'const { g } = require("./gee");\n',
      "let x = 1;\n",
      "/*\n",
      "*/\n",
      "// import nothing\n",
    ],
    pieces: ["x", " ", "\n", "{", "}", "import", '"', ",", "as ", ";", "require(", "/", "*", "`", "e"],
  },
];

describe("the imports at the top of a document, kept from one parse to the next", () => {
  let store: QueryStore;
  before(() => {
    store = new QueryStore({ load: (file) => readFile(path.join(grammarDirectory, file)) });
  });
  after(() => store.dispose());

  for (const { languageId, code, filler, lines, pieces } of cases) {
    for (const [label, length, edits] of [
      ["a short file", 0, 1000],
      ["a file longer than the header", importHeaderChars + 6000, 200],
    ] as const) {
      it(`${languageId}, ${label}: after each of ${edits} random edits they equal a fresh query's`, async () => {
        const runtime = await testRuntime();
        const language = await grammar(languageId);
        const compiled = await store.queriesFor(languageId, language);
        assert.ok(compiled);
        const { queries, count } = countingWholeHeaderQueries(compiled);
        const random = seededRandom(languageId.length * 31 + length);
        let text = code + filler.repeat(Math.ceil(length / filler.length));
        const document = new DocumentTree(runtime, language, text, 1_000_000);
        const cache = new HeaderImportCache();
        try {
          let parses = 0;
          for (let step = 0; step < edits; step++) {
            // Most edits land where the imports are; some near the header's end, where text moves in and out of it, and
            // some far below it.
            const where = random();
            const near =
              where < 0.8
                ? Math.floor(random() * Math.min(text.length, code.length + 300))
                : where < 0.9
                  ? importHeaderChars - 50 + Math.floor(random() * 100)
                  : text.length - Math.floor(random() * 1000);
            const offset = Math.max(0, Math.min(near, text.length));
            const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
            const roll = random();
            const change =
              roll < 0.15
                ? changeAt(text, lineStart, 0, lines[Math.floor(random() * lines.length)])
                : roll < 0.25
                  ? changeAt(
                      text,
                      lineStart,
                      Math.max(0, (text.indexOf("\n", lineStart) + 1 || text.length) - lineStart),
                      "",
                    )
                  : changeAt(
                      text,
                      offset,
                      random() < 0.3 ? Math.min(3, text.length - offset) : 0,
                      pieces[Math.floor(random() * pieces.length)],
                    );
            document.edit([change]);
            text =
              text.slice(0, change.rangeOffset) + change.text + text.slice(change.rangeOffset + change.rangeLength);
            // Now and then two keystrokes reach one parse, as when the debounce holds a request back.
            if (random() < 0.2) continue;
            const tree = document.treeFor(textReader(text), text.length);
            assert.ok(tree);
            parses++;
            const kept = cache.importsOf("/w/doc", languageId, queries, tree, document.lastParse);
            const fresh = importMatches(compiled, tree, 0, importHeaderChars);
            assert.deepEqual(
              described(kept),
              described(fresh),
              `step ${step}, after ${JSON.stringify(change.text)} at ${change.rangeOffset} replacing ${change.rangeLength}:\n${text.slice(0, 600)}`,
            );
          }
          assert.ok(count() < parses * 0.8, `${count()} of ${parses} parses queried the whole header again`);
        } finally {
          document.dispose();
        }
      });
    }
  }

  it("queries the whole header again only when an edit can change it: typing a line of code below the imports is spared", async () => {
    const runtime = await testRuntime();
    const language = await grammar("python");
    const compiled = await store.queriesFor("python", language);
    assert.ok(compiled);
    const { queries, count } = countingWholeHeaderQueries(compiled);
    let text = "import os\nfrom json import dumps\n\n\ndef build(items):\n    \n";
    const document = new DocumentTree(runtime, language, text, 1_000_000);
    const cache = new HeaderImportCache();
    let cursor = text.indexOf("    \n") + 4;
    /** Types `typed` at the cursor one character at a time, each parsed as a request would; the imports after each. */
    const type = (typed: string): string[][] =>
      [...typed].map((char) => {
        document.edit([changeAt(text, cursor, 0, char)]);
        text = text.slice(0, cursor) + char + text.slice(cursor);
        cursor++;
        const tree = document.treeFor(textReader(text), text.length);
        assert.ok(tree);
        return described(cache.importsOf("/w/build.py", "python", queries, tree, document.lastParse));
      });
    try {
      for (const imports of type("total = sum(item.price for item in items)"))
        assert.deepEqual(imports, ["json dumps ", "os  "]);
      // The first parse queries; after it, none of these keystrokes forms or touches an import.
      assert.equal(count(), 1);
      assert.deepEqual(type("\nimport re").at(-1), ["json dumps ", "os  ", "re  "]);
      assert.ok(count() > 1, "typing an import queried again");
    } finally {
      document.dispose();
    }
  });
});
