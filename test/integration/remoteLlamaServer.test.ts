// The llama-server and openai backends against the real llama-server, built from the llama.cpp that node-llama-cpp
// ships (test/remote/build-llama-server.sh) and started here on 127.0.0.1 with the scripted fixture models.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { HostRequestError } from "../../extension/src/core/protocol/backend";
import {
  type RemoteBackend,
  type RemoteBackendOptions,
  createRemoteBackend,
} from "../../extension/src/node/remote/remoteBackend";
import { buildPromptPieces } from "../../extension/src/core/completion/prompt";
import { type PromptPieces, blocksOf, fitInfillContextEstimated } from "../../extension/src/core/completion/promptFit";
import type { ChatParams, InfillContextPiece, InfillParams } from "../../extension/src/core/protocol/host";
import { chatAnswer, endlessPiece, ensureScriptedModel, fimCompletion } from "../fixtures/scriptedModel";
import { type RunningLlamaServer, slotBusy, startLlamaServer } from "../remote/llamaServer";
import { ScriptedServer, forwardTo, json } from "../remote/scriptedServer";

const threads = Math.min(2, availableParallelism());
const fimParams = {
  prefix: "def add(a, b):\n    ",
  suffix: "\n\nprint(add(1, 2))\n",
  maxTokens: 16,
  stop: [],
  temperature: 0,
};
const chatParams: ChatParams = {
  systemPrompt: "Be brief.",
  turns: [{ role: "user", text: "Write a greeting function." }],
  maxTokens: 64,
  temperature: 0,
};

function backendFor(
  server: RunningLlamaServer,
  kind: "llama-server" | "openai",
  overrides: Partial<RemoteBackendOptions> = {},
): RemoteBackend {
  return createRemoteBackend({
    kind,
    baseUrl: kind === "openai" ? `${server.url}/v1` : server.url,
    model: "",
    fimTemplate: "qwen",
    customFimTemplate: "",
    apiKey: async () => undefined,
    extraCaCertificates: [],
    ...overrides,
  });
}

/**
 * A 400-line Python module with the cursor at the end of line 300: far more text than the budget holds. Short lines
 * keep a block small against the budget, so the test can tell a tight fit from a merely safe one. The budget leaves
 * the prompt within what this server's /infill keeps (3/4 of its batch for the prefix, 1/4 for the suffix).
 */
const overBudget = (() => {
  const lines = Array.from({ length: 400 }, (_, index) => `    t${index} = f(a${index})\n`);
  return {
    prefix: `def run(a):\n${lines.slice(0, 300).join("")}    result = `,
    suffix: `\n${lines.slice(300).join("")}    return result\n`,
    cursorLine: 301,
  };
})();
const smallBudget = { totalTokens: 1000, suffixShare: 0.24, snippetShare: 0.3 };

/** InfillParams as the completion engine sends them: the code around the cursor and the prompt's other pieces. */
function engineParams(typed = ""): InfillParams & PromptPieces {
  const pieces = buildPromptPieces({
    prefix: overBudget.prefix + typed,
    suffix: overBudget.suffix,
    cursorLine: overBudget.cursorLine,
    languageId: "python",
    path: "app/run.py",
    snippets: [],
    budget: smallBudget,
  });
  return { ...pieces, maxTokens: 16, stop: [], temperature: 0 };
}

function isCode(code: string): (error: unknown) => boolean {
  return (error) => error instanceof HostRequestError && error.code === code;
}

/** Polls /slots until the only slot is idle; false if it is still busy after `limitMs`. */
async function slotFreedWithin(url: string, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (!(await slotBusy(url))) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

describe("remote backends against the real llama-server", function () {
  describe("scripted standard model", function () {
    let server: RunningLlamaServer;
    const backends: RemoteBackend[] = [];
    before(async function () {
      // /infill fills only the context beyond its logical batch with input_extra: the default batch (2,048) would leave
      // none of this context for it.
      server = await startLlamaServer({
        modelPath: ensureScriptedModel("standard"),
        threads,
        contextSize: 2048,
        extraArgs: ["--batch-size", "1024"],
      });
    });
    after(async function () {
      for (const backend of backends) backend.dispose();
      await server?.stop();
    });
    const make = (kind: "llama-server" | "openai"): RemoteBackend => {
      const backend = backendFor(server, kind);
      backends.push(backend);
      return backend;
    };

    it("fills in the middle through /infill, and a repeated prompt is served from the slot's cache", async function () {
      const backend = make("llama-server");
      const first = await backend.infill(fimParams);
      assert.equal(first.text, fimCompletion);
      assert.equal(first.stopReason, "eos");
      assert.ok(first.promptTokens > 10, JSON.stringify(first));
      const again = await backend.infill(fimParams);
      assert.equal(again.text, fimCompletion);
      assert.ok(
        again.tokensEvaluated < first.promptTokens / 2,
        `cache_prompt: ${again.tokensEvaluated} of ${again.promptTokens} evaluated again`,
      );
    });

    it("sends the completion's context pieces as input_extra: the server's prompt grows by exactly their repo-level form", async function () {
      const backend = make("llama-server");
      const piece = {
        path: "lib/geometry.py",
        text: "def area(width, height):\n    return width * height\n",
        reason: "imported area",
      };
      const withPieces = (pieces: InfillContextPiece[]): InfillParams => ({
        ...fimParams,
        context: {
          budget: { totalTokens: 1500, suffixShare: 0.25, snippetShare: 0.3 },
          prefixFirstLine: 0,
          languageId: "python",
          path: "app/shapes.py",
          pieces,
          scopes: [],
        },
      });
      const without = await backend.infill(withPieces([]));
      const withPiece = await backend.infill(withPieces([piece]));
      const count = async (text: string): Promise<number> => {
        const tokens = await backend.countTokens(text);
        assert.ok(tokens !== undefined);
        return tokens;
      };
      const filename = await count(`${piece.path}\n`);
      const code = await count(piece.text);
      // <|file_sep|>, the file name's line, the code; the piece's path comment is not in the prefix.
      assert.equal(
        withPiece.promptTokens - without.promptTokens,
        1 + filename + code,
        JSON.stringify({ without, withPiece }),
      );
      assert.ok(
        withPiece.promptFit?.some((line) => /^lib\/geometry\.py \(imported area\): \d+ tokens$/.test(line)),
        JSON.stringify(withPiece.promptFit),
      );
      assert.equal(withPiece.text, fimCompletion);
    });

    it("fits a prompt over its budget with llama-server's own tokenizer: the server's prompt is within the budget, and the trace says so", async function () {
      const backend = make("llama-server");
      const count = async (text: string): Promise<number> => {
        const tokens = await backend.countTokens(text);
        assert.ok(tokens !== undefined);
        return tokens;
      };
      const params = engineParams();
      // What the server adds around any prompt: the FIM control tokens and its repo-level header.
      const frame = (await backend.infill({ prefix: "", suffix: "", maxTokens: 16, stop: [], temperature: 0 }))
        .promptTokens;
      // The character estimate's prompt overflows the budget with this vocabulary: sent as it is, it would fail below.
      const estimated = fitInfillContextEstimated(params, "estimated from characters").text;
      const estimatedTokens = (await count(estimated.prefix)) + (await count(estimated.suffix));
      assert.ok(estimatedTokens > smallBudget.totalTokens, `the estimate's prompt has ${estimatedTokens} tokens`);

      const result = await backend.infill(params);
      assert.equal(result.text, fimCompletion);
      const traced = /^prompt: (\d+) of 1000 tokens, counted with llama-server's tokenizer \(\/tokenize\)$/.exec(
        result.promptFit?.at(-1) ?? "",
      );
      assert.ok(traced !== null, JSON.stringify(result.promptFit));
      const promptTokens = result.promptTokens - frame;
      assert.ok(
        promptTokens <= Number(traced[1]) && Number(traced[1]) <= smallBudget.totalTokens,
        `llama-server evaluated ${promptTokens} prompt tokens; the trace says ${traced[1]}`,
      );
      // Tight, not merely safe: at most a block of the prefix and a line of the suffix stay unused.
      const block = Math.max(
        ...(await Promise.all(blocksOf(params.prefix, params.context.prefixFirstLine).slice(0, -1).map(count))),
      );
      const line = await count(overBudget.suffix.split("\n")[1] + "\n");
      assert.ok(
        promptTokens >= smallBudget.totalTokens - block - line,
        `${promptTokens} tokens: more than a block (${block}) and a line (${line}) unused`,
      );
    });

    it("asks /tokenize only for the cursor's block on the next keystroke", async function () {
      const recorder = await ScriptedServer.start();
      recorder.respondWith((request, response) => void forwardTo(server.url, request, response));
      const backend = createRemoteBackend({
        kind: "llama-server",
        baseUrl: recorder.url,
        model: "",
        fimTemplate: "qwen",
        customFimTemplate: "",
        apiKey: async () => undefined,
        extraCaCertificates: [],
      });
      backends.push(backend);
      try {
        const tokenized = (): string[] =>
          recorder.requests
            .filter((request) => request.path === "/tokenize")
            .map((request) => (request.body as { content: string }).content);
        const cold = await backend.infill(engineParams());
        assert.match(cold.promptFit?.at(-1) ?? "", /counted with llama-server's tokenizer/);
        const coldCounts = tokenized().length;
        assert.ok(coldCounts > 5, `${coldCounts} texts counted for the first prompt`);
        recorder.requests.length = 0;
        const typed = await backend.infill(engineParams("c"));
        assert.match(typed.promptFit?.at(-1) ?? "", /counted with llama-server's tokenizer/);
        assert.equal(tokenized().length, 1, JSON.stringify(tokenized()));
        assert.ok(tokenized()[0].endsWith("    result = c"), tokenized()[0]);
        assert.deepEqual(
          recorder.requests.map((request) => request.path),
          ["/tokenize", "/infill"],
        );
      } finally {
        await recorder.close();
      }
    });

    it("falls back to the character estimate in front of a server without /tokenize, says so, and stops asking", async function () {
      const olderServer = await ScriptedServer.start();
      olderServer.respondWith((request, response) => {
        if (request.path === "/tokenize")
          json(response, 404, { error: { code: 404, message: "File Not Found", type: "not_found_error" } });
        else void forwardTo(server.url, request, response);
      });
      const backend = createRemoteBackend({
        kind: "llama-server",
        baseUrl: olderServer.url,
        model: "",
        fimTemplate: "qwen",
        customFimTemplate: "",
        apiKey: async () => undefined,
        extraCaCertificates: [],
      });
      backends.push(backend);
      try {
        const first = await backend.infill(engineParams());
        assert.equal(first.text, fimCompletion);
        assert.match(
          first.promptFit?.at(-1) ?? "",
          /^prompt: \d+ of 1000 tokens, estimated from characters, since llama-server's tokenizer \(\/tokenize\) failed: .*404 for \/tokenize/,
        );
        const asked = olderServer.requests.filter((request) => request.path === "/tokenize").length;
        const second = await backend.infill(engineParams("c"));
        assert.match(second.promptFit?.at(-1) ?? "", /estimated from characters/);
        assert.equal(olderServer.requests.filter((request) => request.path === "/tokenize").length, asked);
      } finally {
        await olderServer.close();
      }
    });

    it("streams a chat through /v1/chat/completions", async function () {
      const chunks: string[] = [];
      const result = await make("llama-server").chat(chatParams, (text) => chunks.push(text));
      assert.equal(result.text, chatAnswer);
      assert.equal(chunks.join(""), chatAnswer);
      assert.ok(chunks.length > 3, `${chunks.length} chunks`);
      assert.equal(result.stopReason, "eos");
      assert.ok(result.promptTokens > 0 && result.generatedTokens > 0, JSON.stringify(result));
    });

    it("counts tokens with /tokenize and probes /v1/models", async function () {
      const backend = make("llama-server");
      const count = await backend.countTokens("def add(a, b):\n    return a + b\n");
      assert.ok(count !== undefined && count > 3, String(count));
      const probe = await backend.probe();
      assert.equal(probe.reachable, true, JSON.stringify(probe));
    });

    it("reports a conversation that exceeds the context, then serves the next request", async function () {
      const backend = make("llama-server");
      const huge = { ...chatParams, turns: [{ role: "user" as const, text: "word ".repeat(6000) }] };
      await assert.rejects(
        backend.chat(huge, () => undefined),
        isCode("contextExceeded"),
      );
      assert.equal((await backend.infill(fimParams)).text, fimCompletion);
    });

    it("does the same through the openai backend on /v1 with the qwen template", async function () {
      const backend = make("openai");
      const infill = await backend.infill(fimParams);
      assert.equal(infill.text, fimCompletion);
      assert.ok(infill.promptTokens > 10, JSON.stringify(infill));
      const chunks: string[] = [];
      const chat = await backend.chat(chatParams, (text) => chunks.push(text));
      assert.equal(chat.text, chatAnswer);
      assert.equal(chunks.join(""), chatAnswer);
    });
  });

  describe("scripted endless model: cancellation mid-stream", function () {
    let server: RunningLlamaServer;
    const backends: RemoteBackend[] = [];
    before(async function () {
      // A large context, so an answer that is not stopped keeps the slot busy for many seconds.
      server = await startLlamaServer({ modelPath: ensureScriptedModel("endless"), threads, contextSize: 32768 });
    });
    after(async function () {
      for (const backend of backends) backend.dispose();
      await server?.stop();
    });

    for (const kind of ["llama-server", "openai"] as const) {
      it(`${kind}: an abort frees the server's slot and the next request is served`, async function () {
        const backend = backendFor(server, kind);
        backends.push(backend);
        const controller = new AbortController();
        let chunks = 0;
        const chat = backend.chat(
          { ...chatParams, maxTokens: 30_000 },
          () => {
            if (++chunks === 5) controller.abort();
          },
          controller.signal,
        );
        await assert.rejects(chat, isCode("cancelled"));
        assert.equal(chunks, 5);
        assert.ok(await slotFreedWithin(server.url, 5_000), "the slot was still busy 5 s after the abort");

        const infillController = new AbortController();
        const infill = backend.infill({ ...fimParams, maxTokens: 30_000 }, infillController.signal);
        setTimeout(() => infillController.abort(), 300);
        await assert.rejects(infill, isCode("cancelled"));
        assert.ok(await slotFreedWithin(server.url, 5_000), "the slot was still busy 5 s after the abort");

        const next = await backend.infill({ ...fimParams, maxTokens: 3 });
        assert.equal(next.text, endlessPiece.repeat(3));
      });
    }
  });
});
