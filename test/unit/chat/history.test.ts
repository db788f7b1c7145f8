import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Conversation } from "../../../extension/src/core/chat/conversation";
import { boundHistory, parseHistory, serializeHistory } from "../../../extension/src/core/chat/history";
import { HistoryFile, historyFileName } from "../../../extension/src/node/chat/historyFile";

function conversation(id: string, updatedAt: number, messageCount = 2, size = 10): Conversation {
  return {
    id,
    title: `chat ${id}`,
    createdAt: updatedAt - 1,
    updatedAt,
    messages: Array.from({ length: messageCount }, (_, i) => ({
      id: `${id}-${i}`,
      role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
      text: `${i}:${"t".repeat(size)}`,
      status: "complete" as const,
      attachments: [],
    })),
  };
}

describe("chat history format", () => {
  it("round-trips", () => {
    const conversations = [conversation("a", 2), conversation("b", 1)];
    const parsed = parseHistory(serializeHistory(conversations));
    assert.deepEqual(parsed, { ok: true, conversations, skipped: 0 });
  });

  const broken: Array<[string, string]> = [
    ["not JSON", '{"version":1,"conversations":['],
    ["no list", '{"version":1}'],
    ["a future version", '{"version":2,"conversations":[]}'],
    ["an array", "[]"],
  ];
  for (const [name, text] of broken) {
    it(`fails on ${name}`, () => assert.equal(parseHistory(text).ok, false));
  }

  it("skips damaged conversations and duplicate ids, keeping the rest", () => {
    const good = conversation("a", 2);
    const damaged = {
      ...conversation("b", 1),
      messages: [{ id: "x", role: "system", text: "", status: "complete", attachments: [] }],
    };
    const text = JSON.stringify({ version: 1, conversations: [good, damaged, { id: 3 }, good] });
    assert.deepEqual(parseHistory(text), { ok: true, conversations: [good], skipped: 3 });
  });

  it("keeps the newest conversations within the count limit", () => {
    const bounded = boundHistory([conversation("old", 1), conversation("new", 3), conversation("mid", 2)], {
      maxConversations: 2,
      maxBytes: 1e6,
    });
    assert.deepEqual(
      bounded.map((c) => c.id),
      ["new", "mid"],
    );
  });

  it("keeps the file within the byte limit, trimming the newest conversation's oldest messages if it alone is too big", () => {
    const conversations = [conversation("a", 3, 4, 300), conversation("b", 2, 4, 300), conversation("c", 1, 4, 300)];
    const limit = Buffer.byteLength(serializeHistory(conversations.slice(0, 2)));
    const bounded = boundHistory(conversations, { maxConversations: 10, maxBytes: limit });
    assert.deepEqual(
      bounded.map((c) => c.id),
      ["a", "b"],
    );
    assert.deepEqual(
      boundHistory(conversations, { maxConversations: 10, maxBytes: limit - 1 }).map((c) => c.id),
      ["a"],
    );

    const huge = conversation("huge", 5, 40, 1000);
    const trimmed = boundHistory([huge, conversation("small", 1)], { maxConversations: 10, maxBytes: 10_000 });
    assert.deepEqual(
      trimmed.map((c) => c.id),
      ["huge"],
    );
    assert.ok(trimmed[0].messages.length < 40 && trimmed[0].messages.length > 0);
    assert.deepEqual(trimmed[0].messages.at(-1), huge.messages.at(-1));
    assert.ok(Buffer.byteLength(serializeHistory(trimmed)) <= 10_000);
  });
});

describe("chat history file", () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), "llama-assist-history-"));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("starts empty without a file, and reads back what it saved", async () => {
    const file = new HistoryFile(path.join(directory, "storage"));
    assert.deepEqual(await file.load(), { conversations: [] });
    const conversations = [conversation("a", 2)];
    await file.save(conversations);
    assert.deepEqual(await new HistoryFile(path.join(directory, "storage")).load(), { conversations });
  });

  it("keeps the last of several queued writes, and leaves no temporary file behind", async () => {
    const file = new HistoryFile(directory);
    await Promise.all([
      file.save([conversation("a", 1)]),
      file.save([conversation("b", 2)]),
      file.save([conversation("c", 3)]),
    ]);
    assert.deepEqual(
      (await file.load()).conversations.map((c) => c.id),
      ["c"],
    );
    assert.deepEqual(await readdir(directory), [historyFileName]);
  });

  it("sets a corrupt file aside, reports it, and starts a new history", async () => {
    const corrupt = '{"version":1,"conversations":[{"id":';
    await writeFile(path.join(directory, historyFileName), corrupt);
    const loaded = await new HistoryFile(directory).load();
    assert.deepEqual(loaded.conversations, []);
    assert.match(loaded.problem ?? "", /unreadable \(it is not valid JSON/);
    assert.ok(loaded.setAsidePath !== undefined);
    assert.equal(await readFile(loaded.setAsidePath, "utf8"), corrupt);
    assert.deepEqual(await readdir(directory), [path.basename(loaded.setAsidePath)]);
  });

  it("keeps the readable conversations of a partly damaged file and the original beside it", async () => {
    const good = conversation("a", 2);
    await writeFile(
      path.join(directory, historyFileName),
      JSON.stringify({ version: 1, conversations: [good, { id: "b" }] }),
    );
    const loaded = await new HistoryFile(directory).load();
    assert.deepEqual(loaded.conversations, [good]);
    assert.match(loaded.problem ?? "", /1 damaged conversation/);
    assert.ok((await readdir(directory)).some((name) => name.startsWith("chat-history.corrupt-")));
  });
});
