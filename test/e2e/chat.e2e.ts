// Issues 6 and 7 in a real VS Code (code-server + Chromium): the chat view with the real extension, host and scripted
// model. Send a question, see the streamed answer with its Shield-checked code block, Insert at cursor, attach the
// selection through the command; the same on Llama 3.1's real tokenizer and chat template (issue 17); Explain from
// the refactor menu answers in the chat, and that conversation is there again after Developer: Reload Window.
import assert from "node:assert/strict";
import path from "node:path";
import type { Frame, Page } from "playwright-core";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";
import { fileSettledTo } from "./settle";
import { chatFrame, chatFrameNudged, openChat, openChatPage, runningChat } from "./chatView";
import { readFile } from "node:fs/promises";
import { ensureRealScriptedModel, llama31ChatAnswerCode, llama31Instruct } from "../fixtures/realScriptedModels";

const readyTimeoutMs = 90_000;
const answerTimeoutMs = 90_000;

/** The chat after a window reload: once our page exists, starting it is the extension's job. */
async function chatAfterReload(page: Page): Promise<Frame> {
  if ((await chatFrameNudged(page, 40_000, "after the reload")) === undefined)
    throw new Error("the chat webview did not come back after the reload");
  return runningChat(page, 60_000);
}

describe("issue 6, chat: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  const startScenario = scenarioPerTest();

  it("asks in the chat view, inserts the answer's code at the cursor, and attaches the selection", async function () {
    const scenario = await startScenario("chat", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("standard"),
      files: { "chat_demo.py": "import sys\n\n\n" },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    await workbench.openFile("chat_demo.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);
    // The cursor at the end of the file, where Insert at cursor will put the code.
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+End");

    const chat = await openChat(scenario);
    await chat.locator("#input").fill("Write a greeting function.");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator(".message.assistant").last();
    await timed("chat: send to rendered code block", () =>
      answer.locator("pre code").waitFor({ timeout: answerTimeoutMs }),
    );
    await chat.locator('.message.assistant[data-status="complete"]').waitFor();
    assert.match(await answer.locator(".message-content p").first().innerText(), /Here is your function:/);
    assert.equal(await answer.locator("pre code").textContent(), 'def greet(name):\n    return "Hello, " + name\n');
    assert.equal(await answer.locator(".shield-banner").count(), 0);
    assert.match(await chat.locator("#budget").innerText(), /\d+ \/ 4,096 tokens/);
    await workbench.screenshot("answer");

    await answer.getByRole("button", { name: "Insert at cursor" }).click();
    const editorLines = page.locator(".monaco-editor .view-lines").first();
    await editorLines.filter({ hasText: "def greet(name):" }).waitFor();
    await workbench.save();
    const file = path.join(scenario.workspace, "chat_demo.py");
    const saved = await fileSettledTo(file, (text) => text.includes("def greet"));
    assert.equal(saved, 'import sys\n\n\ndef greet(name):\n    return "Hello, " + name\n');

    // The selection command attaches the selected lines as a chip.
    await editorLines.click();
    await page.keyboard.press("Control+A");
    await workbench.runCommand("Llama Assist: Ask Llama Assist about Selection");
    await chat.locator(".chip", { hasText: "chat_demo.py:1-5" }).waitFor();
    await workbench.screenshot("selection-attached");
  });

  it("answers with a model on Llama 3.1 8B Instruct's real tokenizer and chat template, in a context capped below its 131,072", async function () {
    const scenario = await startScenario("chat-llama31", {
      codeServer: await codeServerExecutable(),
      settings: {
        "llamaAssist.completionModel.path": ensureRealScriptedModel(llama31Instruct),
        "llamaAssist.gpu": "cpu",
      },
      files: { "chat_demo.py": "import sys\n" },
    });
    const { workbench } = scenario;
    await workbench.openFile("chat_demo.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);
    const chat = await openChat(scenario);
    await chat.locator("#input").fill("Write a greeting function.");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator(".message.assistant").last();
    await answer.locator("pre code").waitFor({ timeout: answerTimeoutMs });
    // The model answers only after the template's assistant header, and the answer ends at <|eot_id|>.
    await chat.locator('.message.assistant[data-status="complete"]').waitFor();
    assert.match(await answer.locator(".message-content p").first().innerText(), /Here is your function:/);
    assert.equal(await answer.locator("pre code").textContent(), `${llama31ChatAnswerCode}\n`);
    assert.equal(await answer.locator(".shield-banner").count(), 0);
    // "auto" context: node-llama-cpp's memory estimate, capped at 32,768 tokens, not the training context.
    assert.match(await chat.locator("#budget").innerText(), /\d+ \/ 32,768 tokens/);
    await workbench.screenshot("llama31-answer");
  });

  it("a chat page whose script and stylesheet never arrived is loaded again by the extension", async function () {
    const scenario = await startScenario("chat-page-reloaded", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("standard"),
      files: {},
    });
    const { workbench } = scenario;
    const page = workbench.page;
    // What code-server now and then does to a webview frame created while its service worker is being replaced (see
    // extension/src/vscode/webviewPageReload.ts), on purpose: the page's requests go past the worker, to a host that does not exist.
    const devtools = await page.context().newCDPSession(page);
    await devtools.send("Network.enable");
    await devtools.send("Network.setBypassServiceWorker", { bypass: true });
    const deadPage = await openChatPage(scenario);
    await deadPage.waitForLoadState("load");
    assert.equal(await deadPage.locator("#budget").innerText(), "", "its script did not run");
    assert.notEqual(
      await deadPage.evaluate("getComputedStyle(document.getElementById('composer-actions')).display"),
      "flex",
      "its stylesheet did not apply",
    );
    await devtools.send("Network.setBypassServiceWorker", { bypass: false });

    const chat = await timed("chat-page-reloaded: dead page to a running one", () => runningChat(page, 60_000));
    assert.notEqual(chat, deadPage, "a new page");
    assert.equal(await chat.evaluate("getComputedStyle(document.getElementById('composer-actions')).display"), "flex");
    await chat.locator("#input").fill("Write a greeting function.");
    await chat.locator("#input").press("Enter");
    await chat.locator('.message.assistant[data-status="complete"] pre code').waitFor({ timeout: answerTimeoutMs });
    await workbench.screenshot("reloaded-page-answers");
  });

  it("Explain answers in the chat view with the code as a chip; the conversation is there again after a window reload", async function () {
    const source = [
      "import sys",
      "",
      "",
      "def greet(name):",
      '    return "Hi, " + name',
      "",
      "",
      "print(greet(sys.argv[1]))",
      "",
    ].join("\n");
    const scenario = await startScenario("chat-explain-reload", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("standard"),
      files: { "greet.py": source },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    await workbench.openFile("greet.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);
    // No selection: the cursor in greet()'s body makes the function (lines 4-5) the target.
    await page.keyboard.press("Control+G");
    await workbench.type("5");
    await page.keyboard.press("Enter");
    await workbench.runCommand("Llama Assist: Explain");

    // The command reveals the chat by itself; it was never opened in this window.
    const chat =
      (await chatFrame(page, 60_000)) === undefined ? await openChat(scenario) : await runningChat(page, 60_000);
    const question = chat.locator(".message.user").last();
    await question.waitFor({ timeout: answerTimeoutMs });
    assert.match(await question.locator(".message-text").innerText(), /^Explain what this code does/);
    assert.deepEqual(
      await question
        .locator(".message-attachments .chip")
        .allInnerTexts()
        .then((texts) => texts.map((text) => text.trim())),
      ["greet.py (context)", "greet.py:4-5"],
    );
    const answer = chat.locator('.message.assistant[data-status="complete"]').last();
    await timed("chat-explain-reload: Explain to complete answer in the chat", () =>
      answer.waitFor({ timeout: answerTimeoutMs }),
    );
    assert.match(await answer.locator(".message-content p").first().innerText(), /Here is your function:/);
    assert.equal(
      await chat.locator("#conversation-select option:checked").innerText(),
      "Explain what this code does, step by step, and point out an…",
    );
    assert.equal(
      await page.locator('.tabs-container .tab[aria-label*="Explanation of"]').count(),
      0,
      "no Markdown preview any more",
    );
    assert.equal(await readFile(path.join(scenario.workspace, "greet.py"), "utf8"), source, "Explain changes nothing");
    await workbench.screenshot("explained-in-chat");

    await workbench.runCommand("Developer: Reload Window");
    await workbench.activityBarItem("Llama Assist").waitFor({ timeout: 60_000 });
    const restored = await chatAfterReload(page);
    await restored.locator(".message.user", { hasText: "Explain what this code does" }).waitFor({ timeout: 30_000 });
    assert.deepEqual(
      await restored
        .locator(".message.user .chip")
        .allInnerTexts()
        .then((texts) => texts.map((text) => text.trim())),
      ["greet.py (context)", "greet.py:4-5"],
    );
    assert.match(
      await restored.locator('.message.assistant[data-status="complete"] .message-content p').first().innerText(),
      /Here is your function:/,
    );
    assert.equal(
      await restored.locator("#conversation-select option:checked").innerText(),
      "Explain what this code does, step by step, and point out an…",
    );
    // Styled: the stylesheet from the webview's resource origin applied (the composer is a flex row, not inline text).
    assert.equal(
      await restored.evaluate("getComputedStyle(document.getElementById('composer-actions')).display"),
      "flex",
    );
    await workbench.screenshot("after-reload");
  });
});
