import assert from "node:assert/strict";
import { isChatFromWebview, maxChatInputLength } from "../../../extension/src/core/protocol/webview";

describe("chat webview message validation", () => {
  const valid: unknown[] = [
    { kind: "ready" },
    { kind: "send", text: "What does this do?" },
    { kind: "draftChanged", text: "" },
    { kind: "stop" },
    { kind: "regenerate" },
    { kind: "newChat" },
    { kind: "openConversation", conversationId: "c1" },
    { kind: "renameConversation", conversationId: "c1" },
    { kind: "deleteConversation", conversationId: "c1" },
    { kind: "attachCurrentFile" },
    { kind: "attachSelection" },
    { kind: "searchMentions", query: "" },
    { kind: "searchMentions", query: "symbol:parse" },
    { kind: "attachMention", mention: { kind: "file", value: "src/app.py" } },
    { kind: "attachMention", mention: { kind: "folder", value: "src" } },
    { kind: "attachMention", mention: { kind: "problems", value: "workspace" } },
    { kind: "attachMention", mention: { kind: "changes", value: "" } },
    { kind: "removeAttachment", attachmentId: "3" },
    { kind: "codeAction", action: "insert", messageId: "m1", index: 0 },
    { kind: "openLink", href: "https://example.com" },
    { kind: "openSource", messageId: "m1", index: 0 },
    { kind: "dropSource", messageId: "m1", index: 2 },
    { kind: "setRetrieval", enabled: false },
  ];
  for (const message of valid) {
    it(`accepts ${JSON.stringify(message)}`, () => assert.equal(isChatFromWebview(message), true));
  }

  const invalid: Array<[string, unknown]> = [
    ["null", null],
    ["a string", "send"],
    ["an array", [{ kind: "ready" }]],
    ["an unknown kind", { kind: "runCommand", command: "workbench.action.terminal.new" }],
    ["a send without text", { kind: "send" }],
    ["a blank send", { kind: "send", text: "  \n " }],
    ["a send of a number", { kind: "send", text: 42 }],
    ["an oversized send", { kind: "send", text: "x".repeat(maxChatInputLength + 1) }],
    ["a draft that is not text", { kind: "draftChanged", text: null }],
    ["an empty conversation id", { kind: "openConversation", conversationId: "" }],
    ["a conversation id object", { kind: "deleteConversation", conversationId: { id: "c1" } }],
    ["an unknown code action", { kind: "codeAction", action: "run", messageId: "m1", index: 0 }],
    ["a negative block index", { kind: "codeAction", action: "copy", messageId: "m1", index: -1 }],
    ["a source named by path, not by place", { kind: "openSource", messageId: "m1", path: "/etc/passwd" }],
    ["a fractional source index", { kind: "dropSource", messageId: "m1", index: 0.5 }],
    ["a retrieval switch that is not a boolean", { kind: "setRetrieval", enabled: "yes" }],
    ["a fractional block index", { kind: "codeAction", action: "copy", messageId: "m1", index: 0.5 }],
    ["a string block index", { kind: "codeAction", action: "copy", messageId: "m1", index: "0" }],
    ["an empty attach path", { kind: "attachMention", mention: { kind: "file", value: "" } }],
    ["an unknown mention kind", { kind: "attachMention", mention: { kind: "terminal", value: "" } }],
    ["a mention that is not an object", { kind: "attachMention", mention: "file:src/app.py" }],
    ["a link that is not a string", { kind: "openLink", href: ["https://example.com"] }],
    ["a kind inherited from the prototype", Object.create({ kind: "ready" })],
  ];
  for (const [name, message] of invalid) {
    it(`rejects ${name}`, () => assert.equal(isChatFromWebview(message), false));
  }
});
