// Issue 6 in a real VS Code (code-server + Chromium): the chat view with the real extension, host and scripted model.
// Send a question, see the streamed answer with its Shield-checked code block, Insert at cursor, attach the selection
// through the command. Finding the conversation again after a window reload is pending (see the last test).
import assert from "node:assert/strict";
import path from "node:path";
import type { Frame, Page } from "playwright-core";
import { ensureScriptedModel } from "../fixtures/scriptedModel";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { Scenario, hostStatusEntry } from "./scenario";
import { fileSettledTo } from "./settle";

const readyTimeoutMs = 90_000;
const answerTimeoutMs = 90_000;

/** VS Code nests each webview's document two iframes deep; the chat's is the one with the message box. */
async function chatFrame(page: Page, waitMs: number): Promise<Frame | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (await frame.locator("#input").count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Opens the Llama Assist container unless VS Code restored it open (a click would then close it). */
async function openChat(scenario: Scenario): Promise<Frame> {
  const page = scenario.workbench.page;
  const containerOpen = page.locator('.activitybar .action-item.checked .action-label[aria-label^="Llama Assist"]');
  // A click toggles the container, and a close requested just before may not have landed yet: look again each try,
  // and close a container whose chat stayed blank so that the next try opens it afresh.
  for (let attempt = 0; attempt < 3; attempt++) {
    if ((await containerOpen.count()) === 0) await scenario.workbench.activityBarItem("Llama Assist").click();
    const frame = await chatFrame(page, 20_000);
    if (frame !== undefined) return chatReady(frame);
    if (await containerOpen.count()) await scenario.workbench.activityBarItem("Llama Assist").click();
    await containerOpen.waitFor({ state: "detached", timeout: 10_000 });
  }
  throw new Error("the chat webview never appeared");
}

/** The page's HTML is there before its script runs; the budget line is filled once the extension has answered. */
async function chatReady(frame: Frame): Promise<Frame> {
  await frame.locator("#budget", { hasText: "tokens" }).waitFor({ timeout: 60_000 });
  return frame;
}

describe("issue 6, chat: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  let scenario: Scenario | undefined;

  afterEach(async function () {
    const finished = scenario;
    scenario = undefined;
    if (finished) await timed(`${finished.name}: teardown`, () => finished.finish(this.currentTest?.state === "failed"));
  });

  it("asks in the chat view, inserts the answer's code at the cursor, and attaches the selection", async function () {
    scenario = await Scenario.start("chat", {
      codeServer: await codeServerExecutable(),
      settings: { "llamaAssist.completionModel.path": ensureScriptedModel("standard"), "llamaAssist.gpu": "cpu" },
      files: { "chat_demo.py": "import sys\n\n\n" },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    await workbench.openFile("chat_demo.py");
    await workbench.waitForStatusText(hostStatusEntry, (text) => /· CPU$/.test(text), readyTimeoutMs);
    // The cursor at the end of the file, where Insert at cursor will put the code.
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+End");

    const chat = await openChat(scenario);
    await chat.locator("#input").fill("Write a greeting function.");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator(".message.assistant").last();
    await timed("chat: send to rendered code block", () => answer.locator("pre code").waitFor({ timeout: answerTimeoutMs }));
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

  // Pending, not passing: after Developer: Reload Window in code-server 4.100.3 the restored chat view sometimes comes up
  // unstyled and empty (its stylesheet and history never arrive) until the container is reopened; the cause is not known.
  it("keeps the conversation across a window reload (pending: the restored chat view can come up unstyled and empty)");
});
