// Models that do not end cleanly, through the real host and the real tree-sitter pipeline: the host stops generating
// the moment the stop policy knows the final text, and the suggestion is what post-processing makes of the whole output.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { CompletionEngine, type CompletionOutcome } from "../../extension/src/core/completion/engine";
import { defaultPromptBudget } from "../../extension/src/core/completion/prompt";
import type { GenerationResult } from "../../extension/src/core/protocol/host";
import { cursorInText, InsertionParser } from "../../extension/src/core/syntax/insertionParser";
import { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel, repoRoot, type ScriptedVariant } from "../fixtures/scriptedModel";

const grammars = { load: (file: string) => readFile(path.join(repoRoot, "grammars", file)) };
const prefix = "def add(a, b):\n    ";
const suffix = "\n\nprint(add(1, 2))\n";

describe("early stop through the real host", function () {
  let runtime: SyntaxRuntime;
  let host: TestHost | undefined;

  before(async function () {
    runtime = await SyntaxRuntime.create(grammars);
  });

  after(function () {
    runtime?.dispose();
  });

  afterEach(async function () {
    await host?.client.dispose();
    host = undefined;
  });

  async function completeWith(
    variant: ScriptedVariant,
    maxLines = 12,
  ): Promise<{ outcome: CompletionOutcome; result: GenerationResult }> {
    const started = createTestHost(hostConfig(ensureScriptedModel(variant)));
    host = started;
    await started.client.start();
    const results: GenerationResult[] = [];
    const engine = new CompletionEngine({
      generate: async (params, signal) => {
        const result = await started.client.infill(params, signal);
        results.push(result);
        return result;
      },
      gate: () => ({ action: "show", findings: [] }),
      debounce: { kind: "fixed", milliseconds: 0 },
      budget: defaultPromptBudget,
      maxLines,
      now: () => performance.now(),
      sleep: async () => undefined,
    });
    const language = await runtime.language("python");
    assert.ok(language);
    const tree = runtime.parse(language, prefix + suffix);
    try {
      const outcome = await engine.complete(
        {
          languageId: "python",
          path: "calc.py",
          prefix,
          suffix,
          cursorLine: 1,
          trigger: "automatic",
          style: { insertSpaces: true, tabSize: 4 },
          syntax: () => new InsertionParser(runtime, language, tree, cursorInText(prefix, suffix)),
          snippets: async () => [],
        },
        new AbortController().signal,
      );
      assert.equal(results.length, 1);
      return { outcome, result: results[0] };
    } finally {
      tree.delete();
    }
  }

  it("stops the rambling model at the first word of the function it goes on to write, and shows the body alone", async function () {
    const { outcome, result } = await completeWith("rambling");
    assert.equal(outcome.kind === "shown" && outcome.insertion.text, "return a + b");
    assert.equal(result.stopReason, "complete");
    // "return", " a", " +", " b", then "\n\n\ndef": the next function's first token.
    assert.equal(result.generatedTokens, 5);
    assert.equal(result.text, "return a + b\n\n\ndef");
  });

  it("stops the repeating model once the second copy of its line is complete", async function () {
    const { outcome, result } = await completeWith("repeating");
    assert.equal(outcome.kind === "shown" && outcome.insertion.text, "total += 1");
    assert.equal(result.stopReason, "complete");
    assert.equal(result.text, "total += 1\n    total += 1");
    assert.ok(result.generatedTokens <= 8, `${result.generatedTokens} tokens generated`);
  });

  it("lets the long-line model run to its token limit: no rule can judge a line before it ends", async function () {
    // Two lines allow 48 tokens: enough to show the line is never judged, and quick on a busy CPU.
    const { outcome, result } = await completeWith("longLine", 2);
    assert.equal(result.stopReason, "maxTokens");
    assert.equal(result.generatedTokens, 48);
    assert.equal(outcome.kind, "shown");
    if (outcome.kind !== "shown") return;
    assert.ok(outcome.insertion.text.startsWith("return a + b * 2 * 2"), outcome.insertion.text.slice(0, 40));
    assert.ok(!outcome.insertion.text.includes("\n"));
  });
});
