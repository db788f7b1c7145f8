/// <reference lib="dom" />
// npm run bench:chat — what the chat adds on top of the host. (1) With the scripted fixture model: time from send to
// the first rendered token and to the rendered, Shield-checked answer in the real webview bundle (headless Chromium),
// next to the host's own first chunk and result in the same run. (2) The webview's render cost per streamed token,
// with an empty history and with a 200-turn one. (3) A single line of 256 KB and of 2 MB streamed: frame time and
// total, against the whole-line render that every frame cost before. Prints figures; asserts nothing.
import path from "node:path";
import * as esbuild from "esbuild";
import { chromium, type Page } from "playwright-core";
import type { ChatToWebview } from "../../extension/src/core/protocol/webview";
import { closeChatBrowser, openChatWebview } from "../e2e/chatWebviewPage";
import { chromiumExecutable } from "../e2e/paths";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel, repoRoot } from "../fixtures/scriptedModel";
import { answerEnded, createChatRig, loadChatShield } from "../integration/chatHarness";

const runs = 7;

function now(): number {
  return performance.timeOrigin + performance.now();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function endToEnd(): Promise<void> {
  const shield = await loadChatShield();
  const host = createTestHost(hostConfig(ensureScriptedModel("standard"), { contextSize: 2048 }));
  await host.client.start();
  const view = await openChatWebview();
  let hostFirstChunk = 0;
  let hostResult = 0;
  const queue: ChatToWebview[] = [];
  let delivering = Promise.resolve();
  const rig = createChatRig(
    host.client,
    shield,
    (message) => {
      queue.push(message);
      // Delivered in order, as VS Code's postMessage does.
      delivering = delivering.then(() => view.send(message));
    },
    {
      chunk: () => {
        if (hostFirstChunk === 0) hostFirstChunk = now();
      },
      result: () => {
        hostResult = now();
      },
    },
  );
  rig.session.postState();
  await delivering;
  // Timestamps in the page, on the same epoch-based clock as ours.
  await view.page.evaluate(`
    window.__marks = {};
    new MutationObserver(() => {
      const answers = document.querySelectorAll(".message.assistant");
      const last = answers[answers.length - 1];
      if (last === undefined || window.__marks.armed !== true) return;
      const stamp = performance.timeOrigin + performance.now();
      const text = last.querySelector(".message-content")?.textContent ?? "";
      if (window.__marks.first === undefined && text.length > 0) window.__marks.first = stamp;
      if (window.__marks.done === undefined && last.querySelector("pre code") !== null && last.dataset.status === "complete") window.__marks.done = stamp;
    }).observe(document.getElementById("messages"), { subtree: true, childList: true, characterData: true, attributes: true });
  `);

  const rows: Array<{ hostFirst: number; viewFirst: number; hostDone: number; viewDone: number }> = [];
  for (let run = 0; run <= runs; run++) {
    rig.session.newChat();
    await delivering;
    await view.page.evaluate("window.__marks = { armed: true }");
    hostFirstChunk = 0;
    hostResult = 0;
    rig.posted.length = 0;
    const sent = now();
    rig.session.send(`Write a greeting function (run ${run}).`, []);
    await answerEnded(rig.posted);
    await delivering;
    await view.page.waitForFunction("window.__marks.done !== undefined");
    const marks = (await view.page.evaluate("window.__marks")) as { first: number; done: number };
    // The first run warms the page and the host's caches; it is left out.
    if (run > 0)
      rows.push({
        hostFirst: hostFirstChunk - sent,
        viewFirst: marks.first - sent,
        hostDone: hostResult - sent,
        viewDone: marks.done - sent,
      });
  }
  await view.close();
  await closeChatBrowser();
  await host.client.dispose();
  shield.dispose();

  const pick = (key: keyof (typeof rows)[number]): number => median(rows.map((row) => row[key]));
  console.log(`chat, scripted fixture model (12-token answer with a python block), median of ${rows.length} runs:`);
  console.log(`  send -> host's first chunk (HostClient):          ${ms(pick("hostFirst"))}`);
  console.log(
    `  send -> first token rendered in the webview:      ${ms(pick("viewFirst"))}  (adds ${ms(pick("viewFirst") - pick("hostFirst"))})`,
  );
  console.log(`  send -> host's result (HostClient):               ${ms(pick("hostDone"))}`);
  console.log(
    `  send -> answer rendered, code block shown:        ${ms(pick("viewDone"))}  (adds ${ms(pick("viewDone") - pick("hostDone"))})`,
  );
}

/** One streamed answer's tokens: prose, a list and a code block, cut into 4-character pieces. */
function answerTokens(): string[] {
  const answer = [
    "Here is a version that reads the file once and keeps the counts in a dictionary:\n\n",
    '```python\nfrom collections import Counter\n\n\ndef word_counts(path):\n    with open(path, encoding="utf-8") as handle:\n        return Counter(handle.read().split())\n```\n\n',
    "- `Counter` does the counting for you.\n- The `with` block closes the file.\n\n",
    'For very large files, read line by line instead:\n\n```python\ndef word_counts(path):\n    counts = Counter()\n    with open(path, encoding="utf-8") as handle:\n        for line in handle:\n            counts.update(line.split())\n    return counts\n```\n',
  ].join("");
  const pieces: string[] = [];
  for (let i = 0; i < answer.length; i += 4) pieces.push(answer.slice(i, i + 4));
  return pieces;
}

function historyAnswer(turn: number): string {
  return `Answer ${turn}: use **a loop** and [the docs](https://docs.python.org).\n\n\`\`\`python\nfor item in items_${turn}:\n    print(item)\n\`\`\`\n\nThat is all.`;
}

async function renderCost(): Promise<void> {
  const bundle = await esbuild.build({
    absWorkingDir: repoRoot,
    stdin: {
      contents:
        'import { AnswerView } from "./webview/src/chat/render"; (window as unknown as { AnswerView: unknown }).AnswerView = AnswerView;',
      loader: "ts",
      resolveDir: repoRoot,
    },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "warning",
  });
  const browser = await chromium.launch({
    executablePath: chromiumExecutable,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage({ viewport: { width: 420, height: 760 } });
  await page.setContent(
    '<!DOCTYPE html><html><body><main id="messages" style="height: 700px; overflow-y: auto"></main></body></html>',
  );
  await page.addStyleTag({ path: path.join(repoRoot, "dist/webview/chat.css") });
  await page.addScriptTag({ content: bundle.outputFiles[0].text });

  const tokens = answerTokens();
  console.log(`render cost per streamed token (${tokens.length} tokens of 4 characters, one render and layout each):`);
  for (const turns of [0, 200]) {
    const history = Array.from({ length: turns / 2 }, (_, i) => historyAnswer(i));
    const result = (await page.evaluate(
      `(() => {
        const messages = document.getElementById("messages");
        messages.replaceChildren();
        const historyStart = performance.now();
        ${JSON.stringify(history)}.forEach((text, i) => {
          const question = document.createElement("div");
          question.className = "message user";
          question.textContent = "Question " + i;
          messages.append(question);
          messages.append(new window.AnswerView("h" + i, text, "complete", []).element);
        });
        void messages.offsetHeight;
        const historyMs = performance.now() - historyStart;
        const live = new window.AnswerView("live", "", "streaming", []);
        messages.append(live.element);
        const costs = [];
        for (const token of ${JSON.stringify(tokens)}) {
          const start = performance.now();
          live.append(token);
          live.flush();
          messages.scrollTop = messages.scrollHeight;
          void messages.offsetHeight;
          costs.push(performance.now() - start);
        }
        live.finish("complete");
        return { historyMs, costs };
      })()`,
    )) as { historyMs: number; costs: number[] };
    const mean = result.costs.reduce((sum, cost) => sum + cost, 0) / result.costs.length;
    console.log(
      `  ${String(turns).padStart(3)}-turn history: mean ${ms(mean)}, median ${ms(median(result.costs))}, p95 ${ms(percentile(result.costs, 95))}, max ${ms(Math.max(...result.costs))} per token` +
        (turns > 0 ? `  (rendering the history itself: ${ms(result.historyMs)})` : ""),
    );
  }
  await longLine(page);
  await browser.close();
}

/**
 * A single line of 256 KB, then of 2 MB, streamed 1 KB per frame: each frame's cost (append, render, layout) near
 * the end of the 256 KB line, the 2 MB line's total, and what ending the answer costs (the whole line rendered once,
 * as history renders it). The baseline is the streaming this replaced, which rendered the whole open line on every
 * frame: its frame cost at 256 KB is what rendering the 256 KB line whole costs, measured here on the same page.
 */
async function longLine(page: Page): Promise<void> {
  const result = (await page.evaluate(
    `(() => {
      const messages = document.getElementById("messages");
      const words = "lorem ipsum dolor sit amet ";
      const lineOf = (size) => ("Intro **bold**: " + words.repeat(Math.ceil(size / words.length))).slice(0, size);
      const chunk = 1024;
      const stream = (size) => {
        messages.replaceChildren();
        const line = lineOf(size);
        const live = new window.AnswerView("live", "", "streaming", []);
        messages.append(live.element);
        const frames = [];
        const started = performance.now();
        for (let i = 0; i < line.length; i += chunk) {
          const start = performance.now();
          live.append(line.slice(i, i + chunk));
          live.flush();
          void messages.offsetHeight;
          frames.push(performance.now() - start);
        }
        const streamedMs = performance.now() - started;
        const finishStart = performance.now();
        live.finish("complete");
        void messages.offsetHeight;
        return { frames, streamedMs, finishMs: performance.now() - finishStart };
      };
      const wholeRender = (size) => {
        const line = lineOf(size);
        const costs = [];
        for (let i = 0; i < 3; i++) {
          messages.replaceChildren();
          const start = performance.now();
          messages.append(new window.AnswerView("whole", line, "complete", []).element);
          void messages.offsetHeight;
          costs.push(performance.now() - start);
        }
        return costs;
      };
      return { small: stream(256 * 1024), large: stream(2 * 1024 * 1024), baseline: wholeRender(256 * 1024) };
    })()`,
  )) as {
    small: { frames: number[]; streamedMs: number; finishMs: number };
    large: { frames: number[]; streamedMs: number; finishMs: number };
    baseline: number[];
  };
  const lastTenth = result.small.frames.slice(-Math.ceil(result.small.frames.length / 10));
  console.log("a single streamed line, 1 KB per frame (append, render and layout per frame):");
  console.log(
    `  256 KB line: frame time near 256 KB median ${ms(median(lastTenth))}, p95 ${ms(percentile(lastTenth, 95))}, max ${ms(Math.max(...lastTenth))}; ` +
      `all ${result.small.frames.length} frames ${ms(result.small.streamedMs)}; ending the answer ${ms(result.small.finishMs)}`,
  );
  console.log(
    `  2 MB line: all ${result.large.frames.length} frames ${ms(result.large.streamedMs)} (frame p95 ${ms(percentile(result.large.frames, 95))}, max ${ms(Math.max(...result.large.frames))}); ending the answer ${ms(result.large.finishMs)}; total ${ms(result.large.streamedMs + result.large.finishMs)}`,
  );
  console.log(
    `  baseline, the whole open line rendered on every frame: one frame at 256 KB ${ms(median(result.baseline))} (median of ${result.baseline.length})`,
  );
}

async function main(): Promise<void> {
  await endToEnd();
  await renderCost();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
