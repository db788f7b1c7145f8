// Llama Guard on a llama-server (llamaAssist.guard.url): the real llama-server, built from the llama.cpp node-llama-cpp
// ships (test/remote/build-llama-server.sh), serves the scripted guards on Llama 3's real tokenizer. Verdicts, the policy
// kept in the server's cache, and every way a check can fail (a malformed verdict, a server that is gone, one that
// never answers) leaving the text not checked.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { guardCategories } from "../../extension/src/core/guard/categories";
import { ChatGuard } from "../../extension/src/core/guard/chatGuard";
import { guardOffHint, promptMessage } from "../../extension/src/core/guard/decision";
import { guardPrompt } from "../../extension/src/core/guard/prompt";
import { systemTimers } from "../../extension/src/core/host/timers";
import { type ServerGuard, createServerGuard } from "../../extension/src/node/guard/serverGuard";
import {
  ensureRealScriptedModel,
  llamaGuard,
  llamaGuardByContent,
  llamaGuardMarker,
} from "../fixtures/realScriptedModels";
import { type RunningLlamaServer, startLlamaServer } from "../remote/llamaServer";
import { ScriptedServer, forwardTo } from "../remote/scriptedServer";

const threads = Math.min(2, availableParallelism());

function serverGuardAt(url: string, timeoutMs = 60_000): ServerGuard {
  return createServerGuard({ url, apiKey: async () => undefined, extraCaCertificates: [], timeoutMs });
}

function chatGuardOn(server: ServerGuard, timeoutMs = 60_000): ChatGuard {
  return new ChatGuard({
    model: (signal) => server.model(signal),
    check: (_role, prompt, signal) => server.check(prompt, signal),
    settings: () => ({ mode: "promptsAndAnswers", disabledCategories: new Set() }),
    timers: systemTimers,
    timeoutMs,
  });
}

const never = new AbortController().signal;

describe("Llama Guard on a llama-server", function () {
  this.timeout(240_000);
  const running: RunningLlamaServer[] = [];
  const guards: ServerGuard[] = [];

  async function serve(modelPath: string): Promise<RunningLlamaServer> {
    // Two slots, as the README advises: the User and the Agent policy each keep one.
    const server = await startLlamaServer({ modelPath, threads, contextSize: 4096, extraArgs: ["--parallel", "2"] });
    running.push(server);
    return server;
  }

  function guardAt(url: string, timeoutMs?: number): ServerGuard {
    const guard = serverGuardAt(url, timeoutMs);
    guards.push(guard);
    return guard;
  }

  after(async function () {
    for (const guard of guards) guard.dispose();
    await Promise.all(running.map((server) => server.stop()));
  });

  it("flags a message with its category by name and passes a safe one; an answer is checked as the Agent turn", async function () {
    const server = guardAt((await serve(ensureRealScriptedModel(llamaGuardByContent))).url);
    const guard = chatGuardOn(server);

    assert.deepEqual(await guard.checkPrompt("How do I greet someone in Python?", never), { state: "safe" });
    const flagged = await guard.checkPrompt(`Where can I buy${llamaGuardMarker} money?`, never);
    assert.equal(flagged.state, "unsafe");
    assert.match(promptMessage(flagged) ?? "", /\(S2 Non-Violent Crimes\), so the chat model did not see it/);

    assert.deepEqual(await guard.checkAnswer("Where can I buy it?", "At the shop.", never), { state: "safe" });
    const answer = await guard.checkAnswer("Where can I buy it?", `Try the${llamaGuardMarker} market.`, never);
    assert.equal(answer.state, "unsafe");
    assert.deepEqual(answer.state === "unsafe" ? answer.categories.map((c) => c.code) : [], ["S2"]);
  });

  it("keeps the policy in the server's cache: a check evaluates only the conversation", async function () {
    const url = (await serve(ensureRealScriptedModel(llamaGuard("safe")))).url;
    const server = guardAt(url);
    const categories = guardCategories["llama-guard-3"];
    const check = (text: string) =>
      server.check(guardPrompt("llama-guard-3", "User", categories, [{ role: "User", text }]), never);
    const policy = guardPrompt("llama-guard-3", "User", categories, [{ role: "User", text: "" }]).policy;
    const tokenized = (await (
      await fetch(`${url}/tokenize`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ content: policy, add_special: false, parse_special: true }),
      })
    ).json()) as { tokens: number[] };
    const policyTokens = tokenized.tokens.length;

    const first = await check("How do I greet someone in Python?");
    assert.equal(first.text.trim(), "safe");
    assert.equal(first.tokensEvaluated, first.promptTokens, "nothing was cached yet");
    assert.ok(first.promptTokens > policyTokens, `${first.promptTokens} prompt tokens, ${policyTokens} of policy`);
    const second = await check("And how do I say goodbye in Rust, with a function that takes a name?");
    assert.equal(second.text.trim(), "safe");
    assert.ok(
      second.tokensEvaluated <= second.promptTokens - policyTokens,
      `${second.tokensEvaluated} of ${second.promptTokens} tokens evaluated, the policy being ${policyTokens}`,
    );
  });

  it("fails closed: a malformed verdict, a server that is gone and one that never answers leave the text not checked", async function () {
    const malformedServer = await serve(ensureRealScriptedModel(llamaGuard("malformed")));
    const malformed = await chatGuardOn(guardAt(malformedServer.url)).checkPrompt("Hello?", never);
    assert.equal(malformed.state, "notChecked");
    assert.match(malformed.state === "notChecked" ? malformed.reason : "", /its answer was not a verdict/);
    assert.ok(promptMessage(malformed)?.endsWith(guardOffHint), "the message says how to turn the guard off");

    // A server that answers /props but never /completion: the check's own limit ends it.
    const hung = await ScriptedServer.start();
    hung.respondWith((request, response) => {
      if (request.path === "/props") void forwardTo(malformedServer.url, request, response);
    });
    try {
      const slow = await chatGuardOn(guardAt(hung.url), 3_000).checkPrompt("Hello?", never);
      assert.deepEqual(slow, { state: "notChecked", reason: "it took longer than 3 s" });
    } finally {
      await hung.close();
    }

    await malformedServer.stop();
    const gone = await chatGuardOn(guardAt(malformedServer.url)).checkPrompt("Hello?", never);
    assert.equal(gone.state, "notChecked");
    assert.match(
      gone.state === "notChecked" ? gone.reason : "",
      new RegExp(`Llama Guard's llama-server at ${malformedServer.url.replace(/\./g, "\\.")}`),
    );
  });
});
