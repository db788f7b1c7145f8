// npm run bench:e2e — keystroke to visible ghost text, measured inside the browser (keydown to the first animation
// frame after Monaco inserts the ghost text), in a real VS Code (code-server + Chromium) with the real extension and
// host: the scripted fixture model, then the Qwen2.5-Coder-0.5B-shaped benchmark model warm and cold. Then, with each
// model, send to the first token visible in the chat view (Enter in the message box to the first frame that shows
// answer text). Prints figures; asserts nothing. For the scripted model it also prints where each sample's time went,
// joining the extension's completion trace with the browser's clock.
// First, the floor: the same keystrokes with a provider that returns a constant item at once, and no Llama Assist.
// Flags: --samples N (warm samples per model, default 30), --scripted (the scripted fixture model alone), --no-chat
// (ghost text alone).
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Frame, Page } from "playwright-core";
import { benchCompletion, ensureScriptedBenchModel } from "../fixtures/benchModel";
import { ensureScriptedModel } from "../fixtures/scriptedModel";
import { openChat } from "./chatView";
import { CodeServer, Workbench, freshWorkspace } from "./harness";
import { codeServerExecutable } from "./install";
import { artifactsDir, sampleWorkspace } from "./paths";
import { Scenario, waitForHostOnCpu } from "./scenario";

const flag = (name: string): string | undefined => {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : (process.argv[index + 1] ?? "");
};
const warmSamples = Number(flag("--samples") ?? 30);
const scriptedOnly = process.argv.includes("--scripted");
const withoutChat = process.argv.includes("--no-chat");
const coldSamples = 5;
const chatSamples = 10;
/** Only the first token counts for chat latency, so answers are kept short. */
const chatAnswerTokens = 16;
const ghostTimeoutMs = 120_000;
const benchFile = "bench_latency.py";
const functionHeader = "def add(a, b):\n";

// Runs in the page. While armed, each keydown restarts the clock; the first ghost text to appear after it records one
// sample, at the end of the first frame that shows it, and disarms. Times are milliseconds since the epoch, to join
// them with the extension's trace. Plain JavaScript text because it runs in the browser, not in Node.
// Monaco changes its DOM inside an animation-frame callback, and that same frame is then laid out and painted: the
// first task after the frame marks its end. So a frame is "open" from the probe's own animation-frame callback (kept
// first in each frame's list by re-registering itself) until a message posted from it arrives. A change made while
// no frame is open is painted in the next frame. (An earlier probe waited for the next animation frame in every case,
// which counted one frame, about 17 ms, after the frame that had already painted the ghost text.)
const latencyProbe = `
  window.__ghostLatency = { armed: false, keyAt: 0, samples: [] };
  const epochNow = () => performance.timeOrigin + performance.now();
  let frameOpen = false;
  let afterFrame = [];
  const frameEnd = new MessageChannel();
  frameEnd.port1.onmessage = () => {
    frameOpen = false;
    for (const run of afterFrame.splice(0)) run();
  };
  const eachFrame = () => {
    frameOpen = true;
    frameEnd.port2.postMessage(0);
    requestAnimationFrame(eachFrame);
  };
  requestAnimationFrame(eachFrame);
  document.addEventListener("keydown", () => {
    if (window.__ghostLatency.armed) window.__ghostLatency.keyAt = epochNow();
  }, true);
  new MutationObserver(() => {
    const probe = window.__ghostLatency;
    if (!probe.armed || probe.keyAt === 0 || !document.querySelector(".monaco-editor .ghost-text-decoration")) return;
    probe.armed = false;
    const keyAt = probe.keyAt;
    const record = () => probe.samples.push({ keyAt, visibleAt: epochNow() });
    if (frameOpen) afterFrame.push(record);
    else requestAnimationFrame(() => afterFrame.push(record));
  }).observe(document, { childList: true, subtree: true });
`;

interface GhostSample {
  keyAt: number;
  visibleAt: number;
}

/** The extension's "completion timings" trace line (CompletionTimings in inlineCompletionProvider.ts). */
interface TraceTimings {
  changedAt?: number;
  calledAt: number;
  debounceMs: number;
  prepareMs?: number;
  generateMs?: number;
  hostPromptMs?: number;
  hostGenerationMs?: number;
  shieldMs: number;
  returnedAt: number;
}

// Runs in the chat webview's own document: Enter in the message box starts the clock, and the first frame in which the
// new answer shows any text records one sample.
const chatProbe = `
  window.__chatLatency = { armed: false, sentAt: 0, answersBefore: 0, samples: [] };
  const answers = () => document.querySelectorAll(".message.assistant");
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || !(event.target instanceof HTMLElement) || event.target.id !== "input") return;
    Object.assign(window.__chatLatency, { armed: true, sentAt: performance.now(), answersBefore: answers().length });
  }, true);
  new MutationObserver(() => {
    const probe = window.__chatLatency;
    const answer = probe.armed ? answers()[probe.answersBefore] : undefined;
    if (!answer || (answer.querySelector(".message-content")?.textContent ?? "").trim() === "") return;
    probe.armed = false;
    const sentAt = probe.sentAt;
    requestAnimationFrame(() => probe.samples.push(performance.now() - sentAt));
  }).observe(document, { childList: true, subtree: true, characterData: true });
`;

/** Sends one question and returns send-to-first-visible-token in milliseconds, once the answer has ended. */
async function measureChatOnce(chat: Frame, question: string): Promise<number> {
  const before = Number(await chat.evaluate("window.__chatLatency.samples.length"));
  const answersBefore = await chat.locator(".message.assistant").count();
  await chat.locator("#input").fill(question);
  await chat.locator("#input").press("Enter");
  // A function, not a string: the webview's CSP forbids the eval a string predicate needs.
  await chat.waitForFunction(
    (count) => (globalThis as unknown as { __chatLatency: { samples: number[] } }).__chatLatency.samples.length > count,
    before,
    { timeout: ghostTimeoutMs, polling: 50 },
  );
  await chat
    .locator(".message.assistant")
    .nth(answersBefore)
    .and(chat.locator(":not([data-status='streaming'])"))
    .waitFor({ timeout: ghostTimeoutMs });
  return Number(await chat.evaluate(`window.__chatLatency.samples[${before}]`));
}

async function sampleCount(page: Page): Promise<number> {
  return Number(await page.evaluate("window.__ghostLatency.samples.length"));
}

/**
 * Renames the function (so the extension's completion cache cannot answer and the model must), then types the
 * indentation of its body and returns when the last key went down and when the ghost text was painted.
 */
async function measureOnce(workbench: Workbench, sample: number): Promise<GhostSample> {
  const { page } = workbench;
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Shift+End");
  await page.keyboard.insertText(`def add${sample}(a, b):`);
  await page.keyboard.press("Control+End");
  await waitForNoGhostText(workbench);
  const before = await sampleCount(page);
  await page.evaluate("window.__ghostLatency.keyAt = 0; window.__ghostLatency.armed = true");
  await workbench.type("    ");
  await page.waitForFunction(`window.__ghostLatency.samples.length > ${before}`, undefined, {
    timeout: ghostTimeoutMs,
    polling: 50,
  });
  const latency = (await page.evaluate(`window.__ghostLatency.samples[${before}]`)) as GhostSample;
  await clearBody(workbench);
  return latency;
}

/** Removes the typed indentation and waits until no ghost text is shown or arriving. */
async function clearBody(workbench: Workbench): Promise<void> {
  const { page } = workbench;
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+Home");
  await page.keyboard.press("Backspace");
  await waitForNoGhostText(workbench);
}

/** Dismisses ghost text until none has shown for three checks in a row, so no late answer counts as a sample. */
async function waitForNoGhostText(workbench: Workbench): Promise<void> {
  const { page } = workbench;
  for (let quietChecks = 0; quietChecks < 3;) {
    await sleep(200);
    if ((await workbench.ghostTextFirstLine()) === "") quietChecks++;
    else {
      quietChecks = 0;
      await page.keyboard.press("Escape");
    }
  }
}

async function waitForReady(scenario: Scenario): Promise<void> {
  await waitForHostOnCpu(scenario.workbench, ghostTimeoutMs);
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

/** Turns the trace on for the extension's log channel, as a user would: Developer: Set Log Level. */
async function traceExtensionLog(scenario: Scenario): Promise<void> {
  const { page } = scenario.workbench;
  await scenario.workbench.runCommand("Developer: Set Log Level...");
  const row = (label: string) => page.locator(".quick-input-widget .monaco-list-row", { hasText: label }).first();
  await row("Llama Assist").click();
  await row("Trace").click();
}

/** Every "completion timings" line the extension has logged so far. */
async function traceTimings(scenario: Scenario): Promise<TraceTimings[]> {
  const logsDir = path.join(scenario.server.userDataDir, "logs");
  const files = (await readdir(logsDir, { recursive: true })).filter(
    (file) => path.basename(file) === "Llama Assist.log",
  );
  const marker = "completion timings: ";
  const timings: TraceTimings[] = [];
  for (const file of files) {
    for (const line of (await readFile(path.join(logsDir, file), "utf8")).split("\n")) {
      const at = line.indexOf(marker);
      if (at >= 0) timings.push(JSON.parse(line.slice(at + marker.length)) as TraceTimings);
    }
  }
  return timings;
}

/** The trace of the request that answered a sample: the last one that returned between its keystroke and its paint. */
async function joinTraces(scenario: Scenario, samples: readonly GhostSample[]): Promise<(TraceTimings | undefined)[]> {
  const find = (all: TraceTimings[]) =>
    samples.map((sample) => all.filter((t) => t.returnedAt >= sample.keyAt && t.returnedAt <= sample.visibleAt).at(-1));
  // The log is written to its file a little after the fact.
  for (let tries = 0; ; tries++) {
    const joined = find(await traceTimings(scenario));
    if (joined.every((trace) => trace !== undefined) || tries === 20) return joined;
    await sleep(250);
  }
}

const breakdownColumns = [
  ["total", "keydown to ghost text painted"],
  ["key>chg", "keydown to the document change in the extension host"],
  ["chg>call", "document change to VS Code asking the provider (its own fixed wait; the debounce counts through it)"],
  ["debounce", "document change to the end of the adaptive debounce"],
  ["prepare", "syntax, context, prompt"],
  [
    "host rt",
    "generate call to return, less the host's own prompt and generation time: transport, tokenizing, sampling setup",
  ],
  ["h.prompt", "host: prompt evaluation"],
  ["h.gen", "host: generation"],
  ["post", "post-processing and the rest of the provider"],
  ["shield", "the Shield's gate"],
  ["ret>vis", "provider return to ghost text painted"],
  ["other", "total less debounce, host prompt and host generation"],
] as const;

/** One row of the breakdown table; undefined where no trace joined the sample. */
function breakdown(sample: GhostSample, trace: TraceTimings | undefined): number[] | undefined {
  if (!trace || trace.generateMs === undefined) return undefined;
  const hostMs = (trace.hostPromptMs ?? 0) + (trace.hostGenerationMs ?? 0);
  const total = sample.visibleAt - sample.keyAt;
  const changedAt = trace.changedAt ?? trace.calledAt;
  const inProvider = trace.returnedAt - trace.calledAt;
  const post = inProvider - trace.debounceMs - (trace.prepareMs ?? 0) - trace.generateMs - trace.shieldMs;
  const debounce = trace.calledAt + trace.debounceMs - changedAt;
  return [
    total,
    changedAt - sample.keyAt,
    trace.calledAt - changedAt,
    debounce,
    trace.prepareMs ?? 0,
    trace.generateMs - hostMs,
    trace.hostPromptMs ?? 0,
    trace.hostGenerationMs ?? 0,
    post,
    trace.shieldMs,
    sample.visibleAt - trace.returnedAt,
    total - debounce - hostMs,
  ];
}

/** Prints the table and returns its p50 row (undefined when no sample joined a trace). */
function printBreakdown(
  samples: readonly GhostSample[],
  traces: readonly (TraceTimings | undefined)[],
): number[] | undefined {
  console.log("  where the time went, per sample (ms):");
  for (const [name, meaning] of breakdownColumns) console.log(`    ${name.padEnd(8)} ${meaning}`);
  const cell = (text: string) => text.padStart(9);
  console.log(`  ${"#".padStart(3)}${breakdownColumns.map(([name]) => cell(name)).join("")}`);
  const rows: number[][] = [];
  samples.forEach((sample, index) => {
    const row = breakdown(sample, traces[index]);
    if (row) rows.push(row);
    console.log(
      `  ${String(index).padStart(3)}${row ? row.map((value) => cell(value.toFixed(0))).join("") : "  (no trace joined)"}`,
    );
  });
  if (rows.length === 0) return undefined;
  const p50 = breakdownColumns.map((_, column) =>
    percentile(
      rows.map((row) => row[column]),
      0.5,
    ),
  );
  console.log(`  p50${p50.map((value) => cell(value.toFixed(0))).join("")}`);
  return p50;
}

/** The goal's figure, "other", set against what the floor's code-server and Chromium take by themselves. */
function printAgainstFloor(p50: readonly number[], floor: readonly number[]): void {
  const column = (name: (typeof breakdownColumns)[number][0]) => p50[breakdownColumns.findIndex(([n]) => n === name)];
  const [floorKeyToChange, , floorReturnToVisible] = floor;
  const extension = column("prepare") + column("host rt") + column("post") + column("shield");
  const editor = column("key>chg") + column("ret>vis");
  console.log(
    `  other p50 ${column("other").toFixed(0)} ms (goal <= 50 ms): the extension's stages (prepare, host rt, post, shield) ${extension.toFixed(0)} ms, ` +
      `code-server's key>chg + ret>vis ${editor.toFixed(0)} ms, which the constant provider's floor measures at ${(floorKeyToChange + floorReturnToVisible).toFixed(0)} ms ` +
      `(key>chg ${floorKeyToChange.toFixed(0)}, ret>vis ${floorReturnToVisible.toFixed(0)})`,
  );
}

/** What the floor's provider logs per call, milliseconds since the epoch in the extension host. */
interface FloorTrace {
  changedAt?: number;
  calledAt: number;
  returnedAt: number;
}

/**
 * An extension whose provider answers every request at once with a constant item: what code-server and Chromium take
 * by themselves from keystroke to ghost text. It logs the same clock points as Llama Assist's trace to `logFile`.
 */
function floorExtension(logFile: string): Record<string, string> {
  const manifest = {
    name: "ghost-text-floor",
    publisher: "bench",
    version: "0.0.1",
    engines: { vscode: "^1.100.0" },
    main: "./extension.js",
    activationEvents: ["onStartupFinished"],
  };
  const source = `
    const vscode = require("vscode");
    const { appendFile } = require("node:fs");
    const epochNow = () => performance.timeOrigin + performance.now();
    exports.activate = (context) => {
      let changedAt;
      context.subscriptions.push(
        vscode.workspace.onDidChangeTextDocument((event) => {
          if (event.contentChanges.length > 0) changedAt = epochNow();
        }),
        vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, {
          provideInlineCompletionItems(document, position) {
            const calledAt = epochNow();
            const items = [new vscode.InlineCompletionItem("return a + b", new vscode.Range(position, position))];
            const line = JSON.stringify({ changedAt, calledAt, returnedAt: epochNow() }) + "\\n";
            appendFile(${JSON.stringify(logFile)}, line, () => undefined);
            return items;
          },
        }),
      );
    };
  `;
  return { "package.json": JSON.stringify(manifest), "extension.js": source };
}

/** The floor: the same keystrokes and probe as the models' runs, with the constant provider alone (no Llama Assist). */
async function benchFloor(codeServerPath: string): Promise<number[]> {
  const extensionDir = await mkdtemp(path.join(os.tmpdir(), "ghost-text-floor-"));
  const logFile = path.join(extensionDir, "calls.jsonl");
  for (const [file, text] of Object.entries(floorExtension(logFile)))
    await writeFile(path.join(extensionDir, file), text);
  const workspace = await freshWorkspace(sampleWorkspace);
  await writeFile(path.join(workspace, benchFile), functionHeader);
  const server = await CodeServer.start({
    executable: codeServerPath,
    workspace,
    extensionPath: extensionDir,
    settings: {},
    logFile: path.join(artifactsDir, "bench-floor", "code-server.log"),
  });
  try {
    const workbench = await Workbench.open(server, path.join(artifactsDir, "bench-floor"));
    try {
      await workbench.page.evaluate(latencyProbe);
      await workbench.openFile(benchFile);
      let sample = 0;
      await measureOnce(workbench, sample++);
      const samples: GhostSample[] = [];
      for (let i = 0; i < warmSamples; i++) samples.push(await measureOnce(workbench, sample++));
      const calls = (await readFile(logFile, "utf8"))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as FloorTrace);
      const rows = samples.map((sample) => {
        const call = calls.filter((c) => c.returnedAt >= sample.keyAt && c.returnedAt <= sample.visibleAt).at(-1);
        if (call === undefined) return undefined;
        const changedAt = call.changedAt ?? call.calledAt;
        return [
          sample.visibleAt - sample.keyAt,
          changedAt - sample.keyAt,
          call.calledAt - changedAt,
          call.returnedAt - call.calledAt,
          sample.visibleAt - call.returnedAt,
        ];
      });
      const joined = rows.filter((row): row is number[] => row !== undefined);
      const p50 = (column: number) =>
        percentile(
          joined.map((row) => row[column]),
          0.5,
        );
      console.log(
        summary(
          "floor: a provider that returns a constant item at once, no Llama Assist",
          samples.map(({ keyAt, visibleAt }) => visibleAt - keyAt),
        ),
      );
      console.log(
        `  floor p50 (n=${joined.length} joined): key>chg ${p50(1).toFixed(0)} ms, chg>call ${p50(2).toFixed(0)} ms (VS Code's own wait), call>ret ${p50(3).toFixed(1)} ms, ret>vis ${p50(4).toFixed(0)} ms`,
      );
      return [p50(1), p50(2), p50(4)];
    } finally {
      await workbench.close();
    }
  } finally {
    await server.stop();
    await rm(workspace, { recursive: true, force: true });
    await rm(extensionDir, { recursive: true, force: true });
  }
}

interface BenchOptions {
  /** Also measure the first completion after each of a few host restarts. */
  cold: boolean;
  /** Print where each warm sample's time went. */
  breakdown: boolean;
  settings: Record<string, unknown>;
}

/** Returns the breakdown's p50 row, when asked for a breakdown. */
async function benchModel(
  codeServer: string,
  label: string,
  modelPath: string,
  options: BenchOptions,
): Promise<number[] | undefined> {
  const { cold } = options;
  const scenario = await Scenario.start(`bench-${label.replace(/ /g, "-")}`, {
    codeServer,
    settings: {
      "llamaAssist.completionModel.path": modelPath,
      "llamaAssist.gpu": "cpu",
      "llamaAssist.chat.maxAnswerTokens": chatAnswerTokens,
      "llamaAssist.completions.trace": options.breakdown,
      ...options.settings,
    },
    files: { [benchFile]: functionHeader },
  });
  let failed = true;
  try {
    await scenario.workbench.page.evaluate(latencyProbe);
    await scenario.workbench.openFile(benchFile);
    await waitForReady(scenario);
    if (options.breakdown) await traceExtensionLog(scenario);
    let sample = 0;
    if (cold) {
      // Cold: the first completion after the host has (re)loaded the model, its KV cache empty.
      const coldValues: number[] = [];
      for (let i = 0; i < coldSamples; i++) {
        await restartHost(scenario);
        const { keyAt, visibleAt } = await measureOnce(scenario.workbench, sample++);
        coldValues.push(visibleAt - keyAt);
      }
      console.log(summary(`${label}, cold (first completion after a host restart)`, coldValues));
    }
    const warm: GhostSample[] = [];
    await measureOnce(scenario.workbench, sample++);
    for (let i = 0; i < warmSamples; i++) warm.push(await measureOnce(scenario.workbench, sample++));
    console.log(
      summary(
        `${label}, warm (model loaded, a new function each time: no cache hit)`,
        warm.map(({ keyAt, visibleAt }) => visibleAt - keyAt),
      ),
    );
    const p50 = options.breakdown ? printBreakdown(warm, await joinTraces(scenario, warm)) : undefined;
    if (withoutChat) {
      failed = false;
      return p50;
    }

    const chat = await openChat(scenario);
    await chat.evaluate(chatProbe);
    const chatValues: number[] = [];
    await measureChatOnce(chat, "Write a greeting function.");
    for (let i = 0; i < chatSamples; i++)
      chatValues.push(await measureChatOnce(chat, `Write a greeting function, take ${i + 2}.`));
    console.log(summary(`${label}, chat: send to first token visible`, chatValues));
    failed = false;
    return p50;
  } finally {
    await scenario.finish(failed);
  }
}

async function main(): Promise<void> {
  const codeServer = await codeServerExecutable();
  // Other processes share the cores: wall times are only comparable at a similar load.
  const load = (): string =>
    os
      .loadavg()
      .map((value) => value.toFixed(1))
      .join(" ");
  console.log(
    `in the browser (code-server 4.100.3, Chromium, CPU backend; load average ${load()} on ${os.cpus().length} cores):`,
  );
  console.log("keystroke to visible ghost text, and chat send to first visible token");
  const floor = await benchFloor(codeServer);
  const scriptedP50 = await benchModel(codeServer, "scripted fixture model", ensureScriptedModel("standard"), {
    cold: false,
    breakdown: true,
    settings: {},
  });
  if (scriptedP50) printAgainstFloor(scriptedP50, floor);
  if (scriptedOnly) {
    console.log(`load average at the end: ${load()}`);
    return;
  }
  const benchModelPath = ensureScriptedBenchModel((message) => console.log(message));
  console.log(
    `0.5B-shaped benchmark model: Qwen2.5-Coder-0.5B's compute per token, a scripted ${benchCompletion.length}-character line as its answer`,
  );
  await benchModel(codeServer, "0.5B-shaped benchmark model", benchModelPath, {
    cold: true,
    breakdown: false,
    settings: {},
  });
  console.log(`load average at the end: ${load()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
