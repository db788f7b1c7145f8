import assert from "node:assert/strict";
import { chunkOfPiece, llamaServerInfillInput } from "../../../extension/src/core/remote/infillExtra";
import { buildInfillContext, buildInfillPrompt, type ContextSnippet } from "../../../extension/src/core/completion/prompt";
import type { InfillParams } from "../../../extension/src/core/protocol/host";

const snippets: ContextSnippet[] = [
  { path: "lib/math.py", text: "def add(a, b):\n    return a + b\n", reason: "imported add" },
  { path: "lib/text.py", text: "def shout(s):\n    return s.upper()\n", reason: "recent edit" },
];
const budget = { totalTokens: 1500, suffixShare: 0.25, snippetShare: 0.3 };
const document = { prefix: "from lib.math import add\n\nprint(add(1, ", suffix: "))\n", languageId: "python", path: "app/main.py" };

/** InfillParams as the completion engine sends them: the prefix fitted by a character estimate, and the pieces. */
function engineParams(snippetBudgetShare = budget.snippetShare): InfillParams {
  const input = { ...document, snippets, budget: { ...budget, snippetShare: snippetBudgetShare } };
  const prompt = buildInfillPrompt({ ...input, countTokens: (text) => Math.ceil(text.length / 3) });
  return { prefix: prompt.prefix, suffix: prompt.suffix, maxTokens: 16, stop: [], temperature: 0, context: buildInfillContext(input, 2) };
}

describe("llama-server input_extra from the completion prompt", function () {
  it("moves the pieces out of the prefix into input_extra, with their paths as file names", function () {
    const params = engineParams();
    const input = llamaServerInfillInput(params);
    assert.deepEqual(input.chunks, [
      { path: "lib/math.py", text: "def add(a, b):\n    return a + b\n" },
      { path: "lib/text.py", text: "def shout(s):\n    return s.upper()\n" },
    ]);
    assert.equal(input.prefix, `# Path: app/main.py\n${document.prefix}`);
    assert.ok(params.prefix.endsWith(input.prefix));
  });

  it("sends only the pieces the budget kept", function () {
    // A snippet budget that holds the first piece (about 20 tokens) but not both.
    const params = engineParams(25 / budget.totalTokens);
    const input = llamaServerInfillInput(params);
    assert.deepEqual(
      input.chunks.map((chunk) => chunk.path),
      ["lib/math.py"],
    );
    assert.ok(!input.prefix.includes("def add"), input.prefix);
    assert.ok(!params.prefix.includes("def shout"), "the budget should have left the second piece out");
  });

  it("leaves a prompt without pieces as it is", function () {
    const params: InfillParams = { prefix: "x = ", suffix: "\n", maxTokens: 4, stop: [], temperature: 0 };
    assert.deepEqual(llamaServerInfillInput(params), { prefix: "x = ", chunks: [] });
  });

  it("takes chunks named outright as they are", function () {
    const params = { ...engineParams(), contextChunks: [{ path: "a.py", text: "A = 1\n" }] };
    assert.deepEqual(llamaServerInfillInput(params), { prefix: params.prefix, chunks: [{ path: "a.py", text: "A = 1\n" }] });
  });

  it("reads the path from any line comment, and keeps a piece without one whole under its label", function () {
    assert.deepEqual(chunkOfPiece({ text: "// Path: src/a.ts\nexport const a = 1;\n\n", label: "src/a.ts (import)" }), { path: "src/a.ts", text: "export const a = 1;\n" });
    assert.deepEqual(chunkOfPiece({ text: "-- Path: q.sql\nSELECT 1;\n\n", label: "q.sql (viewed)" }), { path: "q.sql", text: "SELECT 1;\n" });
    assert.deepEqual(chunkOfPiece({ text: "const b = 2;\n", label: "b.ts (viewed)" }), { path: "b.ts (viewed)", text: "const b = 2;\n" });
  });
});
