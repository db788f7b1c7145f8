// Issue 5, "Status and resilience": the real extension, the real inference host, a real GGUF, the real VS Code UI.
import assert from "node:assert/strict";
import { demoModelDescription, demoModelName, fimCompletion } from "../fixtures/scriptedModel";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { type Scenario, hostStatusEntry, isRunning, scenarioPerTest, scriptedModelSettings } from "./scenario";

const readyTimeoutMs = 90_000;

/** The ready text is "<model name> · <backend>"; every other state names Llama Assist. */
function isReadyOnCpu(text: string): boolean {
  return /scripted test model \(standard\) · CPU$/.test(text);
}

async function waitForOneHostProcess(scenario: Scenario, other: number | undefined): Promise<number> {
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const pids = (await scenario.hostProcesses()).filter((pid) => pid !== other);
    if (pids.length === 1) return pids[0];
    if (Date.now() > deadline) throw new Error(`expected one inference host process, found ${JSON.stringify(pids)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Waits for a host process other than `previous`, then for the status bar to show it ready: the status must leave the
 * ready text first, so the ready text of the previous host does not count.
 */
async function waitForRestartedHost(scenario: Scenario, previous: number): Promise<number> {
  const pid = await waitForOneHostProcess(scenario, previous);
  const { workbench } = scenario;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    const seen = await workbench.statusTextsSeen();
    if (seen.some((text) => !isReadyOnCpu(text)) && isReadyOnCpu(seen[seen.length - 1])) return pid;
    if (Date.now() > deadline)
      throw new Error(`the host never came back to ready; status texts: ${JSON.stringify(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("issue 5, status and resilience: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(240_000);
  let codeServer: string;
  const startScenario = scenarioPerTest();

  before(async function () {
    codeServer = await codeServerExecutable();
  });

  async function start(name: string, file: string, variant: "standard" | "demo" = "standard"): Promise<Scenario> {
    const scenario = await startScenario(name, {
      codeServer,
      // gpu "cpu" makes the expected backend the same on every machine.
      settings: scriptedModelSettings(variant),
      files: { [file]: "def add(a, b):\n" },
    });
    // The host starts with the first code document.
    await scenario.workbench.openFile(file);
    return scenario;
  }

  it("the status bar shows the model and CPU; npm start's demo model is labelled a DEMO in its text and tooltip", async function () {
    // The model `npm start` uses when none is configured.
    const { workbench } = await start("status-bar", "status_bar.py", "demo");
    const text = await timed("status-bar: host ready", () =>
      workbench.waitForStatusText(hostStatusEntry, (shown) => shown.endsWith(`${demoModelName} · CPU`), readyTimeoutMs),
    );
    assert.match(text, /DEMO model \(scripted: plumbing, not intelligence\) · CPU$/);
    const tooltip = await workbench.hoverText(workbench.statusBarItem(hostStatusEntry));
    assert.ok(tooltip.includes(`about: ${demoModelDescription}`), `the tooltip says: ${tooltip}`);
    await workbench.screenshot("ready");

    await workbench.runCommand("Llama Assist: Show Host Status");
    const dialog = await workbench.modalDialogText();
    await workbench.screenshot("host-status-dialog");
    assert.match(dialog, /the inference host is ready/);
    assert.match(dialog, /Backend: CPU/);
    assert.ok(dialog.includes(`Model: ${demoModelName}`), dialog);
  });

  it("Restart Inference Host from the palette replaces the host process and returns to ready", async function () {
    const current = await start("host-restart-command", "host_restart_command.py");
    const { workbench } = current;
    await workbench.waitForStatusText(hostStatusEntry, isReadyOnCpu, readyTimeoutMs);
    const before = await waitForOneHostProcess(current, undefined);
    await workbench.recordStatusTexts(hostStatusEntry);

    await workbench.runCommand("Llama Assist: Restart Inference Host");
    const after = await timed("host-restart-command: restart to ready", () => waitForRestartedHost(current, before));

    assert.notEqual(after, before);
    assert.equal(isRunning(before), false, "the replaced host is still running");
    const seen = await workbench.statusTextsSeen();
    assert.ok(
      seen.some((text) => /Llama Assist: (starting|loading)/.test(text)),
      `no restart shown in ${JSON.stringify(seen)}`,
    );
    assert.ok(isReadyOnCpu(seen[seen.length - 1]), `not ready at the end of ${JSON.stringify(seen)}`);
  });

  it("SIGKILL the host: it restarts on its own, the status returns to ready and the next completion works", async function () {
    const current = await start("host-sigkill", "host_sigkill.py");
    const { workbench } = current;
    await workbench.waitForStatusText(hostStatusEntry, isReadyOnCpu, readyTimeoutMs);
    const killed = await waitForOneHostProcess(current, undefined);
    await workbench.recordStatusTexts(hostStatusEntry);

    process.kill(killed, "SIGKILL");
    const restarted = await timed("host-sigkill: restart to ready", () => waitForRestartedHost(current, killed));

    assert.notEqual(restarted, killed);
    assert.equal(isRunning(killed), false, "the killed host is still running");
    const seen = await workbench.statusTextsSeen();
    assert.ok(
      seen.some((text) => /Llama Assist: (error|starting|loading)/.test(text)),
      `the crash never showed in ${JSON.stringify(seen)}`,
    );
    assert.ok(isReadyOnCpu(seen[seen.length - 1]), `not ready at the end of ${JSON.stringify(seen)}`);

    // The next completion goes to the new host.
    await workbench.page.keyboard.press("Control+End");
    await workbench.type("    ");
    const ghost = await timed("host-sigkill: ghost text from the restarted host", () =>
      workbench.waitForGhostText(readyTimeoutMs),
    );
    await workbench.screenshot("completion-after-restart");
    assert.equal(ghost, fimCompletion);
    assert.deepEqual(await current.hostProcesses(), [restarted]);
  });
});
