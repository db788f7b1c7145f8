import assert from "node:assert/strict";
import {
  type EmbedParams,
  type FromHost,
  type ToHost,
  checkFromHost,
  checkToHost,
  isChatParams,
  isFromHost,
  isHostConfig,
  isInfillParams,
  isToHost,
  requestMessage,
  resultOf,
} from "../../../extension/src/core/protocol/host";
import { generationResult, hostInfo } from "./hostFakes";

describe("host protocol guards", function () {
  it("accept each message kind of their direction only", function () {
    assert.ok(isToHost({ kind: "init", config: {} }));
    assert.ok(isToHost({ kind: "cancel", id: 1 }));
    assert.ok(!isToHost({ kind: "ready", info: {} }));
    assert.ok(isFromHost({ kind: "ready", info: {} }));
    assert.ok(isFromHost({ kind: "chunk", id: 1, text: "x" }));
    assert.ok(!isFromHost({ kind: "infill", id: 1 }));
  });

  it("reject non-objects and missing kinds", function () {
    for (const value of [null, undefined, 1, "init", [], {}, { kind: 3 }]) {
      assert.ok(!isToHost(value));
      assert.ok(!isFromHost(value));
    }
  });

  const infill = { prefix: "a", suffix: "", maxTokens: 8, stop: ["\n\n"], temperature: 0 };
  it("check infill parameters", function () {
    assert.ok(isInfillParams(infill));
    assert.ok(!isInfillParams({ ...infill, maxTokens: 0 }));
    assert.ok(!isInfillParams({ ...infill, maxTokens: 1.5 }));
    assert.ok(!isInfillParams({ ...infill, stop: [1] }));
    assert.ok(!isInfillParams({ ...infill, temperature: -1 }));
    assert.ok(!isInfillParams({ ...infill, prefix: undefined }));
    const context = {
      budget: { totalTokens: 1536, suffixShare: 0.25, snippetShare: 0.3 },
      prefixFirstLine: 0,
      languageId: "python",
      path: "a.py",
      pieces: [{ path: "b.py", text: "b", reason: "import" }],
      scopes: [{ line: 0, text: "def f():" }],
    };
    assert.ok(isInfillParams({ ...infill, context }));
    assert.ok(!isInfillParams({ ...infill, context: { ...context, budget: { ...context.budget, suffixShare: 2 } } }));
    assert.ok(!isInfillParams({ ...infill, context: { ...context, pieces: [{ path: "b.py", text: "b" }] } }));
    assert.ok(!isInfillParams({ ...infill, context: { ...context, languageId: undefined } }));
    assert.ok(!isInfillParams({ ...infill, context: { ...context, scopes: [{ line: -1, text: "def f():" }] } }));
  });

  const chat = { systemPrompt: "s", turns: [{ role: "user", text: "hi" }], maxTokens: 8, temperature: 0.2 };
  it("check chat parameters: the last turn must be the user's", function () {
    assert.ok(isChatParams(chat));
    assert.ok(
      isChatParams({
        ...chat,
        turns: [
          { role: "user", text: "a" },
          { role: "assistant", text: "b" },
          { role: "user", text: "c" },
        ],
      }),
    );
    assert.ok(!isChatParams({ ...chat, turns: [] }));
    assert.ok(
      !isChatParams({
        ...chat,
        turns: [
          { role: "user", text: "a" },
          { role: "assistant", text: "b" },
        ],
      }),
    );
    assert.ok(!isChatParams({ ...chat, turns: [{ role: "system", text: "a" }] }));
    assert.ok(!isChatParams({ ...chat, systemPrompt: 1 }));
  });

  const config = {
    completionModelPath: "/m.gguf",
    chatModelPath: "",
    gpu: "auto",
    contextSize: 4096,
    gpuLayers: "auto",
    threads: 0,
    logLevel: "info",
  };
  it("check the host configuration", function () {
    assert.ok(isHostConfig(config));
    assert.ok(!isHostConfig({ ...config, completionModelPath: "" }));
    assert.ok(!isHostConfig({ ...config, gpu: "rocm" }));
    assert.ok(!isHostConfig({ ...config, contextSize: 0 }));
    assert.ok(isHostConfig({ ...config, contextSize: "auto", gpuLayers: 12 }));
    assert.ok(!isHostConfig({ ...config, contextSize: "big" }));
    assert.ok(!isHostConfig({ ...config, gpuLayers: -1 }));
    assert.ok(!isHostConfig({ ...config, threads: -1 }));
    assert.ok(!isHostConfig({ ...config, logLevel: "verbose" }));
  });
});

describe("host protocol checks", function () {
  const info = hostInfo();
  const result = generationResult("x");

  it("accept every well-formed message from the host", function () {
    const messages: FromHost[] = [
      { kind: "loading", progress: 0.5, modelPath: "/m.gguf" },
      { kind: "ready", info },
      {
        kind: "ready",
        info: { ...info, gpu: { ...info.gpu, fallback: { requested: "vulkan", reason: "no driver" } } },
      },
      { kind: "loadFailed", error: { code: "notGguf", message: "Not a GGUF file." } },
      { kind: "chunk", id: 1, text: "a" },
      { kind: "result", id: 1, result },
      {
        kind: "result",
        id: 1,
        result: {
          ...result,
          fallback: "prefixOnly",
          promptFit: ["prefix 10"],
          timings: { promptMs: 1, generationMs: 2 },
        },
      },
      ...(["eos", "maxTokens", "stop", "abort", "complete", "timeLimit"] as const).map((stopReason): FromHost => ({
        kind: "result",
        id: 1,
        result: { ...result, stopReason },
      })),
      { kind: "info", id: 2, info },
      { kind: "info", id: 2, info: { ...info, embeddingModel: info.chatModel } },
      {
        kind: "info",
        id: 2,
        info: {
          ...info,
          embeddingFailure: { code: "unsupportedArchitecture", message: "The embedding model did not load." },
        },
      },
      {
        kind: "embedded",
        id: 4,
        result: {
          vectors: [
            [0.5, -0.25],
            [1, 0],
          ],
          truncated: 1,
        },
      },
      {
        kind: "hardware",
        id: 1,
        report: { gpu: info.gpu, vramFreeBytes: 0, availableGpuTypes: ["vulkan"], cpuMathCores: 4 },
      },
      { kind: "error", id: 3, error: { code: "cancelled", message: "The request was cancelled." } },
      { kind: "log", level: "warn", message: "careful" },
    ];
    for (const message of messages) assert.deepEqual(checkFromHost(message), { ok: true, message }, message.kind);
  });

  it("refuse a malformed message from the host, keeping the kind and id it had", function () {
    assert.deepEqual(checkFromHost({ kind: "ready", info: {} }), { ok: false, kind: "ready", id: undefined });
    assert.deepEqual(checkFromHost({ kind: "result", id: 4, result: { ...result, stopReason: "tired" } }), {
      ok: false,
      kind: "result",
      id: 4,
    });
    assert.deepEqual(checkFromHost({ kind: "error", id: 5, error: { code: "oops", message: "?" } }), {
      ok: false,
      kind: "error",
      id: 5,
    });
    assert.deepEqual(checkFromHost({ kind: "chunk", id: -1, text: "a" }), { ok: false, kind: "chunk", id: undefined });
    assert.deepEqual(
      checkFromHost({ kind: "info", id: 2, info: { ...info, chatModel: { ...info.chatModel, layers: "2" } } }),
      { ok: false, kind: "info", id: 2 },
    );
    assert.deepEqual(checkFromHost({ kind: "log", level: "verbose", message: "m" }), {
      ok: false,
      kind: "log",
      id: undefined,
    });
    assert.deepEqual(checkFromHost({ kind: "embedded", id: 6, result: { vectors: [["1"]], truncated: 0 } }), {
      ok: false,
      kind: "embedded",
      id: 6,
    });
    assert.deepEqual(checkFromHost({ kind: "infill", id: 1 }), { ok: false, kind: undefined, id: 1 });
    assert.deepEqual(checkFromHost("ready"), { ok: false, kind: undefined, id: undefined });
  });

  const config = {
    completionModelPath: "/m.gguf",
    chatModelPath: "",
    gpu: "auto",
    contextSize: 4096,
    gpuLayers: "auto",
    threads: 0,
    logLevel: "info",
  } as const;
  const infill = { prefix: "a", suffix: "", maxTokens: 8, stop: [], temperature: 0 };
  const chat = { systemPrompt: "s", turns: [{ role: "user", text: "hi" }], maxTokens: 8, temperature: 0.2 } as const;

  it("accept every well-formed message to the host", function () {
    const messages: ToHost[] = [
      { kind: "init", config },
      { kind: "init", config: { ...config, guardModelPath: "/g.gguf", embeddingModelPath: "/e.gguf" } },
      { kind: "infill", id: 1, params: infill },
      { kind: "embed", id: 4, params: { purpose: "document", texts: ["function a() {}", "class B {}"] } },
      { kind: "embed", id: 5, params: { purpose: "query", texts: ["where is the token checked?"] } },
      { kind: "chat", id: 2, params: { ...chat, turns: [...chat.turns] } },
      { kind: "info", id: 3 },
      { kind: "cancel", id: 1 },
      { kind: "shutdown" },
      { kind: "hardware", id: 1, gpu: "cuda" },
    ];
    for (const message of messages) assert.deepEqual(checkToHost(message), { ok: true, message }, message.kind);
  });

  it("refuse a malformed message to the host, keeping the kind and id it had", function () {
    assert.deepEqual(checkToHost({ kind: "init", config: {} }), { ok: false, kind: "init", id: undefined });
    assert.deepEqual(
      checkToHost({ kind: "chat", id: 7, params: { ...chat, turns: [{ role: "assistant", text: "last" }] } }),
      { ok: false, kind: "chat", id: 7 },
    );
    assert.deepEqual(checkToHost({ kind: "infill", id: 8, params: { ...infill, maxTokens: 0 } }), {
      ok: false,
      kind: "infill",
      id: 8,
    });
    assert.deepEqual(checkToHost({ kind: "infill", params: infill }), { ok: false, kind: "infill", id: undefined });
    assert.deepEqual(checkToHost({ kind: "hardware", id: 1, gpu: "rocm" }), { ok: false, kind: "hardware", id: 1 });
    assert.deepEqual(checkToHost({ kind: "embed", id: 9, params: { purpose: "query", texts: [] } }), {
      ok: false,
      kind: "embed",
      id: 9,
    });
    assert.deepEqual(checkToHost({ kind: "embed", id: 10, params: { purpose: "passage", texts: ["a"] } }), {
      ok: false,
      kind: "embed",
      id: 10,
    });
    assert.deepEqual(checkToHost({ kind: "init", config: { ...config, embeddingModelPath: 3 } }), {
      ok: false,
      kind: "init",
      id: undefined,
    });
    assert.deepEqual(checkToHost({ kind: "cancel", id: "1" }), { ok: false, kind: "cancel", id: undefined });
    assert.deepEqual(checkToHost({ kind: "ready", info }), { ok: false, kind: undefined, id: undefined });
  });

  it("build each request's message and read its result only from the reply its kind gets", function () {
    assert.deepEqual(requestMessage("infill", 1, infill), { kind: "infill", id: 1, params: infill });
    assert.deepEqual(requestMessage("info", 2, undefined), { kind: "info", id: 2 });
    assert.deepEqual(resultOf("chat", { kind: "result", id: 1, result }), result);
    assert.equal(resultOf("chat", { kind: "info", id: 1, info }), undefined);
    assert.deepEqual(resultOf("info", { kind: "info", id: 1, info }), info);
    assert.equal(resultOf("info", { kind: "result", id: 1, result }), undefined);
    assert.equal(resultOf("infill", { kind: "error", id: 1, error: { code: "internal", message: "?" } }), undefined);
    const embedding = { vectors: [[1, 2]], truncated: 0 };
    const embed: EmbedParams = { purpose: "query", texts: ["q"] };
    assert.deepEqual(requestMessage("embed", 3, embed), { kind: "embed", id: 3, params: embed });
    assert.deepEqual(resultOf("embed", { kind: "embedded", id: 3, result: embedding }), embedding);
    assert.equal(resultOf("embed", { kind: "result", id: 3, result }), undefined);
    assert.equal(resultOf("chat", { kind: "embedded", id: 3, result: embedding }), undefined);
  });
});
