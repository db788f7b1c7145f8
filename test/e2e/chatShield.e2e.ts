// Issue 5, "Chat": the Shield banner on an insecure code block of a streamed answer, in the real chat view. The
// insecureChat scripted model answers with a Python block that runs a variable through the shell.
import assert from "node:assert/strict";
import { openChat } from "./chatView";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";

const timeoutMs = 90_000;
const rule = "python.subprocess-shell";

describe("issue 5, the Shield in the chat: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(240_000);
  const startScenario = scenarioPerTest();

  it("the Shield banner appears on an insecure block, which stays withheld until Show anyway", async function () {
    const scenario = await startScenario("chat-shield", {
      codeServer: await codeServerExecutable(),
      settings: scriptedModelSettings("insecureChat"),
      files: { "runner.py": "import sys\n" },
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
  });
});
