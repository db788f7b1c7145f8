// Ghost text through the real inference host with the scripted fixture models, the real tree-sitter
// pipeline and the real Shield: what the provider would show, withhold, cancel and serve from its cache.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { InfillParams } from "../../extension/src/core/protocol/host";
import { HostRequestError } from "../../extension/src/hostClient/hostClient";
import { CompletionEngine, type CompletionOutcome } from "../../extension/src/core/completion/engine";
import { defaultPromptBudget, estimateTokens } from "../../extension/src/core/completion/prompt";
import { createShield } from "../../extension/src/core/shield/engine";
import type { Shield } from "../../extension/src/core/shield/types";
import { gateSuggestion } from "../../extension/src/core/shieldGate";
import { InsertionParser } from "../../extension/src/core/syntax/insertionParser";
import { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel, fimCompletion, repoRoot } from "../fixtures/scriptedModel";

const grammars = { load: (file: string) => readFile(path.join(repoRoot, "grammars", file)) };

describe("completions through the real host", function () {
  let runtime: SyntaxRuntime;
  let shield: Shield;

  before(async function () {
    runtime = await SyntaxRuntime.create(grammars);
    shield = await createShield({ grammars, languages: ["python"] });
  });

  after(function () {
    shield?.dispose();
    runtime?.dispose();
  });

  /** How each host request ended: its stop reason, or the error code it was rejected with. */
  function engineFor(host: TestHost, requests: InfillParams[], endings: string[] = []): CompletionEngine {
    return new CompletionEngine({
      generate: async (params, signal) => {
        requests.push(params);
        try {
          const result = await host.client.infill(params, signal);
          endings.push(result.stopReason);
          return result;
        } catch (error) {
          endings.push(error instanceof HostRequestError ? error.code : String(error));
          throw error;
        }
      },
      gate: (input) => gateSuggestion(shield, input, { mode: "block", disabledRules: new Set(), disabledLanguages: new Set() }),
      debounce: { kind: "fixed", milliseconds: 10 },
      budget: defaultPromptBudget,
      maxLines: 12,
      countTokens: estimateTokens,
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
          trigger,
          style: { insertSpaces: true, tabSize: 4 },
          syntax: new InsertionParser(runtime, language, tree, prefix, suffix),
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

    it("asks for sampled alternatives on a manual trigger and shows each distinct suggestion once", async function () {
      const requests: InfillParams[] = [];
      const endings: string[] = [];
      const engine = engineFor(host, requests, endings);
      const outcome = await complete(engine, "def add(a, b):\n    ", "\n\nprint(add(1, 2))\n", undefined, "manual");
      assert.deepEqual(requests.map((params) => params.temperature > 0), [false, true, true]);
      assert.deepEqual(endings, ["eos", "eos", "eos"], "the host samples at a temperature as it decodes greedily");
      assert.equal(outcome.kind === "shown" && outcome.insertion.text, fimCompletion);
      assert.deepEqual(outcome.kind === "shown" && outcome.alternatives, [], "the scripted model writes the same text at any temperature");
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
          trigger: "automatic",
          style: { insertSpaces: true, tabSize: 4 },
          syntax: new InsertionParser(runtime, language, tree, prefix, suffix),
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
      const outcome = await complete(engineFor(host, []), "import subprocess\n\ndef run(cmd):\n    ", "\n");
      assert.equal(outcome.kind, "skipped");
      assert.equal(outcome.kind === "skipped" && outcome.reason, "withheld");
      assert.deepEqual(outcome.kind === "skipped" && outcome.verdict?.findings.map((finding) => finding.ruleId), ["python.subprocess-shell"]);
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
      assert.ok(["abort", "cancelled"].includes(endings[0]), `the host ended the request with ${endings[0]}, not by running to its token limit`);
    });
  });
});
