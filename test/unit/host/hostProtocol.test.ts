import assert from "node:assert/strict";
import { isChatParams, isFromHost, isHostConfig, isInfillParams, isToHost } from "../../../extension/src/core/protocol/host";

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
    const context = { budget: { totalTokens: 1536, suffixShare: 0.25, snippetShare: 0.3 }, prefixFirstLine: 0, languageId: "python", path: "a.py", pieces: [{ path: "b.py", text: "b", reason: "import" }], scopes: [{ line: 0, text: "def f():" }] };
    assert.ok(isInfillParams({ ...infill, context }));
    assert.ok(!isInfillParams({ ...infill, context: { ...context, budget: { ...context.budget, suffixShare: 2 } } }));
    assert.ok(!isInfillParams({ ...infill, context: { ...context, pieces: [{ path: "b.py", text: "b" }] } }));
    assert.ok(!isInfillParams({ ...infill, context: { ...context, languageId: undefined } }));
    assert.ok(!isInfillParams({ ...infill, context: { ...context, scopes: [{ line: -1, text: "def f():" }] } }));
  });

  const chat = { systemPrompt: "s", turns: [{ role: "user", text: "hi" }], maxTokens: 8, temperature: 0.2 };
  it("check chat parameters: the last turn must be the user's", function () {
    assert.ok(isChatParams(chat));
    assert.ok(isChatParams({ ...chat, turns: [{ role: "user", text: "a" }, { role: "assistant", text: "b" }, { role: "user", text: "c" }] }));
    assert.ok(!isChatParams({ ...chat, turns: [] }));
    assert.ok(!isChatParams({ ...chat, turns: [{ role: "user", text: "a" }, { role: "assistant", text: "b" }] }));
    assert.ok(!isChatParams({ ...chat, turns: [{ role: "system", text: "a" }] }));
    assert.ok(!isChatParams({ ...chat, systemPrompt: 1 }));
  });

  const config = { completionModelPath: "/m.gguf", chatModelPath: "", gpu: "auto", contextSize: 4096, gpuLayers: "auto", threads: 0, logLevel: "info" };
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
