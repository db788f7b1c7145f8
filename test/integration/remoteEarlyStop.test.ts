// Early stop against remote servers: a stream the stop policy ends is closed at once, the server sees its client go,
// and the result is the text so far. Ollama and OpenAI-compatible servers are scripted here (neither runs); llama-server
// is the real one with the rambling scripted model.
import assert from "node:assert/strict";
import type http from "node:http";
import { availableParallelism } from "node:os";
import { stopPolicySpec } from "../../extension/src/core/completion/stopPolicy";
import type { RemoteKind } from "../../extension/src/core/protocol/backend";
import type { InfillParams } from "../../extension/src/core/protocol/host";
import { type RemoteBackend, createRemoteBackend } from "../../extension/src/node/remote/remoteBackend";
import { ensureScriptedModel } from "../fixtures/scriptedModel";
import { type RunningLlamaServer, slotBusy, startLlamaServer } from "../remote/llamaServer";
import { ScriptedServer } from "../remote/scriptedServer";

const prefix = "def add(a, b):\n    ";
const suffix = "\n\nprint(add(1, 2))\n";
const params: InfillParams = {
  prefix,
  suffix,
  maxTokens: 288,
  stop: [],
  temperature: 0,
  stopPolicy: stopPolicySpec({
    prefix,
    suffix,
    mode: "multiLine",
    maxLines: 12,
    tabSize: 4,
    checksSyntax: true,
    timeCapMs: 0,
  }),
};
/** What a rambling model streams, one token per event, until its client goes away. */
const rambling = ["return", " a", " +", " b", "\n\n\ndef", " sub", "(x, y):", "\n    return", " x - y"];

/** Streams `event(token)` for the rambling tokens without end, one per event-loop turn, until the client closes. */
function streamForever(response: http.ServerResponse, contentType: string, event: (token: string) => string): void {
  response.writeHead(200, { "content-type": contentType });
  let index = 0;
  const next = (): void => {
    if (response.destroyed) return;
    response.write(event(rambling[index < rambling.length ? index : 4 + ((index - 4) % (rambling.length - 4))]));
    index++;
    setImmediate(next);
  };
  next();
}

/** A backend of `kind` at `url`, with the options no test here varies. */
function backendAt(url: string, kind: RemoteKind, model: string): RemoteBackend {
  return createRemoteBackend({
    kind,
    baseUrl: url,
    model,
    fimTemplate: "qwen",
    customFimTemplate: "",
    apiKey: async () => undefined,
    extraCaCertificates: [],
  });
}

async function closedByClient(server: ScriptedServer): Promise<boolean> {
  for (let waited = 0; server.clientClosedEarly === 0 && waited < 2000; waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return server.clientClosedEarly === 1;
}

describe("early stop against remote servers", function () {
  describe("scripted servers", function () {
    let server: ScriptedServer;
    let backend: RemoteBackend | undefined;
    beforeEach(async function () {
      server = await ScriptedServer.start();
    });
    afterEach(async function () {
      backend?.dispose();
      backend = undefined;
      await server.close();
    });

    it("openai: closes the stream at the next function's first token", async function () {
      server.respondWith((_request, response) =>
        streamForever(
          response,
          "text/event-stream",
          (token) => `data: ${JSON.stringify({ choices: [{ index: 0, text: token, finish_reason: null }] })}\n\n`,
        ),
      );
      backend = backendAt(server.url, "openai", "m");
      const result = await backend.infill(params);
      assert.deepEqual(result, {
        text: "return a + b\n\n\ndef",
        stopReason: "complete",
        tokensEvaluated: 0,
        promptTokens: 0,
        generatedTokens: 5,
      });
      assert.ok(await closedByClient(server));
    });

    it("ollama: closes the stream at the next function's first token", async function () {
      server.respondWith((_request, response) =>
        streamForever(
          response,
          "application/x-ndjson",
          (token) => `${JSON.stringify({ model: "m", response: token, done: false })}\n`,
        ),
      );
      backend = backendAt(server.url, "ollama", "m");
      const result = await backend.infill(params);
      assert.equal(result.text, "return a + b\n\n\ndef");
      assert.equal(result.stopReason, "complete");
      assert.ok(await closedByClient(server));
    });

    it("a caller's abort still cancels the request", async function () {
      server.respondWith((_request, response) => {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: "return", finish_reason: null }] })}\n\n`);
      });
      backend = backendAt(server.url, "openai", "m");
      const controller = new AbortController();
      const pending = backend.infill(params, controller.signal);
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(
        pending,
        (error: unknown) => error instanceof Error && "code" in error && error.code === "cancelled",
      );
    });
  });

  describe("llama-server", function () {
    let server: RunningLlamaServer;
    let backend: RemoteBackend | undefined;
    before(async function () {
      server = await startLlamaServer({
        modelPath: ensureScriptedModel("rambling"),
        threads: Math.min(2, availableParallelism()),
        contextSize: 2048,
      });
    });
    after(async function () {
      backend?.dispose();
      await server?.stop();
    });

    it("stops the rambling model at the next function's first token and frees the slot", async function () {
      backend = backendAt(server.url, "llama-server", "");
      const result = await backend.infill(params);
      assert.equal(result.stopReason, "complete");
      assert.equal(result.text, "return a + b\n\n\ndef");
      assert.equal(result.generatedTokens, 5);
      // The counts come from the streamed pieces, as the final message never does.
      assert.ok(result.promptTokens > 0, `prompt tokens ${result.promptTokens}`);
      assert.ok(result.tokensEvaluated > 0, `tokens evaluated ${result.tokensEvaluated}`);
      assert.ok(result.timings !== undefined && result.timings.promptMs > 0, "the prompt's timings");
      let busy = true;
      for (let waited = 0; busy && waited < 3000; waited += 25) {
        busy = await slotBusy(server.url);
        if (busy) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      assert.equal(busy, false, "the server went on generating for a client that had gone");
    });
  });
});
