// A model change that does not load leaves the previous model in use: the real host, real GGUF files. The previous
// models are variants whose scripted answers differ from the new one's, so an answer shows which model gave it.
import assert from "node:assert/strict";
import path from "node:path";
import type { HostErrorCode, HostState } from "../../extension/src/core/protocol/host";
import { HostRequestError } from "../../extension/src/node/host/hostClient";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureNotGgufFile, ensureScriptedModel, fimCompletion, insecureCompletion } from "../fixtures/scriptedModel";

const infillParams = { prefix: "import subprocess\n", suffix: "", maxTokens: 16, stop: [], temperature: 0 };

function expectFailedChange(code: HostErrorCode, messagePattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof HostRequestError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, messagePattern);
    return true;
  };
}

describe("inference host: a model change that does not load", function () {
  it("keeps the previous model when the new one has an architecture llama.cpp does not support", async function () {
    const previous = ensureScriptedModel("insecure");
    const unsupported = ensureScriptedModel("unknownArchitecture");
    const { client } = createTestHost(hostConfig(previous));
    try {
      await client.start();
      assert.equal((await client.infill(infillParams)).text, insecureCompletion);

      await assert.rejects(
        client.restart(hostConfig(unsupported)),
        expectFailedChange(
          "unsupportedArchitecture",
          new RegExp(
            `"llamaassistunknown" of ${escape(unsupported)} is not supported.*Choose a model of another architecture.*The previous model stays in use: ${escape(path.basename(previous))}\\.$`,
            "s",
          ),
        ),
      );
      const state = client.state;
      assert.equal(state.phase, "ready");
      assert.equal(state.phase === "ready" && state.info.completionModel.path, previous);
      assert.equal(state.phase === "ready" && state.failedChange?.code, "unsupportedArchitecture");
      assert.equal((await client.infill(infillParams)).text, insecureCompletion, "the previous model answers");
    } finally {
      await client.dispose();
    }
  });

  it("keeps the previous context size when the new one does not fit in memory", async function () {
    // The heavy variant at 8M tokens needs 64 GiB of KV cache: node-llama-cpp's estimate refuses it (see hostErrors).
    const model = ensureScriptedModel("heavy");
    const { client } = createTestHost(hostConfig(model));
    try {
      await client.start();
      await assert.rejects(
        client.restart(hostConfig(model, { contextSize: 8_000_000 })),
        expectFailedChange(
          "outOfMemory",
          new RegExp(
            `Not enough memory for ${escape(model)} with a context of 8000000 tokens.*smaller context size`,
            "s",
          ),
        ),
      );
      const state = client.state;
      assert.equal(state.phase === "ready" && state.info.completionModel.contextSize, 2048);
      assert.equal(
        (await client.infill({ ...infillParams, prefix: "def add(a, b):\n" })).text,
        fimCompletion,
        "the previous context answers",
      );
    } finally {
      await client.dispose();
    }
  });

  it("keeps the previous model when the host crashes every time it loads the new one", async function () {
    const previous = ensureScriptedModel("insecure");
    const crashing = ensureScriptedModel("standard");
    const { client } = createTestHost(hostConfig(previous));
    try {
      await client.start();
      // Every host started for the new model is killed as soon as it exists, as a crash in llama.cpp's load would
      // end it; the one started for the previous model after the third crash is left alone.
      let kills = 0;
      client.onDidChangeState((state) => {
        if (state.phase !== "starting" || kills >= 3) return;
        kills++;
        setImmediate(() => {
          if (client.pid !== undefined) process.kill(client.pid, "SIGKILL");
        });
      });
      await assert.rejects(
        client.restart(hostConfig(crashing)),
        expectFailedChange(
          "hostCrashed",
          new RegExp(
            `killed \\(SIGKILL\\) 3 times while loading ${escape(crashing)}\\. The previous model stays in use: ${escape(path.basename(previous))}\\.$`,
          ),
        ),
      );
      assert.equal(kills, 3);
      const state = client.state;
      assert.equal(state.phase === "ready" && state.info.completionModel.path, previous);
      assert.equal((await client.infill(infillParams)).text, insecureCompletion, "the previous model answers");
    } finally {
      await client.dispose();
    }
  });

  it("takes the next good change, and forgets the failed one", async function () {
    const { client } = createTestHost(hostConfig(ensureScriptedModel("insecure")));
    const phases: HostState["phase"][] = [];
    client.onDidChangeState((state) => phases.push(state.phase));
    try {
      await client.start();
      await assert.rejects(
        client.restart(hostConfig(ensureNotGgufFile())),
        expectFailedChange("notGguf", /Not a GGUF/),
      );
      await client.restart(hostConfig(ensureScriptedModel("standard")));
      const state = client.state;
      assert.equal(state.phase === "ready" && state.failedChange, undefined);
      assert.equal((await client.infill({ ...infillParams, prefix: "def add(a, b):\n" })).text, fimCompletion);
      assert.equal(
        phases.filter((phase) => phase === "error").length,
        0,
        `the host never stood in an error: ${phases.join(", ")}`,
      );
    } finally {
      await client.dispose();
    }
  });

  it("reports an error, not a loop, when no model ever loaded", async function () {
    const { client } = createTestHost(hostConfig(ensureNotGgufFile()));
    try {
      await assert.rejects(client.start(), expectFailedChange("notGguf", /Not a GGUF/));
      await assert.rejects(
        client.restart(hostConfig(ensureScriptedModel("unknownArchitecture"))),
        expectFailedChange("unsupportedArchitecture", /llamaassistunknown/),
      );
      assert.equal(client.state.phase, "error");
    } finally {
      await client.dispose();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
