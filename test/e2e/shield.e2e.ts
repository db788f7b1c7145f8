// Issue 5, "Shield": the insecure scripted model's completion (subprocess with shell=True on a variable) through the
// real provider and the real Shield gate, in Monaco: withheld in block mode, shown with a warning in warn mode.
import assert from "node:assert/strict";
import { insecureCompletion } from "../fixtures/scriptedModel";
import { codeServerExecutable } from "./install";
import { extensionId } from "./paths";
import { timed } from "./phases";
import { type Scenario, scenarioPerTest, scriptedModelSettings, waitForHostOnCpu } from "./scenario";

const shieldStatusEntry = `${extensionId}.llamaAssist.shieldStatus`;
const completionStatusEntry = `${extensionId}.llamaAssist.completions`;
const rule = "python.subprocess-shell";
const timeoutMs = 90_000;

describe("issue 5, Shield on ghost text: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(240_000);
  let codeServer: string;
  const startScenario = scenarioPerTest();

  before(async function () {
    codeServer = await codeServerExecutable();
  });

  /** Opens a file whose function takes a command, and types the body's indentation: the model answers with the shell call. */
  async function typeIntoRunner(name: string, mode: "block" | "warn"): Promise<Scenario> {
    const file = `${name.replace(/-/g, "_")}.py`;
    const scenario = await startScenario(name, {
      codeServer,
      settings: { ...scriptedModelSettings("insecure"), "llamaAssist.shield.mode": mode },
      files: { [file]: "import subprocess\n\ndef run(cmd):\n" },
    });
    const { workbench } = scenario;
    await workbench.openFile(file);
    await waitForHostOnCpu(workbench, timeoutMs);
    await workbench.page.keyboard.press("Control+End");
    await workbench.type("    ");
    return scenario;
  }

  it("block mode: the insecure completion shows no ghost text and the status bar names the rule", async function () {
    const { workbench } = await typeIntoRunner("shield-block", "block");
    const status = await timed("shield-block: verdict in the status bar", () =>
      workbench.waitForStatusText(shieldStatusEntry, (text) => text.includes(rule), timeoutMs),
    );
    assert.equal(status, `Shield withheld: ${rule}`);
    // The verdict is reported as the provider returns, so a suggestion it let through would be on its way by now; a
    // request that ran long enough to show the spinner is over once it stops.
    await workbench.waitForStatusText(completionStatusEntry, (text) => !text.includes("Completing"), timeoutMs);
    assert.equal(await workbench.ghostTextFirstLine(), "");
    await workbench.screenshot("withheld");
  });

  it("warn mode: the insecure completion appears, with the warning in the status bar", async function () {
    const { workbench } = await typeIntoRunner("shield-warn", "warn");
    const ghost = await timed("shield-warn: ghost text", () => workbench.waitForGhostText(timeoutMs));
    assert.equal(ghost, insecureCompletion);
    const status = await workbench.waitForStatusText(shieldStatusEntry, (text) => text.includes(rule), timeoutMs);
    assert.equal(status, `Shield warning: ${rule}`);
    await workbench.screenshot("warned");
  });
});
