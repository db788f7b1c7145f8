// Issue 20 in a real VS Code (code-server + Chromium): the chat's @-mentions resolved by the real extension. @folder,
// @symbol (from the workspace symbol index), @changes (git), @problems and @selection become chips with token counts;
// a chip can be removed, and the rest go with the question.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Frame } from "playwright-core";
import { codeServerExecutable } from "./install";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";
import { openChat } from "./chatView";

const readyTimeoutMs = 90_000;
/** The symbol index parses the workspace in a worker; on a loaded 2-core machine that took 40 s. */
const symbolIndexTimeoutMs = 120_000;

const greetings = 'def greet(name):\n    return "Hi, " + name\n\n\ndef farewell(name):\n    return "Bye, " + name\n';

/** Types `typed` as a new mention, waits for an option with `label`, and picks it with Enter. */
async function pickMention(chat: Frame, typed: string, label: string, waitMs = 20_000): Promise<void> {
  const input = chat.locator("#input");
  const option = chat.locator("#mentions li.mention", { hasText: label }).first();
  const deadline = Date.now() + waitMs;
  for (;;) {
    await input.fill("");
    await input.pressSequentially(typed);
    try {
      await option.waitFor({ timeout: 3_000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
  const index = Number(await option.getAttribute("data-index"));
  for (let step = 0; step < index; step++) await input.press("ArrowDown");
  await input.press("Enter");
}

describe("issue 20, chat @-mentions in a real VS Code (code-server + Chromium)", function () {
  this.timeout(400_000);
  const startScenario = scenarioPerTest();

  it("attaches @folder, @symbol, @changes and @selection as chips with token counts, and says when there are no @problems", async function () {
    const scenario = await startScenario("chat-mentions", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("standard"),
      files: { "greetings.py": greetings },
    });
    const { workbench, workspace } = scenario;
    const page = workbench.page;
    await mkdir(path.join(workspace, "lib"));
    await writeFile(path.join(workspace, "lib", "util.py"), "def helper():\n    return 42\n");
    const git = (...args: string[]): string =>
      execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@invalid", ...args], {
        cwd: workspace,
        encoding: "utf8",
      });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-q", "-m", "start");
    await writeFile(path.join(workspace, "greetings.py"), greetings.replace("Hi, ", "Hello, "));

    await workbench.openFile("greetings.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+A");

    const chat = await openChat(scenario);
    const chips = chat.locator("#chips .chip");

    await pickMention(chat, "@fol", "@folder:");
    assert.equal(await chat.locator("#input").inputValue(), "@folder:");
    await pickMention(chat, "@folder:li", "lib/");
    await chips.filter({ hasText: "lib/" }).waitFor();

    await pickMention(chat, "@symbol:farew", "farewell", symbolIndexTimeoutMs);
    await chips.filter({ hasText: "farewell (greetings.py:5)" }).waitFor();

    await pickMention(chat, "@chan", "@changes");
    await chips.filter({ hasText: "changes" }).waitFor();

    await pickMention(chat, "@sel", "@selection");
    await chips.filter({ hasText: "greetings.py:1-6" }).waitFor();

    await pickMention(chat, "@problems:w", "@problems:workspace");
    await chat.locator("#notice", { hasText: "There are no problems in the workspace." }).waitFor();

    assert.equal(await chips.count(), 4);
    for (const chip of await chips.all()) assert.match(await chip.innerText(), /~\d+ tokens/);
    await workbench.screenshot("mention-chips");

    await chat.getByRole("button", { name: "Remove lib/" }).click();
    await chips.filter({ hasText: "lib/" }).waitFor({ state: "detached" });
    await chat.locator("#input").fill("What changed?");
    await chat.locator("#input").press("Enter");
    const question = chat.locator(".message.user").last();
    await question.waitFor();
    const sent = await question.locator(".message-attachments").innerText();
    assert.match(sent, /farewell \(greetings\.py:5\)/);
    assert.match(sent, /changes/);
    assert.doesNotMatch(sent, /lib\//);
  });
});
