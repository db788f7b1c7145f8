// Issue 20 in a real VS Code (code-server + Chromium): a chat answer's code block, with the real extension, host and
// scripted model. Apply finds the function the block rewrites in the open file and proposes it there in the refactor's
// diff preview; Accept is one undo step. Insert puts the block at the cursor, Copy puts it on the clipboard. Where the
// function is in no open file, Apply finds it in a file the answer cites, and Reject leaves that file as it was; where
// it is nowhere, Apply falls back to the selection.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";
import { fileSettledTo, textMatching } from "./settle";
import { openChat } from "./chatView";

const readyTimeoutMs = 90_000;
const answerTimeoutMs = 90_000;

/** greet() is what the scripted model's answer rewrites; farewell() must stay as it is. */
const source = [
  "import sys",
  "",
  "",
  "def greet(name):",
  '    return "Hi, " + name',
  "",
  "",
  "def farewell(name):",
  '    return "Bye, " + name',
  "",
].join("\n");
const block = 'def greet(name):\n    return "Hello, " + name\n';

describe("issue 20, apply from chat: Copy, Insert and Apply in a real VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  const startScenario = scenarioPerTest();

  it("Apply replaces the function the block rewrites, in a diff preview, as one undo step; Insert and Copy put the block where the user is", async function () {
    const scenario = await startScenario("chat-apply", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("standard"),
      files: { "greetings.py": source, "scratch.py": "" },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    const file = path.join(scenario.workspace, "greetings.py");
    await workbench.openFile("greetings.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);
    // The cursor on the last line and no selection: Apply must find greet() by itself.
    const sourceLines = page.locator(".monaco-editor .view-lines").first();
    await sourceLines.click();
    await page.keyboard.press("Control+End");

    const chat = await openChat(scenario);
    await chat.locator("#input").fill("Make greet say Hello.");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator(".message.assistant").last();
    await answer.locator("pre code").waitFor({ timeout: answerTimeoutMs });
    await chat.locator('.message.assistant[data-status="complete"]').waitFor();
    assert.equal(await answer.locator("pre code").textContent(), block);

    await answer.getByRole("button", { name: "Apply" }).click();
    const diffTab = page.locator('.tabs-container .tab[aria-label*="greetings.py ↔ greet from chat (proposed)"]');
    await timed("chat-apply: Apply to diff preview", () => diffTab.waitFor({ timeout: 30_000 }));
    const modifiedText = await textMatching(
      page.locator(".monaco-diff-editor .editor.modified .view-lines").first(),
      /return "Hello, " \+ name/,
    );
    assert.match(modifiedText, /return "Bye, " \+ name/, "the rest of the file is in the proposal, unchanged");
    await workbench.screenshot("apply-preview");

    await workbench.runCommand("Llama Assist: Accept Refactor");
    await diffTab.waitFor({ state: "detached" });
    await sourceLines.filter({ hasText: "Hello" }).waitFor();
    await page.keyboard.press("Control+S");
    const applied = source.replace('"Hi, "', '"Hello, "');
    assert.equal(await fileSettledTo(file, (text) => text === applied), applied);
    await page.keyboard.press("Control+Z");
    await sourceLines.filter({ hasText: "Hi," }).waitFor();
    await page.keyboard.press("Control+S");
    assert.equal(await fileSettledTo(file, (text) => text === source), source, "one Undo restores the file");

    // Insert at the cursor of another file.
    await workbench.openFile("scratch.py");
    const scratch = path.join(scenario.workspace, "scratch.py");
    await page.locator(".monaco-editor .view-lines").first().click();
    await answer.getByRole("button", { name: "Insert at cursor" }).click();
    await page.locator(".monaco-editor .view-lines").first().filter({ hasText: "def greet(name):" }).waitFor();
    await workbench.save();
    assert.equal(await fileSettledTo(scratch, (text) => text.includes("def greet")), block);

    // Copy, then paste into the same file with the editor's own paste: the browser's clipboard, which headless
    // Chromium opens only with the permissions a user would grant.
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await answer.getByRole("button", { name: "Copy" }).click();
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+End");
    await workbench.runCommand("Paste");
    await workbench.save();
    assert.equal(
      await fileSettledTo(scratch, (text) => text.split("def greet").length === 3),
      block + block,
      "Copy put the block on the clipboard",
    );
  });

  it("Apply finds the function in a cited file that no editor has open, and Reject leaves the file as it was", async function () {
    const scenario = await startScenario("chat-apply-cited", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("standard"),
      files: { "greetings.py": source, "main.py": "from greetings import greet\n\nprint(greet('you'))\n" },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    await workbench.openFile("main.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);

    const chat = await openChat(scenario);
    await chat.locator("#input").fill("How does greet say hi to a name?");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator(".message.assistant").last();
    await chat.locator('.message.assistant[data-status="complete"]').waitFor({ timeout: answerTimeoutMs });
    const cited = await answer.locator(".message-sources .source-link").allInnerTexts();
    assert.ok(cited.includes("greetings.py:4"), `greet() is cited: ${cited.join(", ")}`);
    assert.equal(await page.locator('.tabs-container .tab[aria-label^="greetings.py"]').count(), 0);

    await answer.getByRole("button", { name: "Apply" }).click();
    const diffTab = page.locator('.tabs-container .tab[aria-label*="greetings.py ↔ greet from chat (proposed)"]');
    await diffTab.waitFor({ timeout: 30_000 });
    await textMatching(
      page.locator(".monaco-diff-editor .editor.modified .view-lines").first(),
      /return "Hello, " \+ name/,
    );
    await workbench.runCommand("Llama Assist: Reject Refactor");
    await diffTab.waitFor({ state: "detached" });
    // Apply opened the cited file without an editor; Reject must leave it unedited, not merely unsaved.
    await workbench.openFile("greetings.py");
    const lines = await textMatching(page.locator(".monaco-editor .view-lines").first(), /def farewell/);
    assert.match(lines, /return "Hi, " \+ name/, "Reject changed nothing");
    assert.doesNotMatch(lines, /Hello/);
    assert.equal(await readFile(path.join(scenario.workspace, "greetings.py"), "utf8"), source);
  });

  it("Apply falls back to the selection where no open or cited file defines the function", async function () {
    const before = "x = 1\ny = 2\n";
    const scenario = await startScenario("chat-apply-selection", {
      codeServer: await codeServerExecutable(),
      settings: { ...scriptedModelSettings("standard"), "llamaAssist.chat.retrieval": false },
      files: { "numbers.py": before },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    await workbench.openFile("numbers.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+A");

    const chat = await openChat(scenario);
    await chat.locator("#input").fill("Write a greeting function.");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator(".message.assistant").last();
    await chat.locator('.message.assistant[data-status="complete"]').waitFor({ timeout: answerTimeoutMs });
    await answer.getByRole("button", { name: "Apply" }).click();

    await page.locator('.tabs-container .tab[aria-label*="numbers.py ↔ Llama Assist\'s proposal"]').waitFor();
    const question = page.locator(".notifications-toasts .notification-toast", {
      hasText: "Apply Llama Assist's change to the selection?",
    });
    await question.getByRole("button", { name: "Apply" }).click();
    // The diff view shows the same file; once the edit has made it dirty, saving every editor writes it.
    await page.locator(".tabs-container .tab.dirty").first().waitFor();
    await workbench.runCommand("File: Save All");
    const file = path.join(scenario.workspace, "numbers.py");
    assert.equal(await fileSettledTo(file, (text) => text !== before), block, "the block replaced the selection");
  });
});
