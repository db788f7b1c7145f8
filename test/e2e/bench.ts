// npm run bench:e2e — keystroke to visible ghost text, measured inside the browser (keydown to the first animation
// frame after Monaco inserts the ghost text), in a real VS Code (code-server + Chromium) with the real extension and
// host: the scripted fixture model, then the Qwen2.5-Coder-0.5B-shaped benchmark model warm and cold.
// Prints figures; asserts nothing.
import { setTimeout as sleep } from "node:timers/promises";
import type { Page } from "playwright-core";
import { ensureBenchModel } from "../fixtures/benchModel";
import { ensureScriptedModel } from "../fixtures/scriptedModel";
import { codeServerExecutable } from "./install";
import { Scenario, hostStatusEntry } from "./scenario";

const warmSamples = 30;
const coldSamples = 5;
const ghostTimeoutMs = 120_000;
const benchFile = "bench_latency.py";
const functionHeader = "def add(a, b):\n";

// Runs in the page. While armed, each keydown restarts the clock; the first ghost text to appear after it, once
// painted, records one sample and disarms. Plain JavaScript text because it runs in the browser, not in Node.
const latencyProbe = `
  window.__ghostLatency = { armed: false, keyAt: 0, samples: [] };
  document.addEventListener("keydown", () => {
    if (window.__ghostLatency.armed) window.__ghostLatency.keyAt = performance.now();
  }, true);
  new MutationObserver(() => {
    const probe = window.__ghostLatency;
    if (!probe.armed || probe.keyAt === 0 || !document.querySelector(".monaco-editor .ghost-text-decoration")) return;
    probe.armed = false;
    const keyAt = probe.keyAt;
    requestAnimationFrame(() => probe.samples.push(performance.now() - keyAt));
  }).observe(document, { childList: true, subtree: true });
`;

async function sampleCount(page: Page): Promise<number> {
  return Number(await page.evaluate("window.__ghostLatency.samples.length"));
}

/** Types the indentation of the function body and returns keystroke-to-ghost-text in milliseconds. */
async function measureOnce(scenario: Scenario): Promise<number> {
  const { page } = scenario.workbench;
  const before = await sampleCount(page);
  await page.evaluate("window.__ghostLatency.keyAt = 0; window.__ghostLatency.armed = true");
  await page.keyboard.press("Control+End");
  await scenario.workbench.type("    ");
  await page.waitForFunction(`window.__ghostLatency.samples.length > ${before}`, undefined, { timeout: ghostTimeoutMs, polling: 50 });
  const latency = Number(await page.evaluate(`window.__ghostLatency.samples[${before}]`));
  await clearBody(scenario);
  return latency;
}

/** Removes the typed indentation and waits until no ghost text is shown or arriving. */
async function clearBody(scenario: Scenario): Promise<void> {
  const { page } = scenario.workbench;
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+Home");
  await page.keyboard.press("Backspace");
  for (let quietChecks = 0; quietChecks < 3; ) {
    await sleep(200);
    if ((await scenario.workbench.ghostTextFirstLine()) === "") quietChecks++;
    else {
      quietChecks = 0;
      await page.keyboard.press("Escape");
    }
  }
}

async function waitForReady(scenario: Scenario): Promise<void> {
  await scenario.workbench.waitForStatusText(hostStatusEntry, (text) => / · CPU$/.test(text), ghostTimeoutMs);
}

/** Restarts the host from the palette and waits for the new process to be ready. */
async function restartHost(scenario: Scenario): Promise<void> {
  const [previous] = await scenario.hostProcesses();
  await scenario.workbench.runCommand("Llama Assist: Restart Inference Host");
  for (;;) {
    const current = await scenario.hostProcesses();
    if (current.length === 1 && current[0] !== previous) break;
    await sleep(100);
  }
  await waitForReady(scenario);
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function summary(label: string, values: readonly number[]): string {
  return `${label}: p50 ${percentile(values, 0.5).toFixed(0)} ms, p95 ${percentile(values, 0.95).toFixed(0)} ms (n=${values.length}, min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;
}

async function benchModel(codeServer: string, label: string, modelPath: string, cold: boolean): Promise<void> {
  const scenario = await Scenario.start(`bench-${label}`, {
    codeServer,
    settings: { "llamaAssist.completionModel.path": modelPath, "llamaAssist.gpu": "cpu" },
    files: { [benchFile]: functionHeader },
  });
  let failed = true;
  try {
    await scenario.workbench.page.evaluate(latencyProbe);
    await scenario.workbench.openFile(benchFile);
    await waitForReady(scenario);
    if (cold) {
      // Cold: the first completion after the host has (re)loaded the model, its KV cache empty.
      const coldValues: number[] = [];
      for (let i = 0; i < coldSamples; i++) {
        await restartHost(scenario);
        coldValues.push(await measureOnce(scenario));
      }
      console.log(summary(`${label}, cold (first completion after a host restart)`, coldValues));
    }
    const warmValues: number[] = [];
    await measureOnce(scenario);
    for (let i = 0; i < warmSamples; i++) warmValues.push(await measureOnce(scenario));
    console.log(summary(`${label}, warm`, warmValues));
    failed = false;
  } finally {
    await scenario.finish(failed);
  }
}

async function main(): Promise<void> {
  const codeServer = await codeServerExecutable();
  console.log("keystroke to visible ghost text, in the browser (code-server 4.100.3, Chromium, CPU backend):");
  await benchModel(codeServer, "scripted fixture model", ensureScriptedModel("standard"), false);
  await benchModel(codeServer, "0.5B-shaped benchmark model", ensureBenchModel((message) => console.log(message)), true);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
