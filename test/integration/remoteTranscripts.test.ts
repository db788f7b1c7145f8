// The remote backends against recorded Ollama and vLLM transcripts served from 127.0.0.1 (neither server runs here).
// The transcripts follow Ollama's docs/api.md as of v0.5 and vLLM's OpenAI-compatible server documentation for v0.6;
// test/remote/transcripts/README.md says which section each comes from. Also the transport's failures: refused
// connections, timeouts, aborts mid-stream, rate limits, malformed streams, and https with a custom CA.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HostRequestError } from "../../extension/src/core/protocol/backend";
import type { InfillParams } from "../../extension/src/core/protocol/host";
import {
  type RemoteBackend,
  type RemoteBackendOptions,
  createRemoteBackend,
} from "../../extension/src/node/remote/remoteBackend";
import { ScriptedServer, json, streamInPieces, transcript } from "../remote/scriptedServer";

const ndjson = "application/x-ndjson";
const sse = "text/event-stream";
/** A completion request as the engine sends it: the code around the cursor, and a piece from another file. */
const engineParams: InfillParams = {
  prefix: "def add(a, b):\n    ",
  suffix: "\n\nprint(add(1, 2))\n",
  maxTokens: 16,
  stop: ["\n\n"],
  temperature: 0,
  context: {
    budget: { totalTokens: 1536, suffixShare: 0.25, snippetShare: 0.3 },
    prefixFirstLine: 0,
    languageId: "python",
    path: "app/calc.py",
    pieces: [{ path: "lib/ops.py", text: "def sub(a, b):\n    return a - b\n", reason: "imported sub" }],
    scopes: [],
  },
};
/** What the fit by the character estimate makes of engineParams' prefix: the piece and the path as comments. */
const engineParamsPrefix =
  "# Path: lib/ops.py\ndef sub(a, b):\n    return a - b\n\n# Path: app/calc.py\ndef add(a, b):\n    ";
const chatParams = {
  systemPrompt: "Be brief.",
  turns: [{ role: "user" as const, text: "Why is the sky blue?" }],
  maxTokens: 8,
  temperature: 0,
};

function backendFor(
  server: ScriptedServer,
  options: Partial<RemoteBackendOptions> & Pick<RemoteBackendOptions, "kind" | "model">,
): RemoteBackend {
  return createRemoteBackend({
    baseUrl: server.url,
    fimTemplate: "qwen",
    customFimTemplate: "",
    apiKey: async () => undefined,
    extraCaCertificates: [],
    ...options,
  });
}

function withCode(code: string, message?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof HostRequestError, String(error));
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

describe("remote backends against recorded transcripts", function () {
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

  describe("Ollama (docs/api.md, v0.5)", function () {
    it("fills in the middle through /api/generate with a suffix, streamed as NDJSON", async function () {
      server.respondWith((_request, response) =>
        streamInPieces(response, ndjson, transcript("ollama-generate-suffix.ndjson")),
      );
      backend = backendFor(server, { kind: "ollama", model: "codellama:code" });
      const result = await backend.infill({
        prefix: "def compute_gcd(a, b):",
        suffix: "    return result",
        maxTokens: 64,
        stop: ["\n\n"],
        temperature: 0,
      });
      assert.deepEqual(result, {
        text: "\n  if a == 0: return b",
        stopReason: "eos",
        tokensEvaluated: 17,
        promptTokens: 17,
        generatedTokens: 4,
      });
      assert.deepEqual(server.requests[0], {
        ...server.requests[0],
        method: "POST",
        path: "/api/generate",
        body: {
          model: "codellama:code",
          prompt: "def compute_gcd(a, b):",
          suffix: "    return result",
          stream: true,
          options: { num_predict: 64, temperature: 0, stop: ["\n\n"] },
        },
      });
    });

    it("fits a completion request's pieces by the character estimate into the prompt, and the trace says so", async function () {
      server.respondWith((_request, response) =>
        streamInPieces(response, ndjson, transcript("ollama-generate-suffix.ndjson")),
      );
      backend = backendFor(server, { kind: "ollama", model: "codellama:code" });
      const result = await backend.infill(engineParams);
      assert.match(
        result.promptFit?.at(-1) ?? "",
        /^prompt: \d+ of 1536 tokens, estimated from characters: Ollama's API has no tokenizer endpoint$/,
      );
      assert.ok(
        result.promptFit?.some((line) => /^lib\/ops\.py \(imported sub\): \d+ tokens$/.test(line)),
        JSON.stringify(result.promptFit),
      );
      const body = server.requests[0].body as { prompt: string; suffix: string };
      assert.deepEqual(
        { prompt: body.prompt, suffix: body.suffix },
        { prompt: engineParamsPrefix, suffix: engineParams.suffix },
      );
    });

    it("streams a chat through /api/chat", async function () {
      server.respondWith((_request, response) => streamInPieces(response, ndjson, transcript("ollama-chat.ndjson")));
      backend = backendFor(server, { kind: "ollama", model: "llama3.2" });
      const chunks: string[] = [];
      const result = await backend.chat(chatParams, (text) => chunks.push(text));
      assert.deepEqual(chunks, ["The", " sky is blue", " because of Rayleigh scattering."]);
      assert.deepEqual(result, {
        text: chunks.join(""),
        stopReason: "maxTokens",
        tokensEvaluated: 26,
        promptTokens: 26,
        generatedTokens: 8,
      });
      assert.deepEqual(server.requests[0].body, {
        model: "llama3.2",
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Why is the sky blue?" },
        ],
        stream: true,
        options: { num_predict: 8, temperature: 0 },
      });
    });

    it("probes /api/tags for the model, ':latest' included", async function () {
      server.respondWith((_request, response) => json(response, 200, transcript("ollama-tags.json")));
      backend = backendFor(server, { kind: "ollama", model: "llama3.2" });
      assert.deepEqual(await backend.probe(), { reachable: true, model: "llama3.2:latest" });
      backend.dispose();
      backend = backendFor(server, { kind: "ollama", model: "qwen2.5-coder:7b" });
      const missing = await backend.probe();
      assert.equal(missing.reachable, false);
      if (!missing.reachable) withCode("modelNotFound", /ollama pull qwen2\.5-coder:7b/)(missing.error);
    });

    it("reports a missing model, an error line mid-stream and a broken line, and then serves the next request", async function () {
      backend = backendFor(server, { kind: "ollama", model: "codellama:code" });
      const params = { prefix: "def f():", suffix: "", maxTokens: 8, stop: [], temperature: 0 };
      server.respondWith((_request, response) =>
        json(response, 404, { error: 'model "codellama:code" not found, try pulling it first' }),
      );
      await assert.rejects(backend.infill(params), withCode("modelNotFound", /codellama:code/));
      server.respondWith((_request, response) =>
        streamInPieces(
          response,
          ndjson,
          '{"response":"x","done":false}\n{"error":"an error was encountered while running the model: unexpected EOF"}\n',
        ),
      );
      await assert.rejects(backend.infill(params), withCode("serverError", /unexpected EOF/));
      server.respondWith((_request, response) =>
        streamInPieces(response, ndjson, '{"response":"x","done":false}\n{"response": "y", "done\n'),
      );
      await assert.rejects(backend.infill(params), withCode("malformedResponse", /Ollama at http:\/\/127\.0\.0\.1/));
      server.respondWith((_request, response) => streamInPieces(response, ndjson, '{"response":"x","done":false}\n'));
      await assert.rejects(backend.infill(params), withCode("malformedResponse", /without its final message/));
      server.respondWith((_request, response) =>
        streamInPieces(response, ndjson, transcript("ollama-generate-suffix.ndjson")),
      );
      assert.equal((await backend.infill(params)).text, "\n  if a == 0: return b");
    });
  });

  describe("vLLM through the openai backend (OpenAI-compatible server docs, v0.6)", function () {
    it("fills in the middle through /v1/completions with the qwen template", async function () {
      server.respondWith((_request, response) => streamInPieces(response, sse, transcript("vllm-completions.sse")));
      backend = backendFor(server, {
        kind: "openai",
        model: "Qwen/Qwen2.5-Coder-1.5B",
        baseUrl: `${server.url}/v1`,
        apiKey: async () => "sk-test",
      });
      const result = await backend.infill({
        prefix: "def add(a, b):\n    ",
        suffix: "\n\nprint(add(1, 2))\n",
        maxTokens: 16,
        stop: ["\n\n"],
        temperature: 0.2,
      });
      assert.deepEqual(result, {
        text: "return a + b",
        stopReason: "stop",
        tokensEvaluated: 5,
        promptTokens: 21,
        generatedTokens: 4,
      });
      const [request] = server.requests;
      assert.equal(request.path, "/v1/completions");
      assert.equal(request.headers.authorization, "Bearer sk-test");
      assert.deepEqual(request.body, {
        model: "Qwen/Qwen2.5-Coder-1.5B",
        prompt: "<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))\n<|fim_middle|>",
        max_tokens: 16,
        temperature: 0.2,
        stop: ["\n\n"],
        stream: true,
        stream_options: { include_usage: true },
      });
    });

    it("fits a completion request's pieces by the character estimate into the FIM prompt, and the trace says so", async function () {
      server.respondWith((_request, response) => streamInPieces(response, sse, transcript("vllm-completions.sse")));
      backend = backendFor(server, { kind: "openai", model: "Qwen/Qwen2.5-Coder-1.5B", baseUrl: `${server.url}/v1` });
      const result = await backend.infill(engineParams);
      assert.match(
        result.promptFit?.at(-1) ?? "",
        /^prompt: \d+ of 1536 tokens, estimated from characters: the OpenAI completions API has no tokenizer endpoint$/,
      );
      const body = server.requests[0].body as { prompt: string };
      assert.equal(
        body.prompt,
        `<|fim_prefix|>${engineParamsPrefix}<|fim_suffix|>${engineParams.suffix}<|fim_middle|>`,
      );
    });

    it("streams a chat through /v1/chat/completions", async function () {
      server.respondWith((_request, response) => streamInPieces(response, sse, transcript("vllm-chat.sse")));
      backend = backendFor(server, { kind: "openai", model: "Qwen/Qwen2.5-Coder-1.5B-Instruct" });
      const chunks: string[] = [];
      const result = await backend.chat(chatParams, (text) => chunks.push(text));
      assert.deepEqual(chunks, ["Use", " `sorted()`."]);
      assert.deepEqual(result, {
        text: "Use `sorted()`.",
        stopReason: "eos",
        tokensEvaluated: 30,
        promptTokens: 30,
        generatedTokens: 4,
      });
      assert.equal(server.requests[0].headers.authorization, undefined);
    });

    it("probes /v1/models and names what the server serves when the model is not there", async function () {
      server.respondWith((_request, response) => json(response, 200, transcript("vllm-models.json")));
      backend = backendFor(server, { kind: "openai", model: "Qwen/Qwen2.5-Coder-1.5B" });
      assert.deepEqual(await backend.probe(), { reachable: true, model: "Qwen/Qwen2.5-Coder-1.5B" });
      backend.dispose();
      backend = backendFor(server, { kind: "openai", model: "gpt-4o" });
      const missing = await backend.probe();
      assert.equal(missing.reachable, false);
      if (!missing.reachable) withCode("modelNotFound", /"gpt-4o".*Qwen\/Qwen2\.5-Coder-1\.5B/)(missing.error);
    });

    it("asks for the key per request: 401 without, served with the key entered afterwards", async function () {
      let key: string | undefined;
      server.respondWith((request, response) => {
        if (request.headers.authorization !== "Bearer right")
          json(response, 401, { error: { message: "Invalid API key", type: "authentication_error" } });
        else streamInPieces(response, sse, transcript("vllm-completions.sse"));
      });
      backend = backendFor(server, { kind: "openai", model: "Qwen/Qwen2.5-Coder-1.5B", apiKey: async () => key });
      const params = { prefix: "a", suffix: "b", maxTokens: 4, stop: [], temperature: 0 };
      await assert.rejects(backend.infill(params), withCode("unauthorized", /needs an API key/));
      key = "wrong";
      await assert.rejects(backend.infill(params), withCode("unauthorized", /rejected the API key/));
      key = "right";
      assert.equal((await backend.infill(params)).text, "return a + b");
    });

    it("retries a 429 twice, honouring Retry-After, then gives up with rateLimited", async function () {
      let limited = 2;
      server.respondWith((_request, response) => {
        if (limited-- > 0) json(response, 429, { error: { message: "Rate limit reached" } }, { "retry-after": "0" });
        else streamInPieces(response, sse, transcript("vllm-completions.sse"));
      });
      backend = backendFor(server, { kind: "openai", model: "Qwen/Qwen2.5-Coder-1.5B" });
      const params = { prefix: "a", suffix: "b", maxTokens: 4, stop: [], temperature: 0 };
      assert.equal((await backend.infill(params)).text, "return a + b");
      assert.equal(server.requests.length, 3);
      limited = 3;
      await assert.rejects(backend.infill(params), withCode("rateLimited", /429/));
      assert.equal(server.requests.length, 6);
    });

    it("maps a server error, a context overflow, a non-SSE answer and a bad JSON event, then serves the next request", async function () {
      backend = backendFor(server, { kind: "openai", model: "Qwen/Qwen2.5-Coder-1.5B" });
      const params = { prefix: "a", suffix: "b", maxTokens: 4, stop: [], temperature: 0 };
      server.respondWith((_request, response) =>
        json(response, 500, {
          object: "error",
          message: "CUDA error: out of memory",
          type: "InternalServerError",
          code: 500,
        }),
      );
      await assert.rejects(backend.infill(params), withCode("serverError", /HTTP 500.*out of memory/));
      server.respondWith((_request, response) =>
        json(response, 400, {
          object: "error",
          message: "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens.",
          type: "BadRequestError",
          code: 400,
        }),
      );
      await assert.rejects(backend.infill(params), withCode("contextExceeded"));
      server.respondWith((_request, response) =>
        json(response, 200, { choices: [{ text: "return a + b", finish_reason: "stop" }] }),
      );
      await assert.rejects(backend.infill(params), withCode("malformedResponse", /Server-Sent Events/));
      server.respondWith((_request, response) => streamInPieces(response, sse, 'data: {"choices":[{"text":"x"\n\n'));
      await assert.rejects(backend.infill(params), withCode("malformedResponse", /not JSON/));
      server.respondWith((_request, response) => streamInPieces(response, sse, transcript("vllm-completions.sse")));
      assert.equal((await backend.infill(params)).text, "return a + b");
    });
  });

  describe("transport", function () {
    const params = { prefix: "a", suffix: "b", maxTokens: 4, stop: [], temperature: 0 };

    it("reports a refused connection", async function () {
      const closedUrl = server.url;
      await server.close();
      server = await ScriptedServer.start();
      const refused = createRemoteBackend({
        kind: "llama-server",
        baseUrl: closedUrl,
        model: "",
        fimTemplate: "qwen",
        customFimTemplate: "",
        apiKey: async () => undefined,
        extraCaCertificates: [],
      });
      try {
        await assert.rejects(
          refused.infill(params),
          withCode("connectionRefused", /llama-server at http:\/\/127\.0\.0\.1:\d+ refused the connection/),
        );
      } finally {
        refused.dispose();
      }
    });

    it("sends a request again on a new connection when a kept-alive one turns out closed", async function () {
      let dropNext = false;
      server.respondWith((_request, response) => {
        if (dropNext) {
          dropNext = false;
          response.socket?.destroy();
          return;
        }
        streamInPieces(response, sse, transcript("vllm-completions.sse"));
      });
      backend = backendFor(server, { kind: "openai", model: "m" });
      assert.equal((await backend.infill(params)).text, "return a + b");
      dropNext = true;
      assert.equal((await backend.infill(params)).text, "return a + b");
      assert.equal(server.requests.length, 3);
    });

    it("times out when the server does not start answering", async function () {
      server.respondWith(() => undefined);
      backend = backendFor(server, { kind: "openai", model: "m", firstByteTimeoutMs: 300 });
      await assert.rejects(backend.infill(params), withCode("timeout", /within 300 ms/));
    });

    it("closes the connection on abort mid-stream, and the next request is served", async function () {
      const firstEvent = transcript("vllm-completions.sse").split("\n\n")[0];
      server.respondWith((_request, response) => {
        response.writeHead(200, { "content-type": sse });
        response.write(`${firstEvent}\n\n`);
      });
      backend = backendFor(server, { kind: "openai", model: "m" });
      const controller = new AbortController();
      const started = performance.now();
      const stalled = backend.infill(params, controller.signal);
      setTimeout(() => controller.abort(), 200);
      await assert.rejects(stalled, withCode("cancelled"));
      assert.ok(performance.now() - started < 2000);
      // The server learns that the client went away (llama-server frees the slot on that).
      for (let waited = 0; server.clientClosedEarly === 0 && waited < 2000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(server.clientClosedEarly, 1);
      server.respondWith((_request, response) => streamInPieces(response, sse, transcript("vllm-completions.sse")));
      assert.equal((await backend.infill(params)).text, "return a + b");
    });

    it("trusts an https server only with its CA among the extra certificates", async function () {
      const dir = mkdtempSync(path.join(tmpdir(), "llama-assist-tls-"));
      try {
        execFileSync(
          "openssl",
          [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            path.join(dir, "key.pem"),
            "-out",
            path.join(dir, "cert.pem"),
          ],
          { stdio: "ignore" },
        );
        const cert = readFileSync(path.join(dir, "cert.pem"), "utf8");
        const secure = await ScriptedServer.start({ key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert });
        try {
          secure.respondWith((_request, response) => streamInPieces(response, sse, transcript("vllm-completions.sse")));
          const untrusting = backendFor(secure, { kind: "openai", model: "m" });
          await assert.rejects(untrusting.infill(params), withCode("untrustedCertificate"));
          untrusting.dispose();
          backend = backendFor(secure, { kind: "openai", model: "m", extraCaCertificates: [cert] });
          assert.equal((await backend.infill(params)).text, "return a + b");
        } finally {
          backend?.dispose();
          backend = undefined;
          await secure.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
