// Bad model files and settings: each gets a specific error code, the client does not retry in a loop, and a
// restart with a good configuration brings the host back.
import assert from "node:assert/strict";
import path from "node:path";
import type { HostErrorCode } from "../../extension/src/core/protocol/host";
import { HostRequestError } from "../../extension/src/node/host/hostClient";
import type { HostState } from "../../extension/src/core/protocol/host";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import {
  ensureNotGgufFile,
  ensureScriptedModel,
  ensureTruncatedModel,
  fimCompletion,
  modelCacheDir,
} from "../fixtures/scriptedModel";

async function expectLoadFailure(
  modelPath: string,
  code: HostErrorCode,
  messagePattern: RegExp,
  contextSize = 2048,
): Promise<void> {
  const { client } = createTestHost(hostConfig(modelPath, { contextSize }));
  const phases: HostState["phase"][] = [];
  client.onDidChangeState((state) => phases.push(state.phase));
  try {
    await assert.rejects(client.start(), (error: unknown) => {
      assert.ok(error instanceof HostRequestError);
      assert.equal(error.code, code);
      assert.match(error.message, messagePattern);
      return true;
    });
    const state = client.state;
    assert.equal(state.phase, "error");
    assert.equal(state.error.code, code);
    assert.equal(state.restartInMs, undefined, "a load failure is not retried");
    // A request neither restarts the host nor hangs: it gets the same error.
    await assert.rejects(client.info(), (error: unknown) => error instanceof HostRequestError && error.code === code);
    assert.equal(phases.filter((phase) => phase === "starting").length, 1, `one start only: ${phases.join(", ")}`);
  } finally {
    await client.dispose();
  }
}

describe("inference host with bad models and settings", function () {
  it("names a missing model file", async function () {
    await expectLoadFailure(path.join(modelCacheDir, "does-not-exist.gguf"), "modelNotFound", /not found/);
  });

  it("names a file that is not GGUF", async function () {
    await expectLoadFailure(ensureNotGgufFile(), "notGguf", /Not a GGUF/);
  });

  it("names a truncated GGUF file", async function () {
    await expectLoadFailure(ensureTruncatedModel(), "corruptModel", /truncated|damaged/);
  });

  it("names an architecture llama.cpp does not know", async function () {
    await expectLoadFailure(
      ensureScriptedModel("unknownArchitecture"),
      "unsupportedArchitecture",
      /llamaassistunknown/,
    );
  });

  it("names a context too large for the memory, suggesting a smaller one", async function () {
    // 8M tokens of KV cache (64 GiB for two sequences): node-llama-cpp's memory estimate refuses it before
    // llama.cpp allocates anything. The estimate takes seconds, growing with the context size.
    await expectLoadFailure(ensureScriptedModel("heavy"), "outOfMemory", /smaller context size/, 8_000_000);
  });

  it("comes back after restart() with a good model", async function () {
    const { client } = createTestHost(hostConfig(ensureNotGgufFile()));
    try {
      await assert.rejects(client.start());
      await client.restart(hostConfig(ensureScriptedModel("standard")));
      assert.equal(client.state.phase, "ready");
      const result = await client.infill({
        prefix: "def add(a, b):\n",
        suffix: "",
        maxTokens: 16,
        stop: [],
        temperature: 0,
      });
      assert.equal(result.text, fimCompletion);
    } finally {
      await client.dispose();
    }
  });

  it("falls back from a GPU backend that does not exist here, says why, and serves completions", async function () {
    // Metal exists only on macOS.
    if (process.platform === "darwin") this.skip();
    const { client, logs } = createTestHost(hostConfig(ensureScriptedModel("standard"), { gpu: "metal" }));
    try {
      const info = await client.start();
      assert.notEqual(info.gpu.type, "metal");
      assert.equal(info.gpu.fallback?.requested, "metal");
      assert.match(info.gpu.fallback?.reason ?? "", /"metal" backend does not exist on/);
      assert.ok(
        logs.some((entry) => entry.level === "warn" && /"metal" backend/.test(entry.message)),
        "the log says why",
      );
      const result = await client.infill({
        prefix: "def add(a, b):\n",
        suffix: "",
        maxTokens: 16,
        stop: [],
        temperature: 0,
      });
      assert.equal(result.text, fimCompletion);
    } finally {
      await client.dispose();
    }
  });

  it("falls back from a GPU backend whose binaries cannot load, says why, and serves completions", async function () {
    const { client } = createTestHost(hostConfig(ensureScriptedModel("standard"), { gpu: "vulkan" }));
    try {
      const info = await client.start();
      // On a machine with a working Vulkan driver there is nothing to fall back from.
      if (info.gpu.type === "vulkan") this.skip();
      assert.equal(info.gpu.fallback?.requested, "vulkan");
      assert.match(
        info.gpu.fallback?.reason ?? "",
        /"vulkan" backend cannot be used on this machine: its llama.cpp binaries are missing or do not load/,
      );
      const result = await client.infill({
        prefix: "def add(a, b):\n",
        suffix: "",
        maxTokens: 16,
        stop: [],
        temperature: 0,
      });
      assert.equal(result.text, fimCompletion);
    } finally {
      await client.dispose();
    }
  });
});
