// bench:completion's early-stop section: whether stopping while tokens arrive changes what is shown (the truncation
// corpus), what the check costs per token, and what it saves on models that do not end cleanly, through the real
// host against a baseline that generates to maxTokens and post-processes, as the product did before early stop.
import { CompletionEngine } from "../../extension/src/core/completion/engine";
import { postProcess, type PostProcessInput } from "../../extension/src/core/completion/postProcess";
import { defaultPromptBudget } from "../../extension/src/core/completion/prompt";
import { stopPolicySpec } from "../../extension/src/core/completion/stopPolicy";
import type { GenerationResult, InfillParams } from "../../extension/src/core/protocol/host";
import { cursorInText, InsertionParser } from "../../extension/src/core/syntax/insertionParser";
import type { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import type { Language } from "web-tree-sitter";
import { ensureScriptedBenchModel } from "../fixtures/benchModel";
import { codeTokens, streamThroughPolicy } from "../fixtures/earlyStop";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import { llamaServerBinary, startLlamaServer } from "../remote/llamaServer";
import { createRemoteBackend } from "../../extension/src/node/remote/remoteBackend";
import { existsSync } from "node:fs";
import {
  ensureScriptedModel,
  fimTokens,
  longLineScript,
  type LoopingScript,
  ramblingScript,
  repeatingScript,
  type ScriptedVariant,
} from "../fixtures/scriptedModel";

const maxLines = 12;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function shownText(input: PostProcessInput): string {
  const result = postProcess(input);
  return result.show ? result.insertion.text.split("\n").slice(0, maxLines).join("\n") : `(nothing: ${result.reason})`;
}

/** The truncation corpus streamed through the policy: the shown text must not change. */
export class EarlyStopAccuracy {
  private checked = 0;
  private same = 0;
  private readonly misses: string[] = [];
  private readonly generated: number[] = [];
  private readonly all: number[] = [];
  readonly checkMs: number[] = [];

  /** `input.raw` is the model's whole output; `checksSyntax` as the engine decides it. */
  check(input: PostProcessInput, checksSyntax: boolean): void {
    const spec = stopPolicySpec({
      prefix: input.prefix,
      suffix: input.suffix,
      mode: input.mode,
      maxLines,
      tabSize: input.style.tabSize,
      checksSyntax,
      timeCapMs: 0,
    });
    const tokens = codeTokens(input.raw);
    const outcome = streamThroughPolicy(spec, tokens);
    this.checkMs.push(...outcome.checkMs);
    this.generated.push(outcome.tokens);
    this.all.push(tokens.length);
    const today = shownText(input);
    const early = shownText({ ...input, raw: outcome.text });
    this.checked++;
    if (today === early) this.same++;
    else
      this.misses.push(
        `${input.mode}: today ${JSON.stringify(today.slice(-80))}, early-stopped ${JSON.stringify(early.slice(-80))} (stopped at ${JSON.stringify(outcome.text.slice(-40))})`,
      );
  }

  print(): void {
    const share = (100 * this.same) / Math.max(1, this.checked);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    console.log(
      `  truncation corpus: early-stopped text shown as today in ${this.same}/${this.checked} = ${share.toFixed(2)}% (goal >= 99.5%); tokens read ${sum(this.generated)} of ${sum(this.all)}`,
    );
    for (const miss of this.misses) console.log(`    miss: ${miss}`);
  }
}

/** The policy on a 5,000-line file: building it from the request (first token) and each token after. */
export function perTokenCost(text: string, runtime: SyntaxRuntime, language: Language, languageId: string): void {
  const lines = text.split("\n");
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length + 1;
  }
  const costs: number[] = [];
  const tree = runtime.parse(language, text);
  try {
    for (let sample = 0; sample < 60; sample++) {
      const row = Math.floor(((sample + 0.5) / 60) * (lines.length - 50));
      const cursor = starts[row] + (lines[row].length - lines[row].trimStart().length);
      const prefix = text.slice(0, cursor);
      const suffix = text.slice(cursor);
      const raw = lines
        .slice(row, row + 40)
        .join("\n")
        .trimStart();
      const started = performance.now();
      const spec = stopPolicySpec({
        prefix,
        suffix,
        mode: "multiLine",
        maxLines,
        tabSize: 4,
        checksSyntax: !tree.rootNode.hasError,
        timeCapMs: 0,
      });
      const built = performance.now() - started;
      const outcome = streamThroughPolicy(spec, codeTokens(raw));
      costs.push(built + outcome.checkMs[0], ...outcome.checkMs.slice(1));
    }
  } finally {
    tree.delete();
  }
  console.log(
    `  per-token check, ${languageId} (${lines.length} lines, ${costs.length} tokens): p50 ${percentile(costs, 50).toFixed(4)} ms, p95 ${percentile(costs, 95).toFixed(4)} ms, max ${Math.max(...costs).toFixed(3)} ms (goal p95 <= 0.2 ms)`,
  );
}

interface Run {
  latencyMs: number;
  generated: number;
  /** Prompt tokens the backend says it evaluated. */
  evaluated: number;
  shown: string;
}

/** The scripts' pieces are whole tokens, and the shown text is a start of the output: it is this many of them. */
function tokensShown(shown: string, rawTokens: readonly string[]): number {
  let chars = 0;
  for (let index = 0; index < rawTokens.length; index++) {
    if (chars >= shown.length) return index;
    chars += rawTokens[index].length;
  }
  return rawTokens.length;
}

/** A script's output as tokens, its loop unrolled past any request's maxTokens. */
function unrolled(script: readonly string[] | LoopingScript): readonly string[] {
  if (!("loopFrom" in script)) return script;
  const tokens = [...script.pieces];
  while (tokens.length < 1024) tokens.push(...script.pieces.slice(script.loopFrom));
  return tokens;
}

type Backend = (params: InfillParams, signal: AbortSignal) => Promise<GenerationResult>;

/** An engine on `generate`; with `withPolicy` false, the request's stop policy is dropped. */
function engineFor(generate: Backend, withPolicy: boolean, onResult: (result: GenerationResult) => void) {
  return new CompletionEngine({
    generate: async (params, signal) => {
      // The baseline generates to maxTokens and post-processes, as before early stop.
      const result = await generate(withPolicy ? params : { ...params, stopPolicy: undefined }, signal);
      onResult(result);
      return result;
    },
    gate: () => ({ action: "show", findings: [] }),
    debounce: { kind: "fixed", milliseconds: 0 },
    budget: defaultPromptBudget,
    maxLines,
    now: () => performance.now(),
    sleep: async () => undefined,
  });
}

/**
 * Early stop and the baseline, interleaved round by round (which goes first alternates), so that a change in the
 * machine's load during the run weighs on both alike. Each request's function has its own name, which differs from
 * the one before it at the same place, so every request re-evaluates the same part of the prompt.
 */
async function measure(
  runtime: SyntaxRuntime,
  language: Language,
  generate: Backend,
  rounds: number,
): Promise<{ early: Run[]; baseline: Run[] }> {
  // The backend's answer to the request being measured.
  const seen: { result?: GenerationResult } = {};
  const keep = (result: GenerationResult) => (seen.result = result);
  const engines = { early: engineFor(generate, true, keep), baseline: engineFor(generate, false, keep) };
  const runs: { early: Run[]; baseline: Run[] } = { early: [], baseline: [] };
  // Round 0 warms the KV cache; each later round types one more character into the function's name.
  for (let round = 0; round <= rounds; round++) {
    const order = round % 2 === 0 ? (["early", "baseline"] as const) : (["baseline", "early"] as const);
    for (const kind of order) {
      const name = `${kind === "early" ? "add" : "sub"}${"x".repeat(round)}`;
      const prefix = `import math\n\n\ndef area(r):\n    return math.pi * r * r\n\n\ndef ${name}(a, b):\n    `;
      const suffix = "\n\n\nprint(area(2))\n";
      const tree = runtime.parse(language, prefix + suffix);
      try {
        seen.result = undefined;
        const started = performance.now();
        const outcome = await engines[kind].complete(
          {
            languageId: "python",
            path: "bench.py",
            prefix,
            suffix,
            cursorLine: prefix.split("\n").length - 1,
            trigger: "automatic",
            style: { insertSpaces: true, tabSize: 4 },
            syntax: () => new InsertionParser(runtime, language, tree, cursorInText(prefix, suffix)),
            snippets: async () => [],
          },
          new AbortController().signal,
        );
        const latencyMs = performance.now() - started;
        const result = seen.result as GenerationResult | undefined;
        if (round > 0 && result !== undefined)
          runs[kind].push({
            latencyMs,
            generated: result.generatedTokens,
            evaluated: result.tokensEvaluated,
            shown: outcome.kind === "shown" ? outcome.insertion.text : "",
          });
      } finally {
        tree.delete();
      }
    }
  }
  return runs;
}

interface Comparison {
  label: string;
  early: Run[];
  baseline: Run[];
  rawTokens: readonly string[];
}

function report({ label, early, baseline, rawTokens }: Comparison): { speedup: number; perShown: number } {
  const ratios = (runs: Run[]) => runs.map((run) => run.generated / Math.max(1, tokensShown(run.shown, rawTokens)));
  const extra = early.map((run) => run.generated - tokensShown(run.shown, rawTokens));
  const latency = (runs: Run[]) => runs.map((run) => run.latencyMs);
  const evaluated = (runs: Run[]) => runs.map((run) => run.evaluated);
  const same = early.every((run, index) => run.shown === baseline[index]?.shown);
  const speedup = percentile(latency(baseline), 50) / percentile(latency(early), 50);
  const perShown = percentile(ratios(early), 50);
  console.log(
    `  ${label}: early stop p50 ${percentile(latency(early), 50).toFixed(0)} ms, p95 ${percentile(latency(early), 95).toFixed(0)} ms, ` +
      `${perShown.toFixed(2)} tokens generated per shown token (extra tokens p95 ${percentile(extra, 95)}); ` +
      `baseline p50 ${percentile(latency(baseline), 50).toFixed(0)} ms, p95 ${percentile(latency(baseline), 95).toFixed(0)} ms, ${percentile(ratios(baseline), 50).toFixed(2)} per shown token; ` +
      `speedup ${speedup.toFixed(1)}x; prompt tokens evaluated p50 ${percentile(evaluated(early), 50)} (baseline ${percentile(evaluated(baseline), 50)}); ` +
      `shown text ${same ? "identical" : "DIFFERS"}`,
  );
  return { speedup, perShown };
}

/** A backend for one model: the local host or llama-server, started and stopped around the measurements. */
interface BackendRig {
  label: string;
  start(modelPath: string): Promise<{ generate: Backend; stop(): Promise<void> }>;
}

const localHost: BackendRig = {
  label: "local host",
  async start(modelPath) {
    const host = createTestHost(hostConfig(modelPath, { contextSize: 4096, threads: 1 }));
    await host.client.start();
    return { generate: (params, signal) => host.client.infill(params, signal), stop: () => host.client.dispose() };
  },
};

const llamaServer: BackendRig = {
  label: "llama-server",
  async start(modelPath) {
    const server = await startLlamaServer({ modelPath, threads: 1, contextSize: 4096 });
    const backend = createRemoteBackend({
      kind: "llama-server",
      baseUrl: server.url,
      model: "",
      fimTemplate: "qwen",
      customFimTemplate: "",
      apiKey: async () => undefined,
      extraCaCertificates: [],
    });
    return {
      generate: (params, signal) => backend.infill(params, signal),
      stop: async () => {
        backend.dispose();
        await server.stop();
      },
    };
  },
};

async function compare(
  rig: BackendRig,
  modelPath: string,
  label: string,
  rawTokens: readonly string[],
  runtime: SyntaxRuntime,
  language: Language,
  rounds: number,
) {
  const backend = await rig.start(modelPath);
  try {
    const { early, baseline } = await measure(runtime, language, backend.generate, rounds);
    return report({ label: `${rig.label}, ${label}`, early, baseline, rawTokens });
  } finally {
    await backend.stop();
  }
}

export async function earlyStopThroughHost(
  runtime: SyntaxRuntime,
  language: Language,
  rounds: { small: number; bench: number },
): Promise<void> {
  const scripts: Record<
    Extract<ScriptedVariant, "standard" | "rambling" | "repeating" | "longLine">,
    readonly string[] | LoopingScript
  > = {
    standard: fimTokens,
    rambling: ramblingScript,
    repeating: repeatingScript,
    longLine: longLineScript,
  };
  const rigs = existsSync(llamaServerBinary()) ? [localHost, llamaServer] : [localHost];
  if (rigs.length === 1)
    console.log(`  (no llama-server at ${llamaServerBinary()}: run bash test/remote/build-llama-server.sh)`);
  for (const rig of rigs) {
    for (const variant of ["standard", "rambling", "repeating", "longLine"] as const) {
      await compare(
        rig,
        ensureScriptedModel(variant),
        `scripted ${variant}`,
        unrolled(scripts[variant]),
        runtime,
        language,
        rounds.small,
      );
    }
  }
  const benchModel = ensureScriptedBenchModel((message) => console.log(`  ${message}`), "rambling");
  const headline = await compare(
    localHost,
    benchModel,
    "0.5B-shaped rambling",
    unrolled(ramblingScript),
    runtime,
    language,
    rounds.bench,
  );
  if (rigs.includes(llamaServer))
    await compare(
      llamaServer,
      benchModel,
      "0.5B-shaped rambling",
      unrolled(ramblingScript),
      runtime,
      language,
      rounds.bench,
    );
  console.log(
    `early stop: rambling p50 speedup ${headline.speedup.toFixed(1)}x, tokens generated per shown token ${headline.perShown.toFixed(2)}`,
  );
}
