// The llama-server and openai backends against the real llama-server, built from the llama.cpp that node-llama-cpp
// ships (test/remote/build-llama-server.sh) and started here on 127.0.0.1 with the scripted fixture models.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { HostRequestError } from "../../extension/src/core/backend/backend";
import { type RemoteBackend, type RemoteBackendOptions, createRemoteBackend } from "../../extension/src/core/backend/remoteBackend";
import type { ChatParams } from "../../extension/src/core/protocol/host";
import { chatAnswer, endlessPiece, ensureScriptedModel, fimCompletion } from "../fixtures/scriptedModel";
import { type RunningLlamaServer, slotBusy, startLlamaServer } from "../remote/llamaServer";

const threads = Math.min(2, availableParallelism());
const fimParams = { prefix: "def add(a, b):\n    ", suffix: "\n\nprint(add(1, 2))\n", maxTokens: 16, stop: [], temperature: 0 };
const chatParams: ChatParams = { systemPrompt: "Be brief.", turns: [{ role: "user", text: "Write a greeting function." }], maxTokens: 64, temperature: 0 };

function backendFor(server: RunningLlamaServer, kind: "llama-server" | "openai", overrides: Partial<RemoteBackendOptions> = {}): RemoteBackend {
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
      server = await startLlamaServer({ modelPath: ensureScriptedModel("standard"), threads, contextSize: 2048, extraArgs: ["--batch-size", "1024"] });
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
      assert.ok(again.tokensEvaluated < first.promptTokens / 2, `cache_prompt: ${again.tokensEvaluated} of ${again.promptTokens} evaluated again`);
    });

    it("sends the completion's context pieces as input_extra: the server's prompt grows by exactly their repo-level form", async function () {
      const backend = make("llama-server");
      const chunk = { path: "lib/geometry.py", text: "def area(width, height):\n    return width * height\n" };
      const piece = { text: `# Path: ${chunk.path}\n${chunk.text}\n`, label: `${chunk.path} (imported area)` };
      const without = await backend.infill(fimParams);
      const context = { budget: { totalTokens: 1500, suffixShare: 0.25, snippetShare: 0.3 }, prefix: fimParams.prefix, prefixFirstLine: 0, suffix: fimParams.suffix, pathComment: "", pieces: [piece], scopes: [] };
      const withPiece = await backend.infill({ ...fimParams, prefix: piece.text + fimParams.prefix, context });
      const named = await backend.infill({ ...fimParams, contextChunks: [chunk] });
      const count = async (text: string): Promise<number> => {
        const tokens = await backend.countTokens(text);
        assert.ok(tokens !== undefined);
        return tokens;
      };
      const filename = await count(`${chunk.path}\n`);
      const code = await count(chunk.text);
      // <|file_sep|>, the file name's line, the code; the piece's path comment is no longer in the prefix.
      assert.equal(withPiece.promptTokens - without.promptTokens, 1 + filename + code, JSON.stringify({ without, withPiece }));
      assert.equal(named.promptTokens, withPiece.promptTokens);
      assert.equal(withPiece.text, fimCompletion);
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
      await assert.rejects(backend.chat(huge, () => undefined), isCode("contextExceeded"));
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
        const chat = backend.chat({ ...chatParams, maxTokens: 30_000 }, () => {
          if (++chunks === 5) controller.abort();
        }, controller.signal);
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
