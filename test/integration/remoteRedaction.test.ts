// Secrets never reach a server off this machine: a recording server listens on this machine's own non-loopback
// address, which the extension's access policy treats as any other host on the network (consent, http opt-in,
// redaction). A known key in an attached file, and in the code around the cursor, must never arrive there.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { StoredSource } from "../../extension/src/core/chat/conversation";
import { ChatSession } from "../../extension/src/core/chat/session";
import type { ChatToWebview } from "../../extension/src/core/protocol/webview";
import type { GenerationResult, InfillParams } from "../../extension/src/core/protocol/host";
import {
  HostRequestError,
  type ChatTokenCounter,
  type InferenceBackend,
} from "../../extension/src/core/protocol/backend";
import { checkRemoteAccess } from "../../extension/src/core/remote/remoteAccess";
import { createRemoteRedaction } from "../../extension/src/core/remote/redaction";
import {
  BackendRouting,
  type RedactionReport,
  RemoteGate,
  type RoutedRemote,
} from "../../extension/src/core/remote/remoteGate";
import { planRefactorPrompt } from "../../extension/src/core/refactor/prompt";
import type { Shield } from "../../extension/src/core/shield";
import { createRemoteBackend } from "../../extension/src/node/remote/remoteBackend";
import { ScriptedServer, offLoopbackAddress, streamInPieces } from "../remote/scriptedServer";
import { answerEnded, loadChatShield } from "./chatHarness";

// Assembled so that this file itself holds no key a secret scanner would flag.
const stripeKey = ["sk", "_live_", "4eC39HqLyjWDarjtT1zdp7dc9Xq"].join("");
const databasePassword = "v9#Lq2!mZt7";

const chatAnswer = [
  `data: ${JSON.stringify({ choices: [{ delta: { content: "Looks fine." }, finish_reason: null }] })}`,
  `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: "stop" }] })}`,
  "data: [DONE]",
  "",
].join("\n\n");
const completionAnswer = [
  `data: ${JSON.stringify({ choices: [{ text: "x)", finish_reason: "stop" }] })}`,
  "data: [DONE]",
  "",
].join("\n\n");

/** The local host must never be asked: every request here goes to the configured server. */
const noLocalHost: InferenceBackend & ChatTokenCounter = {
  kind: "local",
  infill: () => Promise.reject(new HostRequestError("notAllowed", "the local host was asked")),
  chat: () => Promise.reject(new HostRequestError("notAllowed", "the local host was asked")),
  countChatTokens: () => Promise.reject(new HostRequestError("notAllowed", "the local host was asked")),
};

interface Rig {
  server: ScriptedServer;
  routing: BackendRouting<RoutedRemote>;
  reports: RedactionReport[];
  close(): Promise<void>;
}

async function rigAt(address: string, shield: Shield): Promise<Rig> {
  const server = await ScriptedServer.start(undefined, address);
  server.respondWith((request, response) =>
    streamInPieces(response, "text/event-stream", request.path.includes("chat") ? chatAnswer : completionAnswer),
  );
  const backend = createRemoteBackend({
    kind: "openai",
    baseUrl: server.url,
    model: "",
    fimTemplate: "qwen",
    customFimTemplate: "",
    apiKey: async () => undefined,
    extraCaCertificates: [],
  });
  const access = checkRemoteAccess(server.url, true);
  assert.equal(access.kind, "allowed");
  const remote: RoutedRemote = { backend, target: { access, serverName: backend.serverName } };
  const reports: RedactionReport[] = [];
  const routing = new BackendRouting<RoutedRemote>(
    noLocalHost,
    new RemoteGate(
      { get: () => true, remember: async () => undefined },
      { askConsent: async () => true, askForApiKey: async () => false },
    ),
    () => ({ kind: "remote", remote: Promise.resolve(remote) }),
    () => undefined,
    createRemoteRedaction(async () => shield),
    (report) => reports.push(report),
  );
  return {
    server,
    routing,
    reports,
    close: async () => {
      backend.dispose();
      await server.close();
    },
  };
}

/**
 * Asks the chat about an attached file, as the chat view does, and waits for the answer; with `retrieved`, workspace
 * retrieval is on and brings those chunks.
 */
async function askAboutFile(
  routing: BackendRouting<RoutedRemote>,
  file: string,
  retrieved?: StoredSource[],
): Promise<void> {
  const posted: ChatToWebview[] = [];
  const session = new ChatSession(
    {
      chat: (params, onChunk, signal): Promise<GenerationResult> => routing.chat(params, onChunk, signal),
      contextSize: () => 4096,
      countTokens: (texts) => routing.countChatTokens(texts),
      scanCode: () => ({ action: "show", findings: [] }),
      post: (message) => posted.push(message),
      retrieve: () => Promise.resolve(retrieved ?? []),
      persist: () => undefined,
      newId: () => randomUUID(),
      now: () => Date.now(),
    },
    [],
    () => ({
      maxAnswerTokens: 64,
      temperature: 0,
      limits: { maxConversations: 5, maxBytes: 1024 * 1024 },
      retrieval: retrieved !== undefined,
    }),
  );
  session.send(
    "Is this configuration right?",
    retrieved === undefined
      ? [{ label: path.basename(file), languageId: "python", content: readFileSync(file, "utf8") }]
      : [],
  );
  const ended = await answerEnded(posted);
  assert.equal(ended.status, "complete", ended.error);
}

const completion = (prefix: string): InfillParams => ({
  prefix,
  suffix: "\n",
  maxTokens: 8,
  stop: [],
  temperature: 0,
  context: {
    budget: { totalTokens: 512, suffixShare: 0.25, snippetShare: 0.3 },
    prefixFirstLine: 0,
    languageId: "python",
    path: "billing.py",
    pieces: [],
    scopes: [],
  },
});

describe("redaction before requests leave the machine (recording server)", function () {
  this.timeout(30_000);
  let shield: Shield;
  let directory: string;
  let attached: string;

  before(async function () {
    shield = await loadChatShield();
    directory = mkdtempSync(path.join(tmpdir(), "llama-assist-redaction-"));
    attached = path.join(directory, "settings.py");
    writeFileSync(
      attached,
      `STRIPE_KEY = "${stripeKey}"\nDATABASE = {"user": "app", "password": "${databasePassword}"}\n`,
    );
  });

  after(function () {
    shield.dispose();
    rmSync(directory, { recursive: true, force: true });
  });

  it("a server on this machine's network address gets neither the attached file's key nor the one by the cursor", async function () {
    const rig = await rigAt(offLoopbackAddress(), shield);
    try {
      await askAboutFile(rig.routing, attached);
      const result = await rig.routing.infill(completion(`stripe.api_key = "${stripeKey}"\ncharge(`));
      const bodies = rig.server.requests.map((request) => JSON.stringify(request.body));
      assert.deepEqual(
        rig.server.requests.map((request) => request.path),
        ["/v1/chat/completions", "/v1/completions"],
      );
      for (const body of bodies) {
        assert.ok(!body.includes(stripeKey), `the key arrived: ${body}`);
        assert.ok(!body.includes(databasePassword), `the password arrived: ${body}`);
        assert.ok(body.includes("[REDACTED]"), body);
      }
      assert.ok(bodies[0].includes('STRIPE_KEY = \\"[REDACTED]\\"'), "the code around the secret still goes");
      assert.equal(result.redactedSecrets, 1);
      assert.deepEqual(
        rig.reports.map(({ request, redacted }) => ({ request, redacted })),
        [
          { request: "chat", redacted: 2 },
          { request: "completion", redacted: 1 },
        ],
      );
    } finally {
      await rig.close();
    }
  });

  it("a server on this machine's network address gets no key from a retrieved chunk, nor from a refactor's code", async function () {
    const rig = await rigAt(offLoopbackAddress(), shield);
    try {
      const content = readFileSync(attached, "utf8");
      const chunk: StoredSource = {
        path: attached,
        label: "settings.py:1",
        startLine: 0,
        endLine: 1,
        symbols: ["STRIPE_KEY"],
        languageId: "python",
        content,
      };
      await askAboutFile(rig.routing, attached, [chunk]);
      const plan = planRefactorPrompt({
        preset: "simplify",
        languageId: "python",
        instruction: "",
        diagnostics: [],
        sourceFileName: "settings.py",
        target: content,
        context: { imports: [] },
        contextSize: 4096,
      });
      assert.equal(plan.kind, "ready");
      if (plan.kind === "ready") await rig.routing.chat(plan.params, () => undefined, new AbortController().signal);
      const bodies = rig.server.requests.map((request) => JSON.stringify(request.body));
      assert.equal(bodies.length, 2);
      assert.ok(bodies[0].includes("settings.py:1"), "the retrieved chunk went with the question");
      for (const body of bodies) {
        assert.ok(!body.includes(stripeKey), `the key arrived: ${body}`);
        assert.ok(!body.includes(databasePassword), `the password arrived: ${body}`);
        assert.ok(body.includes('STRIPE_KEY = \\"[REDACTED]\\"'), body);
      }
      // The chat counts the chunk's tokens before it asks (this server has no tokenizer endpoint: nothing is sent),
      // and the count's texts are redacted as the prompt is: one report each for the count, the question, the refactor.
      assert.deepEqual(
        rig.reports.map(({ request, redacted }) => ({ request, redacted })),
        [
          { request: "token count", redacted: 2 },
          { request: "chat", redacted: 2 },
          { request: "chat", redacted: 2 },
        ],
      );
    } finally {
      await rig.close();
    }
  });

  it("a server on loopback is this machine: it gets the code as it is", async function () {
    const rig = await rigAt("127.0.0.1", shield);
    try {
      await askAboutFile(rig.routing, attached);
      assert.ok(JSON.stringify(rig.server.requests[0].body).includes(stripeKey));
      assert.deepEqual(rig.reports, []);
    } finally {
      await rig.close();
    }
  });
});
