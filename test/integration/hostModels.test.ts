// Models other than the standard scripted one: without FIM tokens, a third-party llama-2 file, and separate
// completion and chat models.
import assert from "node:assert/strict";
import { createTestHost, hostConfig, llama2TinyRandomModel } from "../fixtures/hostHarness";
import {
  chatAnswer,
  ensureScriptedModel,
  fimCompletion,
  insecureCompletion,
  prefixOnlyTriggerPrefix,
} from "../fixtures/scriptedModel";

describe("inference host with other models", function () {
  it("completes from the prefix alone, and says so, when the model has no FIM tokens", async function () {
    const { client, logs } = createTestHost(hostConfig(ensureScriptedModel("noFim")));
    try {
      const info = await client.start();
      assert.equal(info.completionModel.fillInTheMiddle, false);
      const result = await client.infill({
        prefix: prefixOnlyTriggerPrefix,
        suffix: "\nprint(add(1, 2))\n",
        maxTokens: 16,
        stop: [],
        temperature: 0,
      });
      assert.equal(result.fallback, "prefixOnly");
      assert.equal(result.text, fimCompletion);
      assert.ok(
        logs.some((entry) => /cannot fill in the middle/.test(entry.message)),
        "the log says FIM is unavailable",
      );
    } finally {
      await client.dispose();
    }
  });

  it("chooses the context size from node-llama-cpp's memory estimate when it is auto, and honours explicit GPU layers", async function () {
    const { client } = createTestHost(
      hostConfig(ensureScriptedModel("standard"), { contextSize: "auto", gpuLayers: 0 }),
    );
    try {
      const info = await client.start();
      const { contextSize, trainContextSize, offloadedLayers } = info.completionModel;
      // This machine has gigabytes free and the fixture's KV cache is tiny: the estimate allows the top of the range.
      assert.equal(contextSize, Math.min(trainContextSize, 32768), `context ${contextSize} of ${trainContextSize}`);
      assert.equal(offloadedLayers, 0, "gpuLayers 0 keeps every layer on the CPU");
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

  it("loads the third-party llama-2 tiny model and generates with it", async function () {
    const { client } = createTestHost(hostConfig(llama2TinyRandomModel));
    try {
      const info = await client.start();
      assert.equal(info.completionModel.architecture, "llama");
      assert.equal(info.completionModel.fillInTheMiddle, false);
      const result = await client.infill({
        prefix: "def add(a, b):\n",
        suffix: "",
        maxTokens: 8,
        stop: [],
        temperature: 0,
      });
      assert.equal(result.fallback, "prefixOnly");
      assert.ok(result.generatedTokens >= 1 && result.generatedTokens <= 8, `${result.generatedTokens} tokens`);
      const chat = await client.chat(
        { systemPrompt: "Be brief.", turns: [{ role: "user", text: "Hello" }], maxTokens: 8, temperature: 0 },
        () => undefined,
      );
      assert.ok(chat.generatedTokens >= 1 && chat.generatedTokens <= 8, `${chat.generatedTokens} chat tokens`);
    } finally {
      await client.dispose();
    }
  });

  it("uses a separate chat model when one is configured", async function () {
    const { client } = createTestHost(
      hostConfig(ensureScriptedModel("insecure"), { chatModelPath: ensureScriptedModel("standard") }),
    );
    try {
      const info = await client.start();
      assert.notEqual(info.completionModel.path, info.chatModel.path);
      const [infill, chat] = await Promise.all([
        client.infill({ prefix: "import subprocess\n", suffix: "", maxTokens: 16, stop: [], temperature: 0 }),
        client.chat(
          { systemPrompt: "Be brief.", turns: [{ role: "user", text: "Hi" }], maxTokens: 100, temperature: 0 },
          () => undefined,
        ),
      ]);
      assert.equal(infill.text, insecureCompletion);
      assert.equal(chat.text, chatAnswer);
    } finally {
      await client.dispose();
    }
  });
});
