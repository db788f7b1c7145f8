// Ghost text through the real inference host with the scripted fixture models, the real tree-sitter
// pipeline and the real Shield: what the provider would show, withhold, cancel and serve from its cache.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { GenerationResult, InfillParams } from "../../extension/src/core/protocol/host";
import { HostRequestError } from "../../extension/src/node/host/hostClient";
import { CompletionEngine, type CompletionOutcome } from "../../extension/src/core/completion/engine";
import { defaultPromptBudget } from "../../extension/src/core/completion/prompt";
import { createShield } from "../../extension/src/core/shield/engine";
import type { Shield } from "../../extension/src/core/shield/types";
import { gateSuggestion } from "../../extension/src/core/shield/gate";
import { cursorInText, InsertionParser } from "../../extension/src/core/syntax/insertionParser";
import { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel, fimCompletion, repoRoot } from "../fixtures/scriptedModel";

const grammars = { load: (file: string) => readFile(path.join(repoRoot, "grammars", file)) };

describe("completions through the real host", function () {
  let runtime: SyntaxRuntime;
  let shield: Shield;

  before(async function () {
    runtime = await SyntaxRuntime.create(grammars);
    // As in the extension: the Shield queries the completion's own trees, on its runtime.
    shield = await createShield({ syntax: runtime, languages: ["python"] });
  });

  after(function () {
    shield?.dispose();
    runtime?.dispose();
  });

  /** How each host request ended: its stop reason, or the error code it was rejected with. */
  function engineFor(
    host: TestHost,
    requests: InfillParams[],
    endings: string[] = [],
    results: GenerationResult[] = [],
    budget = defaultPromptBudget,
  ): CompletionEngine {
    return new CompletionEngine({
      generate: async (params, signal) => {
        requests.push(params);
        try {
          const result = await host.client.infill(params, signal);
          results.push(result);
          endings.push(result.stopReason);
          return result;
        } catch (error) {
          endings.push(error instanceof HostRequestError ? error.code : String(error));
          throw error;
        }
      },
      gate: (input) =>
        gateSuggestion(shield, input, { mode: "block", disabledRules: new Set(), disabledLanguages: new Set() }),
      debounce: { kind: "fixed", milliseconds: 10 },
      budget,
      maxLines: 12,
      now: () => performance.now(),
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, ms);
          signal.addEventListener("abort", () => {
            clearTimeout(timer);
            reject(new Error("aborted"));
          });
        }),
    });
  }

  async function complete(
    engine: CompletionEngine,
    prefix: string,
    suffix: string,
    signal = new AbortController().signal,
    trigger: "automatic" | "manual" = "automatic",
  ): Promise<CompletionOutcome> {
    const language = await runtime.language("python");
    assert.ok(language);
    const tree = runtime.parse(language, prefix + suffix);
    try {
      return await engine.complete(
        {
          languageId: "python",
          path: "calc.py",
          prefix,
          suffix,
          cursorLine: prefix.split("\n").length - 1,
          trigger,
          style: { insertSpaces: true, tabSize: 4 },
          syntax: () => new InsertionParser(runtime, language, tree, cursorInText(prefix, suffix)),
          snippets: async () => [],
        },
        signal,
      );
    } finally {
      tree.delete();
    }
  }

  describe("with the standard scripted model", function () {
    let host: TestHost;
    before(async function () {
      host = createTestHost(hostConfig(ensureScriptedModel("standard")));
      await host.client.start();
    });
    after(async function () {
      await host?.client.dispose();
    });

    it("shows the model's body in an empty function, and serves typed-ahead text from the cache", async function () {
      const requests: InfillParams[] = [];
      const engine = engineFor(host, requests);
      const prefix = "def add(a, b):\n    ";
      const suffix = "\n\nprint(add(1, 2))\n";
      const first = await complete(engine, prefix, suffix);
      assert.equal(first.kind, "shown");
      assert.equal(first.kind === "shown" && first.insertion.text, fimCompletion);
      assert.equal(first.kind === "shown" && first.source, "model");

      const typed = fimCompletion.slice(0, 8);
      const second = await complete(engine, prefix + typed, suffix);
      assert.equal(second.kind === "shown" && second.insertion.text, fimCompletion.slice(8));
      assert.equal(second.kind === "shown" && second.source, "cache");
      assert.equal(requests.length, 1, "typed-ahead text needs no second request");
    });

    it("fits the prompt to its budget in the model's own tokens, and a character typed after it re-evaluates only a few", async function () {
      const requests: InfillParams[] = [];
      const results: GenerationResult[] = [];
      const budget = { totalTokens: 700, suffixShare: 0.25, snippetShare: 0.3 };
      const engine = engineFor(host, requests, [], results, budget);
      const lines = (tag: string, count: number) =>
        Array.from({ length: count }, (_, i) => `    total_${tag}_${i} = compute(values[${i}], index + ${i})\n`).join(
          "",
        );
      const prefix = `from billing import compute\n\n\ndef process(values, index):\n${lines("before", 300)}    `;
      const suffix = `\n${lines("after", 200)}`;
      const snippets = [{ path: "billing.py", text: "def compute(value, offset):", reason: "imported compute" }];
      const language = await runtime.language("python");
      assert.ok(language);
      const ask = async (typed: string): Promise<CompletionOutcome> => {
        const tree = runtime.parse(language, prefix + typed + suffix);
        try {
          return await engine.complete(
            {
              languageId: "python",
              path: "process.py",
              prefix: prefix + typed,
              suffix,
              cursorLine: prefix.split("\n").length - 1,
              trigger: "automatic",
              style: { insertSpaces: true, tabSize: 4 },
              syntax: () => new InsertionParser(runtime, language, tree, cursorInText(prefix + typed, suffix)),
              snippets: async () => snippets,
              scopeHeaders: () => [
                { offset: prefix.indexOf("def process"), line: 3, text: "def process(values, index):" },
              ],
            },
            new AbortController().signal,
          );
        } finally {
          tree.delete();
        }
      };
      const first = await ask("");
      assert.equal(first.kind, "shown", JSON.stringify(first));
      const fimControlTokens = 3;
      const textTokens = results[0].promptTokens - fimControlTokens;
      assert.ok(textTokens <= budget.totalTokens, `${textTokens} tokens of text for a budget of ${budget.totalTokens}`);
      // Less at most the blocks of 8 lines the prefix is cut in (about 200 of the fixture's small-vocabulary tokens).
      assert.ok(
        textTokens >= budget.totalTokens * 0.7,
        `${textTokens} tokens of text: the budget should be nearly full`,
      );
      const trace = first.kind === "shown" ? first.trace : [];
      assert.ok(
        trace.includes(`prompt: ${textTokens} of ${budget.totalTokens} tokens, counted with the model's tokenizer`),
        trace.join("; "),
      );
      assert.ok(
        trace.some((line) => /^billing\.py \(imported compute\): \d+ tokens$/.test(line)),
        trace.join("; "),
      );
      assert.ok(
        trace.some((line) => line.startsWith("enclosing scopes above the window: 1,")),
        trace.join("; "),
      );
      // The extension sends the code as it is, from further up than the host's fit keeps.
      const keptFrom = Number(
        /^prefix: from line (\d+),/.exec(trace.find((line) => line.startsWith("prefix: from line")) ?? "")?.[1],
      );
      assert.ok(
        requests[0].context !== undefined && requests[0].context.prefixFirstLine + 1 < keptFrom,
        `the host kept the code from line ${keptFrom}`,
      );
      assert.ok(!requests[0].prefix.includes("# Path:"), "the host renders the path comments itself");

      // What post-processing makes of the answer after "z" does not matter here, only what the host evaluated.
      await ask("z");
      assert.equal(results.length, 2, "the typed character is a new request, not served from the cache");
      assert.ok(
        results[1].tokensEvaluated <= 5,
        `one typed character re-evaluated ${results[1].tokensEvaluated} of ${results[1].promptTokens} tokens`,
      );
    });

    it("asks for sampled alternatives on a manual trigger and shows each distinct suggestion once", async function () {
      const requests: InfillParams[] = [];
      const endings: string[] = [];
      const engine = engineFor(host, requests, endings);
      const outcome = await complete(engine, "def add(a, b):\n    ", "\n\nprint(add(1, 2))\n", undefined, "manual");
      assert.deepEqual(
        requests.map((params) => params.temperature > 0),
        [false, true, true],
      );
      assert.deepEqual(endings, ["eos", "eos", "eos"], "the host samples at a temperature as it decodes greedily");
      assert.equal(outcome.kind === "shown" && outcome.insertion.text, fimCompletion);
      assert.deepEqual(
        outcome.kind === "shown" && outcome.alternatives,
        [],
        "the scripted model writes the same text at any temperature",
      );
    });

    it("precomputes the completion after an accept, and the request there is served from it", async function () {
      const requests: InfillParams[] = [];
      const engine = engineFor(host, requests);
      const prefix = "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    ";
      const suffix = "\n";
      const language = await runtime.language("python");
      assert.ok(language);
      const tree = runtime.parse(language, prefix + suffix);
      try {
        await engine.precompute({
          languageId: "python",
          path: "calc.py",
          prefix,
          suffix,
          cursorLine: prefix.split("\n").length - 1,
          trigger: "automatic",
          style: { insertSpaces: true, tabSize: 4 },
          syntax: () => new InsertionParser(runtime, language, tree, cursorInText(prefix, suffix)),
          snippets: async () => [],
        });
      } finally {
        tree.delete();
      }
      assert.equal(requests.length, 1);
      const outcome = await complete(engine, prefix, suffix);
      assert.equal(outcome.kind === "shown" && outcome.source, "cache");
      assert.equal(outcome.kind === "shown" && outcome.insertion.text, fimCompletion);
      assert.equal(requests.length, 1, "the request after the accept needs no model call");
    });
  });

  describe("with the insecure scripted model", function () {
    let host: TestHost;
    before(async function () {
      host = createTestHost(hostConfig(ensureScriptedModel("insecure")));
      await host.client.start();
    });
    after(async function () {
      await host?.client.dispose();
    });

    it("withholds the suggestion in block mode", async function () {
      // A command spliced from a value; one handed over whole by the caller is the caller's to check, and not reported.
      const outcome = await complete(
        engineFor(host, []),
        "import subprocess\n\ndef run(name):\n    cmd = 'ls ' + name\n    ",
        "\n",
      );
      assert.equal(outcome.kind, "skipped");
      assert.equal(outcome.kind === "skipped" && outcome.reason, "withheld");
      assert.deepEqual(outcome.kind === "skipped" && outcome.verdict?.findings.map((finding) => finding.ruleId), [
        "python.subprocess-shell",
      ]);
    });
  });

  describe("with the endless scripted model", function () {
    let host: TestHost;
    before(async function () {
      host = createTestHost(hostConfig(ensureScriptedModel("endless")));
      await host.client.start();
    });
    after(async function () {
      await host?.client.dispose();
    });

    it("stops the host's generation when the next keystroke cancels the request", async function () {
      const endings: string[] = [];
      const engine = engineFor(host, [], endings);
      const controller = new AbortController();
      const pending = complete(engine, "def add(a, b):\n    ", "\n", controller.signal);
      setTimeout(() => controller.abort(), 300);
      assert.deepEqual(await pending, { kind: "skipped", reason: "cancelled" });
      assert.equal(endings.length, 1);
      assert.ok(
        ["abort", "cancelled"].includes(endings[0]),
        `the host ended the request with ${endings[0]}, not by running to its token limit`,
      );
    });
  });
});
