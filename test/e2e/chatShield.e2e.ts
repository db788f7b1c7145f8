// Issue 5, "Chat": the Shield banner on an insecure code block of a streamed answer, in the real chat view. The
// insecureChat scripted model answers with a Python block that runs a variable through the shell. Issue 20: Apply of
// that block in place of the open file's run() goes through the same gate, and Accept asks before it writes.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { openChat } from "./chatView";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";

const timeoutMs = 90_000;
const rule = "python.subprocess-shell";
const runner = "import sys\n\n\ndef run(cmd):\n    return cmd\n";

describe("issue 5, the Shield in the chat: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(240_000);
  const startScenario = scenarioPerTest();

  it("the Shield banner appears on an insecure block, which stays withheld until Show anyway; Apply of it asks before writing", async function () {
    const scenario = await startScenario("chat-shield", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("insecureChat"),
      files: { "runner.py": runner },
    });
    const { workbench } = scenario;
    await workbench.openFile("runner.py");
    await waitForHostOnCpu(workbench, timeoutMs);

    const chat = await openChat(scenario);
    await chat.locator("#input").fill("How do I run a shell command from Python?");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator(".message.assistant").last();
    const banner = answer.locator(".shield-banner");
    await timed("chat-shield: send to Shield banner", () => banner.first().waitFor({ timeout: timeoutMs }));
    await chat.locator('.message.assistant[data-status="complete"]').waitFor({ timeout: timeoutMs });
    assert.equal(await banner.count(), 1);
    assert.match(await banner.innerText(), new RegExp(`${rule.replace(/\./g, "\\.")} \\(CWE-78\\)`));
    assert.match(await answer.locator(".withheld-note").innerText(), /The Shield withheld this code/);
    assert.equal(await answer.locator("pre code").count(), 0, "block mode shows no withheld code");
    await workbench.screenshot("banner");

    await answer.getByRole("button", { name: "Show anyway" }).click();
    await answer.locator("pre code").waitFor();
    assert.match(await answer.locator("pre code").innerText(), /subprocess\.call\(cmd, shell=True\)/);
    assert.equal(await banner.count(), 1, "the banner stays with the revealed code");
    await workbench.screenshot("revealed");

    const page = workbench.page;
    await answer.getByRole("button", { name: "Apply" }).click();
    const diffTab = page.locator('.tabs-container .tab[aria-label*="runner.py ↔ run from chat (proposed)"]');
    await diffTab.waitFor({ timeout: 30_000 });
    assert.match((await diffTab.getAttribute("aria-label")) ?? "", /1 Shield finding\(s\)/);
    await workbench.runCommand("Llama Assist: Accept Refactor");
    const dialog = await workbench.modalDialogText();
    assert.match(dialog, /The Shield flagged this proposal as insecure\. Accept it anyway\?/);
    assert.ok(dialog.includes(rule), dialog);
    await page.locator(".monaco-dialog-box").getByRole("button", { name: "Cancel" }).click();
    await page.locator(".monaco-dialog-box").waitFor({ state: "detached" });
    assert.equal(await readFile(path.join(scenario.workspace, "runner.py"), "utf8"), runner);
    assert.equal(await page.locator(".tabs-container .tab.dirty").count(), 0, "no editor holds an unsaved edit");
    assert.equal(await diffTab.count(), 1, "the proposal is still pending, unapplied");
  });
});
