// The scripted models that people and the end-to-end tests see: the demo model `npm start` uses, the one whose chat
// answer is insecure code, and the one whose answer links to files. Through the real host, chat session and Shield.
import assert from "node:assert/strict";
import type { Shield } from "../../extension/src/core/shield";
import { describeHost, presentHostState } from "../../extension/src/core/host/hostStatus";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import {
  demoModelDescription,
  demoModelName,
  ensureScriptedModel,
  insecureChatAnswer,
  linkChatAnswer,
} from "../fixtures/scriptedModel";
import { answerEnded, createChatRig, loadChatShield } from "./chatHarness";

describe("scripted models for people and the end-to-end tests", function () {
  let host: TestHost | undefined;

  afterEach(async function () {
    await host?.client.dispose();
    host = undefined;
  });

  it("the demo model says in its own metadata that it is a demo, and the status bar shows it", async function () {
    host = createTestHost(hostConfig(ensureScriptedModel("demo")));
    await host.client.start();
    const state = host.client.state;
    assert.equal(state.phase, "ready");
    if (state.phase !== "ready") return;
    assert.equal(state.info.completionModel.name, demoModelName);
    assert.equal(state.info.completionModel.description, demoModelDescription);
    const shown = presentHostState(state, true);
    assert.match(shown.text, /DEMO model \(scripted: plumbing, not intelligence\) · CPU$/);
    assert.ok(describeHost(state.info).includes(`  about: ${demoModelDescription}`));
  });

  describe("the insecureChat model", function () {
    let shield: Shield;
    before(async function () {
      shield = await loadChatShield();
    });
    after(function () {
      shield?.dispose();
    });

    it("answers with a Python block that the Shield withholds for subprocess with shell=True", async function () {
      host = createTestHost(hostConfig(ensureScriptedModel("insecureChat")));
      await host.client.start();
      const { session, posted } = createChatRig(host.client, shield);
      assert.equal(session.send("How do I run a command?", []), true);
      const ended = await answerEnded(posted);
      assert.equal(ended.status, "complete");
      const text = posted.flatMap((message) => (message.kind === "answerDelta" ? [message.text] : [])).join("");
      assert.equal(text, insecureChatAnswer);
      const verdicts = posted.flatMap((message) => (message.kind === "codeVerdict" ? [message.verdict] : []));
      assert.equal(verdicts.length, 1);
      assert.equal(verdicts[0].action, "withhold");
      assert.deepEqual(
        verdicts[0].findings.map((finding) => finding.ruleId),
        ["python.subprocess-shell"],
      );
    });
  });

  it("the linkChat model answers with a link outside the workspace and one into it", async function () {
    host = createTestHost(hostConfig(ensureScriptedModel("linkChat")));
    await host.client.start();
    const shield = await loadChatShield();
    try {
      const { session, posted } = createChatRig(host.client, shield);
      assert.equal(session.send("Where are the passwords kept?", []), true);
      const ended = await answerEnded(posted);
      assert.equal(ended.status, "complete");
      const text = posted.flatMap((message) => (message.kind === "answerDelta" ? [message.text] : [])).join("");
      assert.equal(text, linkChatAnswer);
    } finally {
      shield.dispose();
    }
  });
});
