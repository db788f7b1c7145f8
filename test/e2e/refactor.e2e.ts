// Issue 7 in a real VS Code (code-server + Chromium): Refactor Selection… from the palette with the cursor in a
// function, the diff preview, Accept as one edit, and one Undo that brings the file back.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { type Scenario, scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";
import { fileSettledTo, textMatching } from "./settle";

const readyTimeoutMs = 90_000;
const answerTimeoutMs = 90_000;

/** The scripted model answers every chat with a greet() that says "Hello, "; this file's says "Hi, ". */
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

describe("issue 7, refactor: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  const startScenario = scenarioPerTest();

  it("Refactor Selection… on the enclosing function opens a diff; Accept changes the file in one undo step", async function () {
    const scenario = await startScenario("refactor-accept-undo", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("standard"),
      files: { "greet.py": source },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    const file = path.join(scenario.workspace, "greet.py");
    await workbench.openFile("greet.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);

    // No selection: the cursor on the function's body line makes greet() the target.
    await page.keyboard.press("Control+G");
    await workbench.type("5");
    await page.keyboard.press("Enter");
    await workbench.runCommand("Llama Assist: Refactor Selection…");
    const input = page.locator(".quick-input-widget .quick-input-box input");
    await input.waitFor();
    await input.fill("say Hello instead of Hi");
    await input.press("Enter");

    const diffTab = page.locator('.tabs-container .tab[aria-label*="greet.py ↔ Refactor (proposed)"]');
    await timed("refactor-accept-undo: request to diff preview", () => diffTab.waitFor({ timeout: answerTimeoutMs }));
    await page.locator(".monaco-diff-editor").first().waitFor();
    // The diff editor's lines render a moment after the editor itself appears.
    const modifiedText = await textMatching(
      page.locator(".monaco-diff-editor .editor.modified .view-lines").first(),
      /return "Hello, " \+ name/,
    );
    assert.match(modifiedText, /return "Hello, " \+ name/);
    await workbench.screenshot("diff-preview");

    await workbench.runCommand("Llama Assist: Accept Refactor");
    await diffTab.waitFor({ state: "detached" });
    // The palette returns before the command has run: wait for the edit to land in the source editor.
    const sourceLines = page.locator(".monaco-editor .view-lines").first();
    await sourceLines.filter({ hasText: "Hello" }).waitFor();
    await page.keyboard.press("Control+S");
    assert.equal(
      await fileSettledTo(file, (text) => text === source.replace('"Hi, "', '"Hello, "')),
      source.replace('"Hi, "', '"Hello, "'),
    );
    await workbench.screenshot("accepted");

    await page.keyboard.press("Control+Z");
    await sourceLines.filter({ hasText: "Hi" }).waitFor();
    await page.keyboard.press("Control+S");
    assert.equal(await fileSettledTo(file, (text) => text === source), source, "one Undo restores the file");
  });

  async function startWithGreet(name: string): Promise<Scenario> {
    return startScenario(name, {
      codeServer: await codeServerExecutable(),
      files: { "greet.py": source, "locked.py": source },
      settings: {
        ...scriptedModelSettings("standard"),
        "files.readonlyInclude": { "**/locked.py": true },
      },
    });
  }

  it("a read-only editor is refused before sending; Escape rejects and leaves the file alone; Generate Tests creates the test file", async function () {
    const current = await startWithGreet("refactor-presets");
    const { workbench } = current;
    const page = workbench.page;
    const file = path.join(current.workspace, "greet.py");

    // An editor that is read-only by setting (files.readonlyInclude): told before anything is sent, buffer untouched.
    await workbench.openFile("locked.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);
    await page.keyboard.press("Control+G");
    await workbench.type("5");
    await page.keyboard.press("Enter");
    await workbench.runCommand("Llama Assist: Refactor: Simplify");
    await page.locator(".notifications-toasts .notification-toast", { hasText: "locked.py is read-only" }).waitFor();
    const lockedLines = page.locator(".editor-group-container.active .monaco-editor .view-lines").first();
    assert.match((await lockedLines.innerText()).replace(/\u00a0/g, " "), /return "Hi, " \+ name/);
    assert.equal(
      await page.locator('.tabs-container .tab[aria-label*="locked.py ↔"]').count(),
      0,
      "no preview was opened",
    );

    await workbench.openFile("greet.py");
    await page.keyboard.press("Control+G");
    await workbench.type("5");
    await page.keyboard.press("Enter");
    await workbench.runCommand("Llama Assist: Refactor: Simplify");
    const simplifyTab = page.locator('.tabs-container .tab[aria-label*="greet.py ↔ Simplify (proposed)"]');
    await simplifyTab.waitFor({ timeout: answerTimeoutMs });
    await page.locator(".monaco-diff-editor .editor.modified .view-lines").first().click();
    await page.keyboard.press("Escape");
    await simplifyTab.waitFor({ state: "detached" });
    assert.equal(await readFile(file, "utf8"), source, "Reject changes nothing");

    await page.locator('.tabs-container .tab.active[aria-label^="greet.py"]').waitFor();
    await workbench.runCommand("Llama Assist: Generate Tests");
    const testsTab = page.locator('.tabs-container .tab[aria-label*="test_greet.py (new, proposed)"]');
    await testsTab.waitFor({ timeout: answerTimeoutMs });
    await workbench.screenshot("generate-tests-preview");
    await workbench.runCommand("Llama Assist: Accept Refactor");
    const testFile = path.join(current.workspace, "test_greet.py");
    assert.equal(
      await fileSettledTo(testFile, (text) => text === 'def greet(name):\n    return "Hello, " + name\n'),
      'def greet(name):\n    return "Hello, " + name\n',
    );
    await page.locator('.tabs-container .tab.active[aria-label^="test_greet.py"]').waitFor();
  });

  // Explain answers in the chat view: its scenario is in chat.e2e.ts.
});
