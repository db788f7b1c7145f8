import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { linesReader, textReader, type DocumentLines } from "../../../extension/src/core/syntax/documentReader";
import { DocumentTree, pointAfter, type TextChange } from "../../../extension/src/core/syntax/documentTree";
import { grammar, testRuntime } from "./testRuntime";

/** A deterministic generator, so that a failure reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function changeAt(text: string, offset: number, length: number, inserted: string): TextChange {
  return {
    rangeOffset: offset,
    rangeLength: length,
    start: pointAfter({ row: 0, column: 0 }, text.slice(0, offset)),
    end: pointAfter({ row: 0, column: 0 }, text.slice(0, offset + length)),
    text: inserted,
  };
}

const snippets = [
  "x",
  " ",
  "\n",
  "(",
  ")",
  "{",
  "}",
  "return value;",
  "if (a) {\n  b();\n}\n",
  "// note\n",
  '"str"',
  "é😀",
  "\t",
  ";",
];

function randomChange(text: string, random: () => number): TextChange {
  const offset = Math.floor(random() * (text.length + 1));
  const length = random() < 0.5 ? 0 : Math.min(text.length - offset, Math.floor(random() * 12));
  const inserted = random() < 0.2 ? "" : snippets[Math.floor(random() * snippets.length)];
  // Never split a surrogate pair: editors do not produce such edits.
  const safeOffset = offset > 0 && /[\uDC00-\uDFFF]/.test(text[offset] ?? "") ? offset - 1 : offset;
  const end = safeOffset + length;
  const safeLength = /[\uDC00-\uDFFF]/.test(text[end] ?? "") ? length + 1 : length;
  return changeAt(text, safeOffset, Math.min(safeLength, text.length - safeOffset), inserted);
}

function apply(text: string, change: TextChange): string {
  return text.slice(0, change.rangeOffset) + change.text + text.slice(change.rangeOffset + change.rangeLength);
}

const sources: Record<string, string> = {
  typescript: readFileSync(path.resolve(__dirname, "../../../extension/src/core/config/config.ts"), "utf8"),
  python:
    "import os\n\n\nclass Store:\n    def __init__(self, root):\n        self.root = root\n\n    def path(self, name):\n        return os.path.join(self.root, name)\n\n\ndef main():\n    s = Store('/tmp')\n    print(s.path('x'))\n",
};

describe("document trees", () => {
  for (const [languageId, source] of Object.entries(sources)) {
    it(`${languageId}: after 1,000 random edits the incremental tree matches a fresh parse`, async () => {
      const runtime = await testRuntime();
      const language = await grammar(languageId);
      const random = seededRandom(languageId.length * 7919);
      let text = source;
      const document = new DocumentTree(runtime, language, text, 1_000_000);
      try {
        for (let edit = 1; edit <= 1000; edit++) {
          // Editors report several changes per event for multi-cursor edits: apply them back to front.
          const first = randomChange(text, random);
          const changes = [first];
          if (random() < 0.2 && first.rangeOffset > 20)
            changes.push(randomChange(text.slice(0, first.rangeOffset - 1), random));
          for (const change of changes) text = apply(text, change);
          document.edit(changes);
          // A request re-parses after one keystroke or after several that the debounce let pass.
          if (random() < 0.4) document.treeFor(textReader(text), text.length);
          if (edit % 100 === 0) {
            const fresh = runtime.parse(language, text);
            try {
              assert.equal(
                document.treeFor(textReader(text), text.length)?.rootNode.toString(),
                fresh.rootNode.toString(),
                `after edit ${edit}`,
              );
            } finally {
              fresh.delete();
            }
          }
        }
      } finally {
        document.dispose();
      }
    });
  }

  /** A document held as lines, as an editor's model holds it. */
  function documentLines(text: string, eol: string): DocumentLines {
    const lines = text.split(eol);
    const lineStarts = lines.map((_, row) =>
      lines.slice(0, row).reduce((sum, line) => sum + line.length + eol.length, 0),
    );
    return {
      line: (row) => lines[row],
      positionAt: (index) => {
        let row = lineStarts.length - 1;
        while (row > 0 && lineStarts[row] > index) row--;
        return { row, column: index - lineStarts[row] };
      },
      eol,
    };
  }

  for (const eol of ["\n", "\r\n"]) {
    it(`parses a document read line by line (${JSON.stringify(eol)} line ends) as it parses its text, and reads long nodes whole`, async () => {
      const runtime = await testRuntime();
      const language = await grammar("python");
      const longString = `"${"x".repeat(700)}"`;
      const text = [
        "def total(values):",
        "    # a comment",
        `    label = ${longString}`,
        "",
        "    return sum(values)",
        "",
      ].join(eol);
      const fromText = runtime.parse(language, text);
      const fromLines = runtime.parse(language, linesReader(documentLines(text, eol)));
      try {
        assert.equal(fromLines.rootNode.toString(), fromText.rootNode.toString());
        assert.equal(fromLines.rootNode.descendantsOfType("string")[0]?.text, longString);
      } finally {
        fromText.delete();
        fromLines.delete();
      }
    });
  }

  it("gives no tree to a document above the size limit, and one once it shrinks", async () => {
    const runtime = await testRuntime();
    const language = await grammar("python");
    const big = "x = 1\n".repeat(1000);
    const document = new DocumentTree(runtime, language, big, 5000);
    try {
      assert.equal(document.treeFor(textReader(big), big.length), undefined);
      const small = "x = 1\n";
      document.edit([changeAt(big, 6, big.length - 6, "")]);
      assert.equal(
        document.treeFor(textReader(small), small.length)?.rootNode.toString(),
        "(module (expression_statement (assignment left: (identifier) right: (integer))))",
      );
    } finally {
      document.dispose();
    }
  });
});
