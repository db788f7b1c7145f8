import assert from "node:assert/strict";
import type { Conversation, StoredSource } from "../../../extension/src/core/chat/conversation";
import { ChatSession, type ChatSessionDependencies, type CodeScan } from "../../../extension/src/core/chat/session";
import type { ChatParams, GenerationResult } from "../../../extension/src/core/protocol/host";
import type { ChatToWebview } from "../../../extension/src/core/protocol/webview";

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface ScriptedChat {
  chunks: string[];
  /** Thrown instead of answering, before any chunk. */
  error?: CodedError;
  /** Waits for an abort after this many chunks. */
  hangAfter?: number;
}

/** A test double of the host's chat: streams scripted chunks asynchronously and honours the abort signal. */
class FakeHost {
  readonly requests: ChatParams[] = [];
  script: ScriptedChat[] = [];

  chat = async (
    params: ChatParams,
    onChunk: (text: string) => void,
    signal: AbortSignal,
  ): Promise<GenerationResult> => {
    this.requests.push(params);
    const step = this.script.shift() ?? { chunks: ["ok"] };
    if (step.error !== undefined) throw step.error;
    for (const [index, chunk] of step.chunks.entries()) {
      if (index === step.hangAfter)
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) throw new CodedError("cancelled", "The request was cancelled.");
      onChunk(chunk);
    }
    const text = step.chunks.join("");
    const promptCharacters = params.systemPrompt.length + params.turns.reduce((sum, turn) => sum + turn.text.length, 0);
    return {
      text,
      stopReason: "eos",
      tokensEvaluated: 0,
      promptTokens: Math.ceil(promptCharacters / 4),
      generatedTokens: step.chunks.length,
    };
  };
}

const insecureScan: CodeScan = {
  action: "withhold",
  findings: [{ ruleId: "py.os-system", cwe: "CWE-78", severity: "block", message: "Shell command built from input" }],
};

function createSession(
  options: {
    contextSize?: number;
    conversations?: Conversation[];
    sources?: StoredSource[];
    /** The backend's tokenizer; absent: the backend cannot count, and the session estimates. */
    countTokens?: (texts: string[]) => number[];
  } = {},
) {
  const host = new FakeHost();
  const posted: ChatToWebview[] = [];
  const persisted: Conversation[][] = [];
  const scans: Array<{ code: string; languageId: string | undefined }> = [];
  const retrievals: string[] = [];
  let nextId = 1;
  let now = 1_000;
  const deps: ChatSessionDependencies = {
    chat: host.chat,
    contextSize: () => options.contextSize,
    countTokens: (texts) => Promise.resolve(options.countTokens?.(texts)),
    scanCode: (code, languageId) => {
      scans.push({ code, languageId });
      return code.includes("os.system") ? insecureScan : { action: "show", findings: [] };
    },
    post: (message) => posted.push(message),
    retrieve: (question) => {
      retrievals.push(question);
      return Promise.resolve(options.sources ?? []);
    },
    persist: (conversations) => persisted.push(JSON.parse(JSON.stringify(conversations)) as Conversation[]),
    newId: () => `id${nextId++}`,
    now: () => now++,
  };
  const session = new ChatSession(deps, options.conversations ?? [], () => ({
    maxAnswerTokens: 256,
    temperature: 0,
    limits: { maxConversations: 10, maxBytes: 1_000_000 },
    retrieval: options.sources !== undefined,
  }));
  return { session, host, posted, persisted, scans, retrievals };
}

async function answered(posted: ChatToWebview[]): Promise<Extract<ChatToWebview, { kind: "answerEnded" }>> {
  for (let i = 0; i < 1_000; i++) {
    const ended = posted.find((message) => message.kind === "answerEnded");
    if (ended !== undefined && ended.kind === "answerEnded") return ended;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("the answer never ended");
}

describe("chat session", () => {
  it("streams an answer and posts each code block's verdict as soon as the block closes", async () => {
    const { session, host, posted, persisted, scans } = createSession({ contextSize: 4096 });
    host.script = [{ chunks: ["Use:\n\n```py", "thon\nimport os\nos.sys", "tem(cmd)\n`", "``\n", "\nThen ", "done."] }];
    assert.equal(session.send("How do I run a command?", []), true);
    const ended = await answered(posted);
    assert.equal(ended.status, "complete");

    const kinds = posted.map((message) => message.kind);
    const verdictAt = kinds.indexOf("codeVerdict");
    const deltas = posted
      .filter((message) => message.kind === "answerDelta")
      .map((message) => (message.kind === "answerDelta" ? message.text : ""));
    assert.deepEqual(deltas, ["Use:\n\n```py", "thon\nimport os\nos.sys", "tem(cmd)\n`", "``\n", "\nThen ", "done."]);
    // The verdict follows the delta that completed the closing fence line, before any later text.
    assert.equal(kinds.slice(0, verdictAt).filter((kind) => kind === "answerDelta").length, 4);
    const verdict = posted[verdictAt];
    assert.ok(verdict.kind === "codeVerdict");
    assert.equal(verdict.verdict.index, 0);
    assert.equal(verdict.verdict.action, "withhold");
    assert.deepEqual(scans, [{ code: "import os\nos.system(cmd)\n", languageId: "python" }]);

    assert.equal(host.requests[0].turns.at(-1)?.text, "How do I run a command?");
    assert.match(host.requests[0].systemPrompt, /the user's own/);
    const budget = posted.filter((message) => message.kind === "budget").at(-1);
    assert.ok(
      budget?.kind === "budget" && budget.budget.usedTokens !== undefined && budget.budget.contextSize === 4096,
    );
    assert.equal(persisted.at(-1)?.[0].messages.length, 2);
    assert.equal(persisted.at(-1)?.[0].title, "How do I run a command?");

    const block = session.codeBlock(ended.messageId, 0);
    assert.equal(block?.code, "import os\nos.system(cmd)\n");
    assert.equal(block?.scan.action, "withhold");
    assert.equal(session.codeBlock(ended.messageId, 1), undefined);
    assert.equal(session.codeBlock("no-such-message", 0), undefined);
  });

  it("scans a fence left open at the end of the answer, and untagged blocks in the attachment's language", async () => {
    const { session, host, posted, scans } = createSession();
    host.script = [{ chunks: ["```\n", "x = 1\n"] }];
    session.send("fix it", [{ label: "app.py:1-3", languageId: "python", content: "x = 0" }]);
    await answered(posted);
    assert.deepEqual(scans, [{ code: "x = 1\n", languageId: "python" }]);
    assert.match(host.requests[0].turns[0].text, /^app\.py:1-3:\n```python\nx = 0\n```\n\nfix it$/);
  });

  it("stops at once and keeps the partial answer", async () => {
    const { session, host, posted } = createSession();
    host.script = [{ chunks: ["partial ", "never"], hangAfter: 1 }];
    session.send("q", []);
    while (!posted.some((message) => message.kind === "answerDelta"))
      await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.busy, true);
    session.stop();
    const ended = await answered(posted);
    assert.equal(ended.status, "stopped");
    assert.equal(session.busy, false);
    posted.length = 0;
    session.postState();
    const conversation = posted.find((message) => message.kind === "conversation");
    assert.ok(conversation?.kind === "conversation");
    assert.deepEqual(
      conversation.messages.map((message) => [message.role, message.text, message.status]),
      [
        ["user", "q", "complete"],
        ["assistant", "partial ", "stopped"],
      ],
    );
  });

  it("takes the question back into the input when the host fails before answering", async () => {
    const { session, host, posted } = createSession();
    host.script = [{ chunks: [], error: new CodedError("hostCrashed", "The inference host was killed (SIGKILL).") }];
    session.send("my unsent question", []);
    for (let i = 0; i < 100 && !posted.some((message) => message.kind === "restoreDraft"); i++)
      await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      posted.find((message) => message.kind === "restoreDraft"),
      { kind: "restoreDraft", text: "my unsent question" },
    );
    assert.equal(posted.filter((message) => message.kind === "messageRemoved").length, 2);
    const notice = posted.find((message) => message.kind === "notice");
    assert.ok(notice?.kind === "notice" && /SIGKILL/.test(notice.text));
    assert.equal(session.busy, false);
  });

  it("retries with fewer old turns when the host says the context is exceeded", async () => {
    const history: Conversation = {
      id: "c",
      title: "old",
      createdAt: 1,
      updatedAt: 2,
      messages: Array.from({ length: 10 }, (_, i) => ({
        id: `m${i}`,
        role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
        text: "w".repeat(1_500),
        status: "complete" as const,
        attachments: [],
      })),
    };
    const { session, host, posted } = createSession({ contextSize: 8192, conversations: [history] });
    host.script = [{ chunks: [], error: new CodedError("contextExceeded", "too long") }, { chunks: ["fine"] }];
    session.send("next", []);
    const ended = await answered(posted);
    assert.equal(ended.status, "complete");
    assert.equal(host.requests.length, 2);
    assert.ok(host.requests[1].turns.length < host.requests[0].turns.length);
    const budget = posted.filter((message) => message.kind === "budget").at(-1);
    assert.ok(budget?.kind === "budget" && budget.budget.droppedMessages > 0);
  });

  it("drops old turns to fit a small context and says how many", async () => {
    const { session, host, posted } = createSession({ contextSize: 1024 });
    for (let i = 0; i < 6; i++) {
      host.script = [{ chunks: ["a".repeat(600)] }];
      posted.length = 0;
      session.send(`question ${i} ${"q".repeat(400)}`, []);
      await answered(posted);
    }
    const last = host.requests.at(-1);
    assert.ok(last !== undefined && last.turns.length < 11 && last.turns[0].role === "user");
    assert.equal(last.turns.at(-1)?.text.startsWith("question 5"), true);
    const budget = posted.filter((message) => message.kind === "budget").at(-1);
    assert.ok(budget?.kind === "budget" && budget.budget.droppedMessages === 11 - last.turns.length);
  });

  it("regenerates the last answer", async () => {
    const { session, host, posted } = createSession();
    host.script = [{ chunks: ["first"] }, { chunks: ["second"] }];
    session.send("q", []);
    const first = await answered(posted);
    posted.length = 0;
    assert.equal(session.regenerate(), true);
    await answered(posted);
    assert.deepEqual(posted[0], { kind: "messageRemoved", messageId: first.messageId });
    assert.deepEqual(host.requests[1].turns, [{ role: "user", text: "q" }]);
  });

  it("keeps conversations apart: new chat, open, rename and delete", async () => {
    const { session, host, posted, persisted } = createSession();
    host.script = [{ chunks: ["one"] }, { chunks: ["two"] }];
    session.send("first chat", []);
    await answered(posted);
    const firstId = session.activeConversationId;
    session.newChat();
    posted.length = 0;
    session.send("second chat", []);
    await answered(posted);
    assert.notEqual(session.activeConversationId, firstId);
    assert.deepEqual(
      persisted.at(-1)?.map((c) => c.title),
      ["second chat", "first chat"],
    );
    session.rename(firstId, "  renamed  ");
    assert.deepEqual(
      persisted.at(-1)?.map((c) => c.title),
      ["second chat", "renamed"],
    );
    session.open(firstId);
    assert.equal(session.activeConversationId, firstId);
    session.delete(firstId);
    assert.deepEqual(
      persisted.at(-1)?.map((c) => c.title),
      ["second chat"],
    );
    assert.notEqual(session.activeConversationId, firstId);
  });

  it("strips control characters from the model's output", async () => {
    const { session, host, posted } = createSession();
    host.script = [{ chunks: ["a\u0000b\u001b[2Jc"] }];
    session.send("q", []);
    await answered(posted);
    const delta = posted.find((message) => message.kind === "answerDelta");
    assert.deepEqual(delta?.kind === "answerDelta" && delta.text, "ab[2Jc");
  });

  describe("workspace retrieval", () => {
    const source = (name: string, lines: number): StoredSource => ({
      path: `/w/src/${name}.ts`,
      label: `src/${name}.ts:3`,
      startLine: 2,
      endLine: 2 + lines - 1,
      symbols: [name],
      languageId: "typescript",
      content: Array.from({ length: lines }, (_, line) => `  const ${name}Line${line} = ${line};`).join("\n"),
    });

    it("sends the retrieved chunks with the question and cites them under the answer", async () => {
      const sources = [source("validateToken", 3), source("parseHeader", 2)];
      const { session, host, posted } = createSession({ contextSize: 4096, sources });
      session.send("where is the token validated?", []);
      await answered(posted);
      const question = host.requests[0].turns.at(-1)?.text ?? "";
      assert.ok(question.includes("src/validateToken.ts:3:\n```typescript\n  const validateTokenLine0"), question);
      assert.ok(question.includes("src/parseHeader.ts:3:"), question);
      assert.ok(question.endsWith("where is the token validated?"), question);
      const cited = posted.find((message) => message.kind === "sources");
      assert.deepEqual(cited?.kind === "sources" && cited.sources, [
        { label: "src/validateToken.ts:3", detail: "validateToken, lines 3-5" },
        { label: "src/parseHeader.ts:3", detail: "parseHeader, lines 3-4" },
      ]);
    });

    it("keeps only the chunks that fit half the room the question leaves", async () => {
      // 512 tokens: 128 for the answer, and the chunks may take about half of what the question leaves.
      const sources = [source("small", 2), source("huge", 200), source("alsoSmall", 2)];
      const { session, host, posted } = createSession({ contextSize: 512, sources });
      session.send("q", []);
      await answered(posted);
      const question = host.requests[0].turns.at(-1)?.text ?? "";
      assert.ok(question.includes("src/small.ts:3") && question.includes("src/alsoSmall.ts:3"), question);
      assert.ok(!question.includes("src/huge.ts:3"), "the chunk that does not fit is left out, not cut");
    });

    it("counts the chunks with the model's tokenizer where the backend has one", async () => {
      // Short chunks by their characters, but this tokenizer says "dense" costs 300 tokens: only "light" fits.
      const sources = [source("dense", 2), source("light", 2)];
      const counted: string[][] = [];
      const { session, host, posted } = createSession({
        contextSize: 512,
        sources,
        countTokens: (texts) => {
          counted.push(texts);
          return texts.map((text) => (text.includes("denseLine") ? 300 : 10));
        },
      });
      session.send("q", []);
      await answered(posted);
      const question = host.requests[0].turns.at(-1)?.text ?? "";
      assert.ok(question.includes("src/light.ts:3") && !question.includes("src/dense.ts:3"), question);
      assert.equal(counted.length, 1, "one request counts the prompt's pieces and every chunk");
      assert.equal(counted[0].length, 3 + sources.length);
    });

    it("drops a cited source and answers again without it, without searching again", async () => {
      const sources = [source("first", 2), source("second", 2)];
      const { session, host, posted, retrievals } = createSession({ contextSize: 4096, sources });
      session.send("q", []);
      await answered(posted);
      const added = posted.find((message) => message.kind === "messageAdded" && message.message.role === "assistant");
      assert.ok(added?.kind === "messageAdded");
      posted.length = 0;
      assert.equal(session.dropSource(added.message.id, 0), true);
      await answered(posted);
      assert.deepEqual(retrievals, ["q"]);
      assert.equal(host.requests.length, 2);
      const question = host.requests[1].turns.at(-1)?.text ?? "";
      assert.ok(!question.includes("src/first.ts:3") && question.includes("src/second.ts:3"), question);
      assert.equal(session.source(added.message.id, 0), undefined, "the old answer is gone");
    });

    it("answers without workspace code when retrieval is off", async () => {
      const { session, host, posted } = createSession({ contextSize: 4096 });
      session.send("q", []);
      await answered(posted);
      assert.equal(host.requests[0].turns.at(-1)?.text, "q");
      assert.equal(
        posted.some((message) => message.kind === "sources"),
        false,
      );
    });
  });
});
