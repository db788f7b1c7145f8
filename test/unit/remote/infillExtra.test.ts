import assert from "node:assert/strict";
import { inputExtraChunk, llamaServerInfillInput } from "../../../extension/src/core/remote/infillExtra";
import { buildPromptPieces, type ContextSnippet } from "../../../extension/src/core/completion/prompt";
import { estimateTokens, fitInfillContext, placeholderTokens } from "../../../extension/src/core/completion/promptFit";
import type { InfillParams } from "../../../extension/src/core/protocol/host";

const snippets: ContextSnippet[] = [
  { path: "lib/math.py", text: "def add(a, b):\n    return a + b\n", reason: "imported add" },
  { path: "lib/text.py", text: "def shout(s):\n    return s.upper()\n", reason: "recent edit" },
];
const budget = { totalTokens: 1500, suffixShare: 0.25, snippetShare: 0.3 };
const document = {
  prefix: "from lib.math import add\n\nprint(add(1, ",
  suffix: "))\n",
  cursorLine: 2,
  languageId: "python",
  path: "app/main.py",
};

/** InfillParams as the completion engine sends them, and the prompt the fit makes of them. */
function fitted(snippetBudgetShare = budget.snippetShare) {
  const pieces = buildPromptPieces({ ...document, snippets, budget: { ...budget, snippetShare: snippetBudgetShare } });
  const params: InfillParams = { ...pieces, maxTokens: 16, stop: [], temperature: 0 };
  return { params, text: fitInfillContext(pieces, (text) => placeholderTokens(estimateTokens(text))).text };
}

describe("llama-server input_extra from the completion prompt", function () {
  it("sends the kept pieces as input_extra, with their paths as file names, and the rest of the prompt as the prefix", function () {
    const { params, text } = fitted();
    const input = llamaServerInfillInput(params, text);
    assert.deepEqual(input.extra, [
      { filename: "lib/math.py", text: "def add(a, b):\n    return a + b\n" },
      { filename: "lib/text.py", text: "def shout(s):\n    return s.upper()\n" },
    ]);
    assert.equal(input.prefix, `# Path: app/main.py\n${document.prefix}`);
    assert.equal(input.suffix, document.suffix);
    // The other backends get the same pieces inside the prefix, each under its path comment.
    assert.ok(
      text.prefix.startsWith("# Path: lib/math.py\ndef add(a, b):\n    return a + b\n\n# Path: lib/text.py\n"),
      text.prefix,
    );
    assert.ok(text.prefix.endsWith(input.prefix));
  });

  it("sends only the pieces the budget kept", function () {
    // A snippet budget that holds the first piece (about 20 tokens) but not both.
    const { params, text } = fitted(25 / budget.totalTokens);
    const input = llamaServerInfillInput(params, text);
    assert.deepEqual(
      input.extra.map((chunk) => chunk.filename),
      ["lib/math.py"],
    );
    assert.ok(!input.prefix.includes("def add"), input.prefix);
    assert.ok(!text.prefix.includes("def shout"), "the budget should have left the second piece out");
  });

  it("leaves a prompt without pieces as it is", function () {
    const params: InfillParams = { prefix: "x = ", suffix: "\n", maxTokens: 4, stop: [], temperature: 0 };
    assert.deepEqual(llamaServerInfillInput(params, undefined), { prefix: "x = ", suffix: "\n", extra: [] });
  });

  it("sends a piece's code alone, with one line break at its end, whatever the document's comment syntax", function () {
    assert.deepEqual(inputExtraChunk({ path: "q.sql", text: "SELECT 1;\n\n\n", reason: "viewed" }), {
      filename: "q.sql",
      text: "SELECT 1;\n",
    });
    assert.deepEqual(inputExtraChunk({ path: "src/a.ts", text: "export const a = 1;  ", reason: "import" }), {
      filename: "src/a.ts",
      text: "export const a = 1;\n",
    });
  });
});
