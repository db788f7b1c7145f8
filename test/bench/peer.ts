// npm run bench:peer — our local host against llama.cpp's llama-server /infill with cache_prompt, as llama.vscode
// drives it (--cache-reuse 256; llama.vscode's `prompt` field, the cursor's line, is appended to input_prefix by this
// llama-server, so sending the whole prefix as input_prefix builds the same tokens), on the 0.5B-shaped benchmark
// model with the same threads, over the same typing session: keystrokes in a 300-line Python file, each prompt built
// by the extension's own prompt builder with a 1,500-token budget. Per keystroke and side, two requests with identical
// parameters: the first line (stop at the line break, at most 16 tokens), then the full completion (48 tokens).
// Prints p50/p95 and ours/llama-server ratios; asserts nothing. BENCH_PEER_KEYSTROKES=5 for a quick run.
// A cold 1,500-token prompt can take minutes on a loaded 2-core machine: the remote backend waits up to 10 minutes.
import { availableParallelism, cpus, loadavg } from "node:os";
import type { InferenceBackend } from "../../extension/src/core/backend/backend";
import { createRemoteBackend } from "../../extension/src/core/backend/remoteBackend";
import { buildInfillPrompt } from "../../extension/src/core/completion/prompt";
import type { GenerationResult, InfillParams } from "../../extension/src/core/protocol/host";
import { ensureBenchModel } from "../fixtures/benchModel";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import { startLlamaServer } from "../remote/llamaServer";

const keystrokes = Math.max(1, Number(process.env.BENCH_PEER_KEYSTROKES ?? 50));
/** Both sides get the same; BENCH_PEER_THREADS=1 avoids llama.cpp's spinning thread barriers on a machine busy with other work. */
const threads = Math.max(1, Number(process.env.BENCH_PEER_THREADS ?? availableParallelism()));
const contextSize = 4096;
const promptBudget = { totalTokens: 1500, suffixShare: 0.25, snippetShare: 0.3 };
const firstLine = { maxTokens: 16, stop: ["\n"] };
const fullCompletion = { maxTokens: 48, stop: [] };

/** A 300-line module of ordinary service code; the cursor goes on a blank line inside a method near line 200. */
function sourceFile(): { before: string; after: string } {
  const lines: string[] = ['"""Inventory service: records, pricing and stock movements."""', "from dataclasses import dataclass", "from decimal import Decimal", ""];
  for (let block = 0; lines.length < 296; block++) {
    lines.push(
      "",
      "@dataclass",
      `class Record${block}:`,
      "    sku: str",
      "    quantity: int",
      "    price: Decimal",
      "",
      `    def total_${block}(self, discount: Decimal = Decimal("0")) -> Decimal:`,
      `        """Price of the whole line after a discount, block ${block}."""`,
      "        gross = self.price * self.quantity",
      "        return gross - gross * discount",
      "",
      `    def restock_${block}(self, amount: int, warehouse: str) -> "Record${block}":`,
      "        if amount <= 0:",
      `            raise ValueError(f"restock amount must be positive, got {amount}")`,
      `        log_movement(warehouse, self.sku, amount, reason="restock ${block}")`,
      "        return replace(self, quantity=self.quantity + amount)",
    );
  }
  const cursorLine = 200;
  return { before: `${lines.slice(0, cursorLine).join("\n")}\n`, after: `\n${lines.slice(cursorLine, 300).join("\n")}\n` };
}

const typedText = "        normalized = normalize_record(record, strict=True)\n        if normalized.quantity > limit:\n            raise StockError(normalized.sku)\n";

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

interface Side {
  name: string;
  backend: InferenceBackend;
  firstLineMs: number[];
  fullMs: number[];
  tokensEvaluated: number[];
  promptTokens: number[];
}

async function timedInfill(backend: InferenceBackend, params: InfillParams): Promise<{ ms: number; result: GenerationResult }> {
  const started = performance.now();
  const result = await backend.infill(params);
  return { ms: performance.now() - started, result };
}

async function keystroke(side: Side, prompt: { prefix: string; suffix: string }): Promise<void> {
  const line = await timedInfill(side.backend, { ...prompt, ...firstLine, temperature: 0 });
  const full = await timedInfill(side.backend, { ...prompt, ...fullCompletion, temperature: 0 });
  side.firstLineMs.push(line.ms);
  side.fullMs.push(full.ms);
  // The edit's cost lands on the first request; the second finds the same prompt cached on either side.
  side.tokensEvaluated.push(line.result.tokensEvaluated);
  side.promptTokens.push(line.result.promptTokens);
}

async function main(): Promise<void> {
  const modelPath = ensureBenchModel((message) => console.log(message));
  const { before, after } = sourceFile();
  // The budget is in the model's tokens: the bench model's small vocabulary needs more tokens per character than the
  // extension's estimate assumes, and llama-server's /infill would cut a longer prompt (to 3/4 and 1/4 of its batch).
  let charsPerToken = 3;
  const countTokens = (text: string): number => Math.ceil(text.length / charsPerToken);
  const promptAt = (typed: string): { prefix: string; suffix: string } => {
    const prompt = buildInfillPrompt({ prefix: before + typed, suffix: after, languageId: "python", path: "inventory/service.py", snippets: [], budget: promptBudget, countTokens });
    return { prefix: prompt.prefix, suffix: prompt.suffix };
  };

  const started = performance.now();
  const progress = (message: string): void => console.log(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${message}`);
  const { client } = createTestHost(hostConfig(modelPath, { gpu: "cpu", contextSize, threads }));
  // llama.vscode recommends --cache-reuse 256 (and -b/-ub 1024, which would cut /infill's prefix to 768 tokens: the
  // default batch keeps the whole 1,500-token prompt, like ours).
  const server = await startLlamaServer({ modelPath, threads, contextSize, extraArgs: ["--cache-reuse", "256"] });
  const remote = createRemoteBackend({ kind: "llama-server", baseUrl: server.url, model: "", fimTemplate: "qwen", customFimTemplate: "", apiKey: async () => undefined, extraCaCertificates: [], firstByteTimeoutMs: 600_000 });
  try {
    await client.start();
    const fileTokens = await remote.countTokens(before + after);
    if (fileTokens === undefined) throw new Error("llama-server did not count tokens");
    charsPerToken = (before + after).length / fileTokens;
    progress(`host and llama-server ready (llama-server: ${server.url}); evaluating the cold prompt on both sides`);
    const ours: Side = { name: "ours", backend: client, firstLineMs: [], fullMs: [], tokensEvaluated: [], promptTokens: [] };
    const peer: Side = { name: "llama-server", backend: remote, firstLineMs: [], fullMs: [], tokensEvaluated: [], promptTokens: [] };
    // The cold prompt is not part of the session: both sides evaluate the file once first.
    for (const side of [ours, peer]) await side.backend.infill({ ...promptAt(""), ...firstLine, temperature: 0 });
    for (let index = 1; index <= keystrokes; index++) {
      const prompt = promptAt(typedText.slice(0, ((index - 1) % typedText.length) + 1));
      // Alternate who goes first, so a change in machine load hits both alike.
      for (const side of index % 2 === 0 ? [ours, peer] : [peer, ours]) await keystroke(side, prompt);
      if (index % 10 === 0 || index === 1) progress(`keystroke ${index} of ${keystrokes}`);
    }

    const row = (label: string, pick: (side: Side) => number[], unit: string): string => {
      const cells = [ours, peer].map((side) => `${percentile(pick(side), 0.5).toFixed(0)} / ${percentile(pick(side), 0.95).toFixed(0)}`);
      const ratio = (fraction: number): string => (percentile(pick(ours), fraction) / Math.max(1, percentile(pick(peer), fraction))).toFixed(2);
      return `${label.padEnd(30)}${`${cells[0]} ${unit}`.padEnd(22)}${`${cells[1]} ${unit}`.padEnd(24)}${ratio(0.5)} / ${ratio(0.95)}`;
    };
    console.log(
      `bench:peer: ${keystrokes} keystrokes in a 300-line Python file, ${promptBudget.totalTokens}-token prompt budget (${charsPerToken.toFixed(2)} chars/token), ${threads} threads, context ${contextSize}, CPU; ` +
        `prompt p50: ours ${percentile(ours.promptTokens, 0.5)} tokens, llama-server ${percentile(peer.promptTokens, 0.5)} tokens`,
    );
    console.log(`${"per keystroke".padEnd(30)}${"ours p50 / p95".padEnd(22)}${"llama-server p50 / p95".padEnd(24)}ratio ours/llama-server p50 / p95`);
    console.log(row("first line (<=16 tokens)", (side) => side.firstLineMs, "ms"));
    console.log(row("full completion (48 tokens)", (side) => side.fullMs, "ms"));
    console.log(row("prompt tokens evaluated", (side) => side.tokensEvaluated, "tok"));
    // Wall-clock figures: on a machine busy with other work they say as much about the load as about either side.
    console.log(`load average (1 min) at the end: ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
  } finally {
    remote.dispose();
    await client.dispose();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
