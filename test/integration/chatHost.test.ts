// The chat session through the real inference host (scripted fixture models) and the real Shield.
import assert from "node:assert/strict";
import type { Shield } from "../../extension/src/core/shield";
import type { ChatToWebview } from "../../extension/src/core/protocol/webview";
import { type StoredSource, sourceText } from "../../extension/src/core/chat/conversation";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { chatAnswer, chatAnswerCode, endlessPiece, ensureScriptedModel } from "../fixtures/scriptedModel";
import { answerEnded, createChatRig, loadChatShield } from "./chatHarness";

function deltasOf(posted: ChatToWebview[]): string[] {
  return posted.flatMap((message) => (message.kind === "answerDelta" ? [message.text] : []));
}

describe("chat through the real host", function () {
  let shield: Shield;
  let host: TestHost;

  before(async function () {
    shield = await loadChatShield();
    host = createTestHost(hostConfig(ensureScriptedModel("standard"), { contextSize: 1024 }));
    await host.client.start();
  });

  after(async function () {
    await host?.client.dispose();
    shield?.dispose();
  });

  it("streams the scripted model's answer and scans its code block before the answer ends", async function () {
    const { session, posted, persisted } = createChatRig(host.client, shield);
    assert.equal(session.send("Write a greeting function in Python.", []), true);
    const ended = await answerEnded(posted);
    assert.equal(ended.status, "complete");
    const deltas = deltasOf(posted);
    assert.ok(deltas.length >= 5, `${deltas.length} chunks`);
    assert.equal(deltas.join(""), chatAnswer);

    const verdicts = posted.flatMap((message) => (message.kind === "codeVerdict" ? [message.verdict] : []));
    assert.equal(verdicts.length, 1);
    assert.equal(verdicts[0].action, "show");
    assert.deepEqual(verdicts[0].findings, []);
    assert.equal(session.codeBlock(ended.messageId, 0)?.code, `${chatAnswerCode}\n`);
    assert.equal(session.codeBlock(ended.messageId, 0)?.languageId, "python");

    const budget = posted.filter((message) => message.kind === "budget").at(-1);
    assert.ok(budget?.kind === "budget");
    assert.equal(budget.budget.contextSize, 1024);
    assert.ok((budget.budget.usedTokens ?? 0) > 12, `used ${budget.budget.usedTokens}`);
    assert.equal(persisted.at(-1)?.[0].messages[1].text, chatAnswer);
  });

  it("fits the retrieved chunks into the prompt counted with the chat model's tokenizer", async function () {
    const counts = await host.client.countChatTokens(["", "def validate_token(token):", "token ".repeat(400)]);
    assert.equal(counts.length, 3);
    assert.equal(counts[0], 0);
    assert.ok(counts[1] > 0 && counts[2] > counts[1], counts.join(", "));
    const source = (name: string, content: string): StoredSource => ({
      path: `/w/${name}.py`,
      label: `${name}.py:1`,
      startLine: 0,
      endLine: content.split("\n").length - 1,
      symbols: [name],
      languageId: "python",
      content,
    });
    // 1024 tokens, 256 kept for the answer: the chunks get about half of the rest, which the long one exceeds.
    const long = source("long", `def long():\n    return "${"token ".repeat(400)}"`);
    const short = source("short", "def validate_token(token):\n    return token == 'x'");
    const [longTokens] = await host.client.countChatTokens([sourceText(long)]);
    assert.ok(longTokens > 400, `${longTokens}`);
    const { session, posted } = createChatRig(host.client, shield, undefined, undefined, undefined, [long, short]);
    session.send("Where is the token validated?", []);
    assert.equal((await answerEnded(posted)).status, "complete");
    const cited = posted.find((message) => message.kind === "sources");
    assert.deepEqual(cited?.kind === "sources" && cited.sources.map((view) => view.label), ["short.py:1"]);
  });

  it("fits a long conversation into a small context by leaving old turns out, counted by the host", async function () {
    const { session, posted } = createChatRig(host.client, shield);
    for (let turn = 0; turn < 8; turn++) {
      posted.length = 0;
      session.send(`Question ${turn}: ${"explain this loop please ".repeat(20)}`, []);
      const ended = await answerEnded(posted);
      assert.equal(
        ended.status,
        "complete",
        `turn ${turn}: ${ended.error ?? ""} ${JSON.stringify(posted.filter((m) => m.kind === "notice"))}`,
      );
      assert.equal(deltasOf(posted).join(""), chatAnswer);
    }
    const budget = posted.filter((message) => message.kind === "budget").at(-1);
    assert.ok(budget?.kind === "budget");
    assert.ok(budget.budget.droppedMessages > 0, "old turns should have been left out");
    assert.ok((budget.budget.usedTokens ?? Infinity) <= 1024, `used ${budget.budget.usedTokens}`);
  });
});

describe("chat stop through the real host", function () {
  let shield: Shield;
  let host: TestHost;

  before(async function () {
    shield = await loadChatShield();
    host = createTestHost(hostConfig(ensureScriptedModel("endless"), { contextSize: 1024 }));
    await host.client.start();
  });

  after(async function () {
    await host?.client.dispose();
    shield?.dispose();
  });

  it("stops an endless answer at once and keeps what was streamed", async function () {
    const { session, posted } = createChatRig(host.client, shield);
    session.send("Talk forever.", []);
    while (deltasOf(posted).length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    session.stop();
    const ended = await answerEnded(posted);
    assert.equal(ended.status, "stopped");
    const streamed = deltasOf(posted).join("");
    assert.ok(streamed.startsWith(endlessPiece.repeat(5)));
    // The answer may run to 256 tokens; stopping ends it long before that.
    assert.ok(streamed.length < endlessPiece.length * 200, `${streamed.length / endlessPiece.length} pieces streamed`);
    assert.equal(session.busy, false);
  });
});
