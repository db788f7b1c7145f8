import assert from "node:assert/strict";
import { buildPromptPieces, type PromptInput } from "../../../extension/src/core/completion/prompt";
import {
  commentLine,
  estimateTokens,
  fitInfillContextEstimated,
} from "../../../extension/src/core/completion/promptFit";

const budget = { totalTokens: 200, suffixShare: 0.25, snippetShare: 0.3 };

/** The prompt as a backend without the model's tokenizer fits it: by the character estimate. */
function estimated(overrides: Partial<PromptInput>): { prefix: string; suffix: string; included: string[] } {
  const prefix = overrides.prefix ?? "";
  const input: PromptInput = {
    prefix,
    suffix: "",
    cursorLine: prefix.split("\n").length - 1,
    languageId: "go",
    path: "main.go",
    snippets: [],
    budget,
    ...overrides,
  };
  const fitted = fitInfillContextEstimated(buildPromptPieces(input), "estimated from characters");
  return { prefix: fitted.text.prefix, suffix: fitted.text.suffix, included: fitted.included };
}

const manyLines = (tag: string, count: number) =>
  Array.from({ length: count }, (_, index) => `\tvalue${tag}${index} := compute(${index})\n`).join("");

describe("prompt assembly", () => {
  it("marks the file with its path in the language's comment syntax", () => {
    assert.equal(commentLine("python", "Path: a.py"), "# Path: a.py");
    assert.equal(commentLine("rust", "Path: a.rs"), "// Path: a.rs");
    assert.equal(estimated({ prefix: "x := ", suffix: "\n" }).prefix, "// Path: main.go\nx := ");
  });

  it("keeps the lines nearest the cursor within the budget, whole lines only", () => {
    const prompt = estimated({ prefix: manyLines("p", 100) + "\tresult := ", suffix: "\n" + manyLines("s", 100) });
    assert.ok(estimateTokens(prompt.prefix) + estimateTokens(prompt.suffix) <= budget.totalTokens);
    assert.ok(prompt.prefix.endsWith("\tresult := "));
    assert.ok(estimateTokens(prompt.suffix) <= budget.totalTokens * budget.suffixShare);
    assert.match(prompt.prefix, /^\/\/ Path: main\.go\n\tvaluep\d+ := compute\(\d+\)\n/);
  });

  it("puts imported definitions first and skips one that does not fit", () => {
    const prompt = estimated({
      prefix: "total := ",
      snippets: [
        { path: "billing/total.go", text: "func Total(items []Item) float64", reason: "imported Total" },
        { path: "huge.go", text: "x".repeat(4000), reason: "imported Huge" },
      ],
    });
    assert.equal(
      prompt.prefix,
      "// Path: billing/total.go\nfunc Total(items []Item) float64\n\n// Path: main.go\ntotal := ",
    );
    assert.ok(prompt.included.some((line) => line.startsWith("skipped huge.go")));
  });

  it("keeps the headers of the function and class the window starts inside", () => {
    const prefix = "type Store struct{}\n\nfunc (s *Store) Load() {\n" + manyLines("p", 100) + "\tresult := ";
    const prompt = estimated({
      prefix,
      scopeHeaders: [{ offset: prefix.indexOf("func"), line: 2, text: "func (s *Store) Load() {" }],
    });
    assert.match(prompt.prefix, /^\/\/ Path: main\.go\nfunc \(s \*Store\) Load\(\) \{\n\tvaluep\d+/);
    assert.ok(estimateTokens(prompt.prefix) <= budget.totalTokens);
  });
});
