// Issue 20, hostile answers in a real VS Code (code-server + Chromium): a file link in an answer opens a workspace
// file at its line at once, but one outside the workspace (/etc/passwd) only after a modal question that names it;
// refused, nothing opens. The linkChat scripted model answers with one link of each.
import assert from "node:assert/strict";
import { codeServerExecutable } from "./install";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";
import { openChat } from "./chatView";

const readyTimeoutMs = 90_000;
const answerTimeoutMs = 90_000;

describe("issue 20, file links in chat answers confined to the workspace, in a real VS Code (code-server + Chromium)", function () {
  this.timeout(300_000);
  const startScenario = scenarioPerTest();

  it("asks before opening /etc/passwd and opens nothing when refused; opens main.py#L3 at its line", async function () {
    const scenario = await startScenario("chat-links", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("linkChat"),
      files: { "main.py": "import sys\n\nprint(sys.argv)\n" },
    });
    const { workbench } = scenario;
    const page = workbench.page;
    await workbench.openFile("fibonacci.py");
    await waitForHostOnCpu(workbench, readyTimeoutMs);

    const chat = await openChat(scenario);
    await chat.locator("#input").fill("Where are the passwords kept?");
    await chat.locator("#input").press("Enter");
    await chat.locator('.message.assistant[data-status="complete"]').waitFor({ timeout: answerTimeoutMs });
    const answer = chat.locator(".message.assistant").last();

    await answer.locator("a", { hasText: "the password file" }).click();
    const dialog = await workbench.modalDialogText();
    assert.match(dialog, /The answer links to a file outside the workspace\. Open it\?/);
    assert.ok(dialog.includes("/etc/passwd"), dialog);
    await workbench.screenshot("outside-link-question");
    await page.locator(".monaco-dialog-box").getByRole("button", { name: "Cancel" }).click();
    await page.locator(".monaco-dialog-box").waitFor({ state: "detached" });

    await answer.locator("a", { hasText: "main" }).click();
    await page.locator('.tabs-container .tab.active[aria-label^="main.py"]').waitFor();
    await workbench.waitForStatusText("status.editor.selection", (text) => /^Ln 3, Col 1\b/.test(text), 30_000);
    assert.equal(
      await page.locator('.tabs-container .tab[aria-label^="passwd"]').count(),
      0,
      "/etc/passwd stayed shut",
    );
  });
});
