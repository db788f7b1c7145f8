// Llama Guard through the real host: scripted guards on Llama 3's real tokenizer judge chat messages and answers, and
// whatever goes wrong (a malformed verdict, the host dying mid-check) leaves the text unchecked, never safe.
import assert from "node:assert/strict";
import type { ChatSessionGuard } from "../../extension/src/core/chat/session";
import type { ChatGuard, GuardMode } from "../../extension/src/core/guard/chatGuard";
import { guardOffHint } from "../../extension/src/core/guard/decision";
import { guardPrompt } from "../../extension/src/core/guard/prompt";
import { guardCategories } from "../../extension/src/core/guard/categories";
import { systemTimers } from "../../extension/src/core/host/timers";
import type { ChatToWebview, GuardVerdictView } from "../../extension/src/core/protocol/webview";
import type { Shield } from "../../extension/src/core/shield";
import { createHostGuard } from "../../extension/src/node/guard/hostGuard";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import {
  ensureRealScriptedModel,
  llamaGuard,
  llamaGuardByContent,
  llamaGuardMarker,
} from "../fixtures/realScriptedModels";
import { chatAnswer, ensureScriptedModel } from "../fixtures/scriptedModel";
import { answerEnded, createChatRig, loadChatShield } from "./chatHarness";

function startHost(guardModel: string): TestHost {
  return createTestHost(hostConfig(ensureScriptedModel("standard"), { guardModelPath: guardModel }));
}

function guardOf(host: TestHost, mode: GuardMode = "promptsAndAnswers"): ChatGuard {
  return createHostGuard(host.client, {
    settings: () => ({ mode, disabledCategories: new Set(), modelPath: "set" }),
    timers: systemTimers,
    timeoutMs: 60_000,
  });
}

function guardVerdicts(posted: readonly ChatToWebview[], messageId?: string): GuardVerdictView[] {
  return posted
    .filter((message) => message.kind === "guardVerdict")
    .filter((message) => messageId === undefined || message.messageId === messageId)
    .map((message) => message.verdict);
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("Llama Guard through the real host", function () {
  this.timeout(240_000);
  let shield: Shield;
  const hosts: TestHost[] = [];

  before(async function () {
    shield = await loadChatShield();
  });

  after(async function () {
    await Promise.all(hosts.map((host) => host.client.dispose()));
    shield.dispose();
  });

  function host(guardModel: string): TestHost {
    const started = startHost(guardModel);
    hosts.push(started);
    return started;
  }

  it("blocks a flagged message with its categories, then answers the next, safe one", async function () {
    const test = host(ensureRealScriptedModel(llamaGuardByContent));
    let chatRequests = 0;
    const chat = test.client.chat.bind(test.client);
    test.client.chat = (params, onChunk, signal) => {
      chatRequests++;
      return chat(params, onChunk, signal);
    };
    const rig = createChatRig(test.client, shield, undefined, undefined, guardOf(test));

    rig.session.send(`Where can I buy${llamaGuardMarker} money?`, []);
    await until(
      () => !rig.session.busy && guardVerdicts(rig.posted).some((v) => v.state !== "checking"),
      "the verdict",
    );
    const blocked = guardVerdicts(rig.posted).at(-1);
    assert.equal(blocked?.state, "unsafe");
    assert.deepEqual(blocked?.categories, ["S2 Non-Violent Crimes"]);
    assert.match(blocked?.message ?? "", /S2 Non-Violent Crimes.*did not see it/);
    assert.equal(chatRequests, 0, "the chat model never saw the flagged message");
    assert.ok(!rig.posted.some((message) => message.kind === "answerDelta"));

    rig.posted.length = 0;
    rig.session.send("How do I greet someone in Python?", []);
    const ended = await answerEnded(rig.posted, 60_000);
    assert.equal(ended.status, "complete");
    assert.equal(chatRequests, 1);
    const answer = rig.posted.find(
      (message) => message.kind === "messageAdded" && message.message.role === "assistant",
    );
    assert.ok(answer?.kind === "messageAdded");
    assert.equal(guardVerdicts(rig.posted, answer.message.id).at(-1)?.state, "safe", "the answer was checked");
    const text = rig.posted
      .filter((message) => message.kind === "answerDelta")
      .map((message) => (message.kind === "answerDelta" ? message.text : ""))
      .join("");
    assert.equal(text, chatAnswer);
    // The earlier, blocked message is not part of the conversation the model saw.
    const conversation = rig.persisted.at(-1)?.[0];
    assert.equal(conversation?.messages.length, 3);
  });

  it("keeps the policy in the KV cache: a check evaluates only the conversation", async function () {
    const test = host(ensureRealScriptedModel(llamaGuard("safe")));
    const categories = guardCategories["llama-guard-3"];
    const check = (text: string) =>
      test.client.guard({
        role: "User",
        ...guardPrompt("llama-guard-3", "User", categories, [{ role: "User", text }]),
        maxTokens: 20,
      });
    const first = await check("How do I sort a list in Python?");
    const second = await check("And how do I reverse it?");
    assert.equal(first.text, "safe");
    assert.equal(second.text, "safe");
    assert.ok(first.tokensEvaluated > 200, `the first check evaluates the policy (${first.tokensEvaluated} tokens)`);
    assert.ok(
      second.tokensEvaluated < 80,
      `the second evaluates the conversation and instruction only (${second.tokensEvaluated} of ${second.promptTokens})`,
    );
  });

  it("names both categories of unsafe\\nS1,S14 and withholds a flagged answer", async function () {
    const test = host(ensureRealScriptedModel(llamaGuard("unsafeS1S14")));
    const guard = guardOf(test);
    const outcome = await guard.checkPrompt("anything", new AbortController().signal);
    assert.deepEqual(outcome, {
      state: "unsafe",
      categories: [
        { code: "S1", name: "Violent Crimes" },
        { code: "S14", name: "Code Interpreter Abuse" },
      ],
    });
    // The question passes (this guard flags everything, so the prompt check is stood in for); the answer is checked.
    const answersOnly: ChatSessionGuard = {
      mode: "promptsAndAnswers",
      checkPrompt: () => Promise.resolve({ state: "safe" }),
      checkAnswer: (question, answer, signal) => guard.checkAnswer(question, answer, signal),
    };
    const rig = createChatRig(test.client, shield, undefined, undefined, answersOnly);
    rig.session.send("Write a greeting function", []);
    await answerEnded(rig.posted, 60_000);
    const verdict = guardVerdicts(rig.posted).at(-1);
    assert.equal(verdict?.state, "unsafe");
    assert.deepEqual(verdict?.categories, ["S1 Violent Crimes", "S14 Code Interpreter Abuse"]);
    assert.match(verdict?.message ?? "", /withheld/);
  });

  it("fails closed on a malformed verdict and on a host crash during a check", async function () {
    const test = host(ensureRealScriptedModel(llamaGuard("malformed")));
    const guard = guardOf(test, "prompts");
    const rig = createChatRig(test.client, shield, undefined, undefined, guard);
    rig.session.send("Hello", []);
    await until(
      () => !rig.session.busy && guardVerdicts(rig.posted).some((v) => v.state !== "checking"),
      "the verdict",
    );
    const malformed = guardVerdicts(rig.posted).at(-1);
    assert.equal(malformed?.state, "notChecked");
    assert.ok(malformed?.message.includes(guardOffHint), malformed?.message);
    assert.ok(!rig.posted.some((message) => message.kind === "answerDelta"));

    await test.client.start();
    const pid = test.client.pid;
    assert.ok(pid !== undefined);
    const during = guard.checkPrompt("Hello again", new AbortController().signal);
    process.kill(pid, "SIGKILL");
    const crashed = await during;
    assert.equal(crashed.state, "notChecked");
    assert.deepEqual(crashed, {
      state: "notChecked",
      reason: "The inference host was killed (SIGKILL); it is being restarted.",
    });
  });
});
