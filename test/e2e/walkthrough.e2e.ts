// Issue 5, "Walkthrough": "Get started with Llama Assist" opens from the palette, and its hardware step's button asks
// a short-lived inference host about the hardware and shows this machine's CPU and RAM.
import assert from "node:assert/strict";
import { cpus, totalmem } from "node:os";
import { formatBytes } from "../../extension/src/core/models/progress";
import { codeServerExecutable } from "./install";
import { timed } from "./phases";
import { scenarioPerTest } from "./scenario";

const timeoutMs = 60_000;

describe("issue 5, walkthrough: Llama Assist in a real VS Code (code-server + Chromium)", function () {
  this.timeout(240_000);
  const startScenario = scenarioPerTest();

  it("the walkthrough opens and its hardware step shows this machine's CPU and RAM", async function () {
    // No model configured: the state a first run is in.
    const scenario = await startScenario("walkthrough", {
      codeServer: await codeServerExecutable(),
      settings: { "llamaAssist.gpu": "cpu" },
      files: {},
    });
    const { workbench } = scenario;
    const page = workbench.page;

    await workbench.runCommand("Llama Assist: Get Started");
    const walkthrough = page.locator(".gettingStartedContainer");
    await walkthrough.getByText("Get started with Llama Assist").first().waitFor({ timeout: timeoutMs });
    const hardwareStep = walkthrough.locator('.getting-started-step[data-step-id$="detectHardware"]');
    await hardwareStep.click();
    await walkthrough.locator('.getting-started-step.expanded[data-step-id$="detectHardware"]').waitFor();
    await workbench.screenshot("walkthrough");

    await hardwareStep.getByRole("button", { name: "Detect Hardware" }).click();
    const found = page.locator(".notifications-toasts .notification-toast", { hasText: "Llama Assist found:" });
    await timed("walkthrough: hardware detected", () => found.waitFor({ timeout: timeoutMs }));
    const text = (await found.innerText()).replace(/\s+/g, " ");
    await workbench.screenshot("hardware");
    assert.ok(text.includes(`${formatBytes(totalmem())} RAM`), `no RAM in: ${text}`);
    assert.ok(text.includes(`${cpus()[0].model.trim()} CPU (`), `no CPU in: ${text}`);
    assert.match(text, /CPU \(\d+ math cores\)/);
  });
});
