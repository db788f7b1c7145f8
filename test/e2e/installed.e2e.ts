// Issue 19, the installed extension: the linux-x64 .vsix installed into code-server with --install-extension, then a
// smoke test of what a user sees first. It catches what development mode hides: a file .vscodeignore leaves out, a
// bundle that needs something from node_modules the .vsix lacks.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { fimCompletion } from "../fixtures/scriptedModel";
import { openChat } from "./chatView";
import { codeServerExecutable } from "./install";
import { extensionId, repoRoot } from "./paths";
import { timed } from "./phases";
import { scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";

const timeoutMs = 90_000;
const vsix = path.join(repoRoot, "dist/llama-assist-linux-x64.vsix");
/** Runs in the chat page: each status the newest assistant message takes, in order. */
const statusRecorder = `(() => {
  const seen = (window.__answerStatuses = []);
  new MutationObserver(() => {
    const status = [...document.querySelectorAll(".message.assistant")].at(-1)?.dataset.status;
    if (status && seen.at(-1) !== status) seen.push(status);
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
})()`;

describe("the installed linux-x64 .vsix: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(15 * 60_000);
  const startScenario = scenarioPerTest();

  before(async function () {
    if (`${process.platform}-${process.arch}` !== "linux-x64") this.skip();
    // Packaged once: the packaging test has usually made it already, for these same sources.
    await timed("installed: package linux-x64", () =>
      promisify(execFile)(
        process.execPath,
        [path.join(repoRoot, "extension/package.mjs"), "--target", "linux-x64", "--reuse"],
        { cwd: repoRoot },
      ),
    );
  });

  it("ghost text appears, a chat answer streams, and the Shield withholds its insecure code", async function () {
    this.timeout(300_000);
    const scenario = await startScenario("installed", {
      codeServer: await codeServerExecutable(),
      // Completes with the standard model's line, answers in chat with a shell call on a variable.
      settings: scriptedModelSettings("insecureChat"),
      files: { "installed.py": "def add(a, b):\n" },
      vsix,
    });
    const { workbench } = scenario;
    await workbench.openFile("installed.py");
    await waitForHostOnCpu(workbench, timeoutMs);
    const installedFolder = path.join(scenario.server.userDataDir, "extensions", extensionId);
    const hosts = await scenario.server.processesMatching(`${installedFolder}-`);
    assert.equal(hosts.length, 1, "the inference host runs from the installed copy");

    await workbench.page.keyboard.press("Control+End");
    await workbench.type("    ");
    const ghost = await timed("installed: ghost text", () => workbench.waitForGhostText(timeoutMs));
    assert.equal(ghost, fimCompletion);
    await workbench.screenshot("ghost-text");

    const chat = await openChat(scenario);
    // The statuses the answer goes through: it must be shown while it streams, not only once it is complete.
    await chat.evaluate(statusRecorder);
    await chat.locator("#input").fill("How do I run a shell command from Python?");
    await chat.locator("#input").press("Enter");
    const answer = chat.locator(".message.assistant").last();
    await timed("installed: chat answer", () =>
      chat.locator('.message.assistant[data-status="complete"]').waitFor({ timeout: timeoutMs }),
    );
    assert.match(await answer.locator(".message-content p").first().innerText(), /Run it like this:/);
    assert.deepEqual(await chat.evaluate("window.__answerStatuses"), ["streaming", "complete"]);
    assert.match(await answer.locator(".shield-banner").innerText(), /python\.subprocess-shell \(CWE-78\)/);
    assert.equal(await answer.locator("pre code").count(), 0, "the Shield withholds the insecure block");
    await workbench.screenshot("chat-shield");
  });
});
