// The real inference host with the scripted fixture model: exact infill and chat output, streaming, KV-cache reuse,
// request-level errors, and a log that never carries user code.
import assert from "node:assert/strict";
import { HostRequestError } from "../../extension/src/node/host/hostClient";
import type { InfillParams } from "../../extension/src/core/protocol/host";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { chatAnswer, ensureScriptedModel, fimCompletion } from "../fixtures/scriptedModel";

const contextSize = 2048;

function infillParams(prefix: string, suffix: string, overrides: Partial<InfillParams> = {}): InfillParams {
  return { prefix, suffix, maxTokens: 32, stop: [], temperature: 0, ...overrides };
}

/** Distinct lines of code, a few thousand characters: a realistic file around the cursor. */
function codeLines(count: number, tag: string): string {
  return Array.from({ length: count }, (_, i) => `    total_${tag}_${i} = compute(values[${i}], index + ${i})\n`).join(
    "",
  );
}

async function rejection(promise: Promise<unknown>): Promise<HostRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HostRequestError, `expected a HostRequestError, got ${String(error)}`);
    return error;
  }
  assert.fail("the request should have failed");
}

describe("inference host with the scripted model", function () {
  let host: TestHost;

  before(async function () {
    host = createTestHost(hostConfig(ensureScriptedModel("standard"), { contextSize }));
    await host.client.start();
  });

  after(async function () {
    await host?.client.dispose();
  });

  it("reports the model, its FIM support and its chat wrapper", async function () {
    const info = await host.client.info();
    assert.equal(info.gpu.type, "cpu");
    assert.ok(info.threads >= 1);
    assert.equal(info.completionModel.architecture, "llama");
    assert.equal(info.completionModel.fillInTheMiddle, true);
    assert.equal(info.completionModel.chatWrapper, "ChatML");
    assert.equal(info.completionModel.contextSize, contextSize);
    assert.equal(info.completionModel.trainContextSize, 4096);
    // llama.cpp counts the output layer too: 2 blocks + 1.
    assert.equal(info.completionModel.layers, 3);
    assert.match(info.completionModel.name, /scripted test model/);
    assert.deepEqual(info.chatModel, info.completionModel);
    assert.equal(host.client.state.phase, "ready");
  });

  it("fills in the middle with the model's own FIM tokens", async function () {
    const result = await host.client.infill(infillParams("def add(a, b):\n", "\n\nprint(add(1, 2))\n"));
    assert.equal(result.text, fimCompletion);
    assert.equal(result.stopReason, "eos");
    assert.equal(result.fallback, undefined);
    assert.equal(result.generatedTokens, 4);
  });

  it("cuts the answer at a stop string and says so", async function () {
    const result = await host.client.infill(infillParams("x = 1\n", "", { stop: [" +"] }));
    assert.equal(result.text, "return a");
    assert.equal(result.stopReason, "stop");
  });

  it("stops at maxTokens", async function () {
    const result = await host.client.infill(infillParams("x = 1\n", "", { maxTokens: 2 }));
    assert.equal(result.text, "return a");
    assert.equal(result.stopReason, "maxTokens");
    assert.equal(result.generatedTokens, 2);
  });

  it("re-evaluates only the tokens around the cursor after a one-character edit", async function () {
    const prefix = `def process(values, index):\n${codeLines(60, "before")}    result = `;
    const suffix = `\n${codeLines(20, "after")}    return result\n`;
    const cold = await host.client.infill(infillParams(prefix, suffix));
    assert.equal(cold.text, fimCompletion);
    assert.ok(cold.promptTokens > 1000, `a long prompt (${cold.promptTokens} tokens)`);

    const edited = await host.client.infill(infillParams(prefix + "x", suffix));
    assert.equal(edited.text, fimCompletion);
    assert.ok(edited.promptTokens >= cold.promptTokens);
    assert.ok(
      edited.tokensEvaluated <= 5,
      `one typed character re-evaluated ${edited.tokensEvaluated} of ${edited.promptTokens} tokens`,
    );
  });

  it("streams the chat answer in several chunks and returns the same text", async function () {
    const chunks: string[] = [];
    const result = await host.client.chat(
      {
        systemPrompt: "You are a careful coding assistant.",
        turns: [{ role: "user", text: "Write a greeting function." }],
        maxTokens: 100,
        temperature: 0,
      },
      (chunk) => chunks.push(chunk),
    );
    assert.equal(result.text, chatAnswer);
    assert.equal(chunks.join(""), chatAnswer);
    assert.ok(chunks.length >= 5, `${chunks.length} chunks`);
    assert.equal(result.stopReason, "eos");
    assert.equal(result.generatedTokens, 12);
  });

  it("rebuilds a multi-turn conversation and reuses the cached start of it", async function () {
    const systemPrompt = "You are a careful coding assistant.";
    const first = await host.client.chat(
      { systemPrompt, turns: [{ role: "user", text: "Write a greeting function." }], maxTokens: 100, temperature: 0 },
      () => undefined,
    );
    const second = await host.client.chat(
      {
        systemPrompt,
        turns: [
          { role: "user", text: "Write a greeting function." },
          { role: "assistant", text: first.text },
          { role: "user", text: "Again, please." },
        ],
        maxTokens: 100,
        temperature: 0,
      },
      () => undefined,
    );
    assert.equal(second.text, chatAnswer);
    assert.ok(second.promptTokens > first.promptTokens);
    assert.ok(
      second.tokensEvaluated < second.promptTokens - first.promptTokens / 2,
      `${second.tokensEvaluated} of ${second.promptTokens} evaluated`,
    );
  });

  it("serves chat and infill at the same time on separate sequences", async function () {
    const [chat, infill] = await Promise.all([
      host.client.chat(
        { systemPrompt: "Be brief.", turns: [{ role: "user", text: "Hi" }], maxTokens: 100, temperature: 0 },
        () => undefined,
      ),
      host.client.infill(infillParams("def f():\n", "\n")),
    ]);
    assert.equal(chat.text, chatAnswer);
    assert.equal(infill.text, fimCompletion);
  });

  it("cancels an older infill when a newer one arrives", async function () {
    const older = host.client.infill(infillParams(`def g():\n${codeLines(40, "old")}`, ""));
    const newer = host.client.infill(infillParams("def h():\n", ""));
    const [olderOutcome, newerOutcome] = await Promise.allSettled([older, newer]);
    assert.equal(newerOutcome.status, "fulfilled");
    assert.equal(newerOutcome.value.text, fimCompletion);
    assert.equal(olderOutcome.status, "rejected");
    assert.ok(olderOutcome.reason instanceof HostRequestError);
    assert.equal(olderOutcome.reason.code, "cancelled");
  });

  it("refuses a chat that does not fit the context, and stays usable", async function () {
    const error = await rejection(
      host.client.chat(
        { systemPrompt: "", turns: [{ role: "user", text: codeLines(200, "huge") }], maxTokens: 10, temperature: 0 },
        () => undefined,
      ),
    );
    assert.equal(error.code, "contextExceeded");
    assert.match(error.message, /context/);
    const after = await host.client.infill(infillParams("def k():\n", ""));
    assert.equal(after.text, fimCompletion);
  });

  it("refuses an infill whose maxTokens leaves no room for a prompt", async function () {
    const error = await rejection(host.client.infill(infillParams("a = 1\n", "", { maxTokens: contextSize })));
    assert.equal(error.code, "contextExceeded");
  });

  it("cuts an over-long infill prompt to fit instead of failing", async function () {
    const result = await host.client.infill(
      infillParams(codeLines(300, "long"), codeLines(100, "tail"), { maxTokens: 64 }),
    );
    assert.equal(result.text, fimCompletion);
    assert.ok(result.promptTokens <= contextSize - 64);
  });

  it("answers malformed parameters with badRequest", async function () {
    const error = await rejection(
      host.client.chat(
        { systemPrompt: "", turns: [{ role: "assistant", text: "I spoke last" }], maxTokens: 10, temperature: 0 },
        () => undefined,
      ),
    );
    assert.equal(error.code, "badRequest");
  });

  it("never logs user code or prompts at the info level", async function () {
    const secret = "very_secret_identifier_42";
    await host.client.infill(infillParams(`${secret} = 1\n`, `print(${secret})\n`));
    await host.client.chat(
      { systemPrompt: secret, turns: [{ role: "user", text: secret }], maxTokens: 20, temperature: 0 },
      () => undefined,
    );
    assert.ok(host.logs.length > 0, "the host logged something (the load at least)");
    for (const entry of host.logs) assert.ok(!entry.message.includes(secret), `log leaked user text: ${entry.message}`);
  });
});
