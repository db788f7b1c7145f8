import assert from "node:assert/strict";
import { HostRequestError, type InferenceBackend } from "../../../extension/src/core/protocol/backend";
import { checkRemoteAccess } from "../../../extension/src/core/remote/remoteAccess";
import {
  BackendRouting,
  type ConsentStore,
  RemoteGate,
  type RemotePrompts,
  type RedactionReport,
  type RemoteTarget,
  type Route,
  type RoutedRemote,
} from "../../../extension/src/core/remote/remoteGate";
import type { RemoteRedaction } from "../../../extension/src/core/remote/redaction";
import type { ChatParams, GenerationResult, InfillParams } from "../../../extension/src/core/protocol/host";

class MemoryConsent implements ConsentStore {
  readonly answers = new Map<string, boolean>();
  get(origin: string): boolean | undefined {
    return this.answers.get(origin);
  }
  async remember(origin: string, allowed: boolean): Promise<void> {
    this.answers.set(origin, allowed);
  }
}

/** Answers the dialogs from scripts and counts them. */
class ScriptedPrompts implements RemotePrompts {
  consentAsked = 0;
  keyAsked = 0;
  constructor(
    private readonly consentAnswer: () => Promise<boolean | undefined>,
    private readonly keyAnswer: () => Promise<boolean> = async () => false,
  ) {}
  askConsent(): Promise<boolean | undefined> {
    this.consentAsked++;
    return this.consentAnswer();
  }
  askForApiKey(): Promise<boolean> {
    this.keyAsked++;
    return this.keyAnswer();
  }
}

const result: GenerationResult = {
  text: "x",
  stopReason: "eos",
  tokensEvaluated: 1,
  promptTokens: 1,
  generatedTokens: 1,
};
const params: InfillParams = { prefix: "a", suffix: "b", maxTokens: 4, stop: [], temperature: 0 };

function target(url: string, allowInsecureHttp = false): RemoteTarget {
  return { access: checkRemoteAccess(url, allowInsecureHttp), serverName: `llama-server at ${url}` };
}

/** A request that records that it was sent and answers with the scripted outcomes in turn. */
function scriptedRequest(...outcomes: (GenerationResult | HostRequestError)[]): {
  send: () => Promise<GenerationResult>;
  sent: () => number;
} {
  let sent = 0;
  return {
    send: async () => {
      const outcome = outcomes[Math.min(sent, outcomes.length - 1)];
      sent++;
      if (outcome instanceof HostRequestError) throw outcome;
      return outcome;
    },
    sent: () => sent,
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof HostRequestError && error.code === code);
}

describe("remote gate: consent, policy and 401", function () {
  const remoteServer = "https://gpu.example.com:8080";

  it("asks once for a server off this machine, remembers the answer, and sends after an allow", async function () {
    const consent = new MemoryConsent();
    const prompts = new ScriptedPrompts(async () => true);
    const gate = new RemoteGate(consent, prompts);
    const request = scriptedRequest(result);
    await gate.send(target(remoteServer), request.send);
    await gate.send(target(remoteServer), request.send);
    assert.equal(prompts.consentAsked, 1);
    assert.equal(consent.get(remoteServer), true);
    assert.equal(request.sent(), 2);
  });

  it("asks once for requests that arrive while the question is open", async function () {
    let answer: (allowed: boolean) => void = () => undefined;
    const prompts = new ScriptedPrompts(() => new Promise((resolve) => (answer = resolve)));
    const gate = new RemoteGate(new MemoryConsent(), prompts);
    const request = scriptedRequest(result);
    const pending = [
      gate.send(target(remoteServer), request.send),
      gate.send(target(remoteServer), request.send),
      gate.send(target(remoteServer), request.send),
    ];
    await new Promise((resolve) => setImmediate(resolve));
    answer(true);
    await Promise.all(pending);
    assert.equal(prompts.consentAsked, 1);
    assert.equal(request.sent(), 3);
  });

  it("a refusal sends nothing, is remembered, and is not asked again", async function () {
    const consent = new MemoryConsent();
    const prompts = new ScriptedPrompts(async () => false);
    const gate = new RemoteGate(consent, prompts);
    const request = scriptedRequest(result);
    await rejectsWith(gate.send(target(remoteServer), request.send), "notAllowed");
    await rejectsWith(gate.send(target(remoteServer), request.send), "notAllowed");
    assert.equal(request.sent(), 0);
    assert.equal(prompts.consentAsked, 1);
    assert.equal(consent.get(remoteServer), false);
  });

  it("a dismissed question sends nothing and asks again on the next request", async function () {
    const consent = new MemoryConsent();
    const prompts = new ScriptedPrompts(async () => undefined);
    const gate = new RemoteGate(consent, prompts);
    const request = scriptedRequest(result);
    await rejectsWith(gate.send(target(remoteServer), request.send), "notAllowed");
    await rejectsWith(gate.send(target(remoteServer), request.send), "notAllowed");
    assert.equal(request.sent(), 0);
    assert.equal(prompts.consentAsked, 2);
    assert.equal(consent.get(remoteServer), undefined);
  });

  it("asks nothing for a server on this machine", async function () {
    const prompts = new ScriptedPrompts(async () => false);
    const request = scriptedRequest(result);
    await new RemoteGate(new MemoryConsent(), prompts).send(target("http://127.0.0.1:8080"), request.send);
    assert.equal(prompts.consentAsked, 0);
    assert.equal(request.sent(), 1);
  });

  it("refuses plain http to another machine without the opt-in before asking or sending anything", async function () {
    const prompts = new ScriptedPrompts(async () => true);
    const request = scriptedRequest(result);
    await rejectsWith(
      new RemoteGate(new MemoryConsent(), prompts).send(target("http://10.0.0.5:8080"), request.send),
      "notAllowed",
    );
    assert.equal(prompts.consentAsked, 0);
    assert.equal(request.sent(), 0);
  });

  it("sends plain http to another machine with the opt-in, after the user's consent", async function () {
    const prompts = new ScriptedPrompts(async () => true);
    const request = scriptedRequest(result);
    await new RemoteGate(new MemoryConsent(), prompts).send(target("http://10.0.0.5:8080", true), request.send);
    assert.equal(prompts.consentAsked, 1);
    assert.equal(request.sent(), 1);
  });

  it("after a 401 asks for the key and retries once with it", async function () {
    const prompts = new ScriptedPrompts(
      async () => true,
      async () => true,
    );
    const request = scriptedRequest(new HostRequestError("unauthorized", "401"), result);
    assert.equal(await new RemoteGate(new MemoryConsent(), prompts).send(target(remoteServer), request.send), result);
    assert.equal(prompts.keyAsked, 1);
    assert.equal(request.sent(), 2);
  });

  it("retries only once: a second 401 is the caller's error", async function () {
    const prompts = new ScriptedPrompts(
      async () => true,
      async () => true,
    );
    const request = scriptedRequest(new HostRequestError("unauthorized", "401"));
    await rejectsWith(
      new RemoteGate(new MemoryConsent(), prompts).send(target(remoteServer), request.send),
      "unauthorized",
    );
    assert.equal(request.sent(), 2);
    assert.equal(prompts.keyAsked, 1);
  });

  it("a dismissed key prompt is not shown again on every keystroke, until a key changes", async function () {
    const prompts = new ScriptedPrompts(
      async () => true,
      async () => false,
    );
    const gate = new RemoteGate(new MemoryConsent(), prompts);
    const request = scriptedRequest(new HostRequestError("unauthorized", "401"));
    await rejectsWith(gate.send(target(remoteServer), request.send), "unauthorized");
    await rejectsWith(gate.send(target(remoteServer), request.send), "unauthorized");
    assert.equal(prompts.keyAsked, 1);
    assert.equal(request.sent(), 2);
    gate.keyChanged();
    await rejectsWith(gate.send(target(remoteServer), request.send), "unauthorized");
    assert.equal(prompts.keyAsked, 2);
  });

  it("a cancelled request stops waiting for the key prompt and is not retried", async function () {
    const prompts = new ScriptedPrompts(
      async () => true,
      () => new Promise<boolean>(() => undefined),
    );
    const request = scriptedRequest(new HostRequestError("unauthorized", "401"), result);
    const controller = new AbortController();
    const pending = new RemoteGate(new MemoryConsent(), prompts).send(
      target(remoteServer),
      request.send,
      controller.signal,
    );
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await rejectsWith(pending, "cancelled");
    assert.equal(request.sent(), 1);
  });

  it("passes other errors through untouched, without asking for a key", async function () {
    const prompts = new ScriptedPrompts(
      async () => true,
      async () => true,
    );
    const request = scriptedRequest(new HostRequestError("serverError", "500"));
    await rejectsWith(
      new RemoteGate(new MemoryConsent(), prompts).send(target(remoteServer), request.send),
      "serverError",
    );
    assert.equal(prompts.keyAsked, 0);
    assert.equal(request.sent(), 1);
  });
});

/** An InferenceBackend that records its calls and answers with one outcome. */
class RecordingBackend implements InferenceBackend {
  readonly kind = "local";
  calls = 0;
  readonly received: (InfillParams | ChatParams)[] = [];
  readonly serverName = "test backend";
  constructor(private readonly outcome: GenerationResult | HostRequestError) {}
  async infill(request: InfillParams | ChatParams): Promise<GenerationResult> {
    this.calls++;
    this.received.push(request);
    if (this.outcome instanceof HostRequestError) throw this.outcome;
    return this.outcome;
  }
  async chat(request: ChatParams): Promise<GenerationResult> {
    return this.infill(request);
  }
  /** One token per word, as a stand-in tokenizer; the texts it was asked to count are recorded. */
  readonly counted: string[] = [];
  async countTokens(text: string): Promise<number> {
    this.counted.push(text);
    return text.split(" ").length;
  }
  async countChatTokens(texts: string[]): Promise<number[]> {
    return Promise.all(texts.map((text) => this.countTokens(text)));
  }
}

const unchanged: RemoteRedaction = {
  infill: async (request) => ({ params: request, redacted: 0 }),
  chat: async (request) => ({ params: request, redacted: 0 }),
};

/** Replaces the word SECRET, so the test sees where redaction ran; the real search is tested in secretSpans.test.ts. */
const markingRedaction: RemoteRedaction = {
  infill: async (request) => ({
    params: { ...request, prefix: request.prefix.replaceAll("SECRET", "[REDACTED]") },
    redacted: request.prefix.split("SECRET").length - 1,
  }),
  chat: async (request) => ({
    params: {
      ...request,
      turns: request.turns.map((turn) => ({ ...turn, text: turn.text.replaceAll("SECRET", "[REDACTED]") })),
    },
    redacted: request.turns.reduce((sum, turn) => sum + turn.text.split("SECRET").length - 1, 0),
  }),
};

describe("backend routing", function () {
  const allowAll = (): RemoteGate => new RemoteGate(new MemoryConsent(), new ScriptedPrompts(async () => true));

  it("counts chat tokens where the chat would go: the local host, or the server with the texts redacted", async function () {
    const local = new RecordingBackend(result);
    const remote = new RecordingBackend(result);
    let route: Route<RoutedRemote> = { kind: "local" };
    const routing = new BackendRouting<RoutedRemote>(
      local,
      allowAll(),
      () => route,
      () => undefined,
      markingRedaction,
      () => undefined,
    );
    assert.deepEqual(await routing.countChatTokens(["one two", "SECRET three four"]), [2, 3]);
    assert.deepEqual(local.counted, ["one two", "SECRET three four"]);
    route = { kind: "remote", remote: Promise.resolve({ backend: remote, target: target("https://gpu.example.com") }) };
    assert.deepEqual(await routing.countChatTokens(["one two", "SECRET three four"]), [2, 3]);
    assert.deepEqual(remote.counted, ["one two", "[REDACTED] three four"]);
  });

  it("serves the local route from the local host", async function () {
    const local = new RecordingBackend(result);
    const routing = new BackendRouting<RoutedRemote>(
      local,
      allowAll(),
      () => ({ kind: "local" }),
      () => undefined,
      unchanged,
      () => undefined,
    );
    assert.equal(await routing.infill(params), result);
    assert.equal(local.calls, 1);
  });

  for (const failure of [
    "connectionRefused",
    "timeout",
    "serverError",
    "unauthorized",
    "rateLimited",
    "modelNotFound",
  ] as const) {
    it(`a remote ${failure} reaches the caller and never falls back to the local host`, async function () {
      const local = new RecordingBackend(result);
      const remote = new RecordingBackend(new HostRequestError(failure, failure));
      const outcomes: unknown[] = [];
      const routed: RoutedRemote = { backend: remote, target: target("http://127.0.0.1:8080") };
      const routing = new BackendRouting(
        local,
        allowAll(),
        () => ({ kind: "remote", remote: Promise.resolve(routed) }),
        (_remote, error) => outcomes.push(error),
        unchanged,
        () => undefined,
      );
      await rejectsWith(routing.infill(params), failure);
      await rejectsWith(
        routing.chat(
          { systemPrompt: "", turns: [{ role: "user", text: "hi" }], maxTokens: 4, temperature: 0 },
          () => undefined,
        ),
        failure,
      );
      assert.equal(local.calls, 0);
      assert.ok(remote.calls >= 2);
      assert.equal(outcomes.length, 2);
      assert.ok(outcomes.every((error) => error instanceof HostRequestError && error.code === failure));
    });
  }

  it("a remote that could not be set up (unreadable CA file, refused URL) fails without touching the local host", async function () {
    const local = new RecordingBackend(result);
    const broken = Promise.reject(new HostRequestError("notAllowed", "refused"));
    broken.catch(() => undefined);
    const routing = new BackendRouting<RoutedRemote>(
      local,
      allowAll(),
      () => ({ kind: "remote", remote: broken }),
      () => undefined,
      unchanged,
      () => undefined,
    );
    await rejectsWith(routing.infill(params), "notAllowed");
    assert.equal(local.calls, 0);
  });

  it("reports a successful remote request with no error", async function () {
    const outcomes: unknown[] = [];
    const routed: RoutedRemote = { backend: new RecordingBackend(result), target: target("http://127.0.0.1:8080") };
    const routing = new BackendRouting(
      new RecordingBackend(result),
      allowAll(),
      () => ({ kind: "remote", remote: Promise.resolve(routed) }),
      (_remote, error) => outcomes.push(error),
      unchanged,
      () => undefined,
    );
    assert.equal(await routing.infill(params), result);
    assert.deepEqual(outcomes, [undefined]);
  });

  for (const { url, redacts } of [
    { url: "https://gpu.example.com:8080", redacts: true },
    { url: "http://127.0.0.1:8080", redacts: false },
  ]) {
    it(`${redacts ? "redacts" : "does not redact"} what goes to ${url}, and reports the count`, async function () {
      const remote = new RecordingBackend(result);
      const routed: RoutedRemote = { backend: remote, target: target(url) };
      const reports: RedactionReport[] = [];
      const routing = new BackendRouting(
        new RecordingBackend(result),
        allowAll(),
        () => ({ kind: "remote", remote: Promise.resolve(routed) }),
        () => undefined,
        markingRedaction,
        (report) => reports.push(report),
      );
      const infilled = await routing.infill({ ...params, prefix: "key = SECRET" });
      const chatted = await routing.chat(
        { systemPrompt: "", turns: [{ role: "user", text: "SECRET and SECRET" }], maxTokens: 4, temperature: 0 },
        () => undefined,
      );
      const sent = remote.received.map((request) => JSON.stringify(request));
      assert.equal(sent.length, 2);
      assert.equal(
        sent.some((request) => request.includes("SECRET")),
        !redacts,
      );
      assert.equal(infilled.redactedSecrets, redacts ? 1 : undefined);
      assert.equal(chatted.redactedSecrets, redacts ? 2 : undefined);
      assert.deepEqual(
        reports,
        redacts
          ? [
              { request: "completion", redacted: 1, serverName: routed.target.serverName },
              { request: "chat", redacted: 2, serverName: routed.target.serverName },
            ]
          : [],
      );
    });
  }
});
