import assert from "node:assert/strict";
import type { ChatParams, InfillParams } from "../../../extension/src/core/protocol/host";
import { createRemoteRedaction } from "../../../extension/src/core/remote/redaction";
import { userTurnText } from "../../../extension/src/core/chat/conversation";
import type { Shield } from "../../../extension/src/core/shield";
import { loadShield } from "../shield/harness";

const slackToken = ["xoxb", "-", "2048117733-8127312377-ZyXwVuTsRqPo"].join("");

describe("redaction of requests to servers off this machine", function () {
  let shield: Shield;
  before(async function () {
    shield = await loadShield(["python", "typescript"]);
  });
  after(function () {
    shield.dispose();
  });

  it("a completion: prefix, suffix, context pieces and scopes, with a secret cut by the cursor left in the prefix", async function () {
    const redaction = createRemoteRedaction(async () => shield);
    const params: InfillParams = {
      prefix: `SLACK = "${slackToken.slice(0, 20)}`,
      suffix: `${slackToken.slice(20)}"\n`,
      maxTokens: 8,
      stop: [],
      temperature: 0,
      context: {
        budget: { totalTokens: 100, suffixShare: 0.2, snippetShare: 0.3 },
        prefixFirstLine: 0,
        languageId: "python",
        path: "app.py",
        pieces: [{ path: "settings.py", text: 'admin_password = "Pa55w0rd!x"\n', reason: "imported" }],
        scopes: [],
      },
    };
    const { params: sent, redacted } = await redaction.infill(params);
    assert.equal(sent.prefix, 'SLACK = "[REDACTED]');
    assert.equal(sent.suffix, '"\n');
    assert.equal(sent.context?.pieces[0].text, 'admin_password = "[REDACTED]"\n');
    assert.equal(redacted, 2);
  });

  it("a chat: attachments are searched as code of their language, the message as text", async function () {
    const redaction = createRemoteRedaction(async () => shield);
    const question = userTurnText({
      id: "1",
      role: "user",
      status: "complete",
      text: `Why does ${slackToken} fail?`,
      attachments: [
        { label: "config.ts", languageId: "typescript", content: 'export const dbPassword = "q8Zr!m2Lx";\n' },
      ],
    });
    const params: ChatParams = {
      systemPrompt: "You are helpful.",
      turns: [{ role: "user", text: question }],
      maxTokens: 8,
      temperature: 0,
    };
    const { params: sent, redacted } = await redaction.chat(params);
    assert.equal(
      sent.turns[0].text,
      'config.ts:\n```typescript\nexport const dbPassword = "[REDACTED]";\n\n```\n\nWhy does [REDACTED] fail?',
    );
    assert.equal(redacted, 2);
    assert.equal(sent.systemPrompt, "You are helpful.");
  });
});
