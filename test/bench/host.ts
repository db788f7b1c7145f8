// npm run bench:host — the inference host on a model with Qwen2.5-Coder-0.5B's shape (random Q8_0 weights,
// generated once into .cache/models): cold start, throughput next to plain in-process node-llama-cpp, KV-cache reuse
// for an edit at the cursor, cancellation latency, and the host's peak memory. Prints figures; asserts nothing.
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { layoutFimPrompt } from "../../extension/src/core/completion/fimLayout";
import type { InfillParams } from "../../extension/src/core/protocol/host";
import type { HostClient } from "../../extension/src/node/host/hostClient";
import { ensureBenchModel } from "../fixtures/benchModel";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";

const contextSize = 4096;
/** Throughput rounds (the best counts); BENCH_HOST_ROUNDS=1 halves the run time on a busy machine. */
const rounds = Math.max(1, Number(process.env.BENCH_HOST_ROUNDS ?? 2));
const targetPromptTokens = 1500;
const generationTokens = 64;
/** Ghost text is short; both sides of the KV-reuse comparison generate this many tokens. */
const editMaxTokens = 8;

let uniqueRun = 0;
/** Code text with a tag no earlier prompt of this run used, so nothing of it is cached. */
function taggedCode(tag: string, lines: number): string {
  return Array.from({ length: lines }, (_, i) => `    ${tag}_total_${i} = compute(values[${i}], index + ${i})\n`).join(
    "",
  );
}

interface FimPrompt {
  prefix: string;
  suffix: string;
}

/** A fresh prefix and suffix of about `targetPromptTokens` tokens in the host's layout, counted with the model's tokenizer. */
function buildPrompt(
  tokenize: (text: string) => number[],
  fim: { prefix: number; suffix: number; middle: number },
): FimPrompt {
  const tag = `r${uniqueRun++}`;
  const compose = (lines: number): FimPrompt => {
    const suffixLines = Math.round(lines / 5);
    return {
      prefix: `def process(values, index):\n${taggedCode(tag, lines - suffixLines)}    result = `,
      suffix: `\n${taggedCode(`${tag}s`, suffixLines)}    return result\n`,
    };
  };
  const count = (prompt: FimPrompt): number =>
    layoutFimPrompt(tokenize(prompt.prefix), tokenize(prompt.suffix), fim, [], {
      maxPromptTokens: contextSize,
      maxSuffixTokens: 512,
      prefixTrimStep: 1,
    }).tokens.length;
  let lines = 60;
  for (let attempt = 0; attempt < 4; attempt++) {
    const tokens = count(compose(lines));
    if (Math.abs(tokens - targetPromptTokens) <= 30) return compose(lines);
    lines = Math.max(2, Math.round((lines * targetPromptTokens) / tokens));
  }
  throw new Error("could not size the benchmark prompt");
}

function infill(prompt: FimPrompt, maxTokens: number): InfillParams {
  return { prefix: prompt.prefix, suffix: prompt.suffix, maxTokens, stop: [], temperature: 0 };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** Aborts a request after `afterMs` and reports when its promise settled and when the host next answered. */
async function abortLatency(
  client: HostClient,
  params: InfillParams,
  afterMs: number,
): Promise<{ rejectedMs: number; nextServedMs: number }> {
  const controller = new AbortController();
  const request = client.infill(params, controller.signal);
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const aborted = performance.now();
  controller.abort();
  await request.catch(() => undefined);
  const rejectedMs = performance.now() - aborted;
  // The infill lane serves one request at a time: a 1-token request is answered only once the aborted one has
  // really stopped evaluating.
  await client.infill({ prefix: "x", suffix: "", maxTokens: 1, stop: [], temperature: 0 });
  return { rejectedMs, nextServedMs: performance.now() - aborted };
}

const f0 = (value: number): string => value.toFixed(0);
const f1 = (value: number): string => value.toFixed(1);

async function main(): Promise<void> {
  const modelPath = ensureBenchModel((message) => console.log(message));
  // BENCH_HOST_GPU=cpu measures the CPU on a machine that has a GPU.
  const gpu = process.env.BENCH_HOST_GPU === "cpu" ? "cpu" : "auto";
  const { client } = createTestHost(hostConfig(modelPath, { gpu, contextSize }));
  try {
    // 1. Cold start: fork, load, first completion.
    const forked = performance.now();
    const info = await client.start();
    const readyMs = performance.now() - forked;
    await client.infill({ prefix: "def add(a, b):\n    ", suffix: "\n", maxTokens: 8, stop: [], temperature: 0 });
    const firstCompletionMs = performance.now() - forked;
    const hostPid = client.pid;
    if (hostPid === undefined) throw new Error("the host has no pid");
    const model = info.completionModel;
    console.log(
      `model: ${model.name}, ${f0(model.sizeBytes / 2 ** 20)} MiB, ${((model.parameters ?? 0) / 1e6).toFixed(0)}M parameters; ` +
        `${info.gpu.type}${info.gpu.names.length > 0 ? ` (${info.gpu.names.join(", ")})` : ""}, ${info.threads} threads, context ${contextSize}, ${model.offloadedLayers}/${model.layers} layers offloaded`,
    );
    console.log(
      `host cold start, fork to first completion: ${f0(firstCompletionMs)} ms (ready after ${f0(readyMs)} ms)`,
    );

    // 2. Throughput: the host next to the same work in this process through plain node-llama-cpp with the host's
    // settings. Rounds alternate which goes first, so a change in machine load hits both alike.
    const { getLlama } = await import("node-llama-cpp");
    const llama = await getLlama({
      gpu: info.gpu.type === "cpu" ? false : info.gpu.type,
      build: "never",
      maxThreads: info.threads,
    });
    const baselineModel = await llama.loadModel({ modelPath });
    const { prefix: fimPrefix, suffix: fimSuffix, middle: fimMiddle } = baselineModel.tokens.infill;
    if (fimPrefix === null || fimSuffix === null || fimMiddle === null)
      throw new Error("the benchmark model lacks FIM tokens");
    const fim = { prefix: fimPrefix, suffix: fimSuffix, middle: fimMiddle };
    const tokenize = (text: string): number[] => baselineModel.tokenize(text);
    const context = await baselineModel.createContext({
      contextSize,
      threads: info.threads,
      batchSize: info.gpu.type === "cpu" ? 128 : 512,
    });
    const sequence = context.getSequence();

    const baselinePrefill: number[] = [];
    const baselineGeneration: number[] = [];
    const runBaseline = async (): Promise<void> => {
      const prompt = buildPrompt(tokenize, fim);
      await sequence.clearHistory();
      // The same work as the host's cold request (which counts tokenizing, the prompt's evaluation and one generated
      // token): on a GPU the whole prompt takes tens of milliseconds, so leaving those out would flatter the baseline.
      const prefill = await timed(async () => {
        const tokens = layoutFimPrompt(
          baselineModel.tokenize(prompt.prefix),
          baselineModel.tokenize(prompt.suffix),
          fim,
          [],
          {
            maxPromptTokens: contextSize,
            maxSuffixTokens: 512,
            prefixTrimStep: 256,
          },
        ).tokens;
        await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, -1));
        for await (const token of sequence.evaluate(tokens.slice(-1), { temperature: 0, yieldEogToken: true }))
          return { tokens, first: token };
        throw new Error("the baseline generated no token");
      });
      baselinePrefill.push(prefill.value.tokens.length / (prefill.ms / 1000));
      let generated = 0;
      const generation = await timed(async () => {
        for await (const token of sequence.evaluate([prefill.value.first], { temperature: 0, yieldEogToken: true })) {
          if (baselineModel.isEogToken(token) || ++generated >= generationTokens) break;
        }
      });
      baselineGeneration.push(generated / (generation.ms / 1000));
    };
    // Host: prefill on a fresh prompt (1 token generated), generation on the now cached prompt.
    const hostPrefill: number[] = [];
    const hostPrefillInside: number[] = [];
    const hostGeneration: number[] = [];
    let promptTokens = 0;
    const runHost = async (): Promise<void> => {
      const prompt = buildPrompt(tokenize, fim);
      const cold = await timed(() => client.infill(infill(prompt, 1)));
      promptTokens = cold.value.promptTokens;
      hostPrefill.push(cold.value.tokensEvaluated / (cold.ms / 1000));
      if (cold.value.timings !== undefined)
        hostPrefillInside.push(cold.value.tokensEvaluated / (cold.value.timings.promptMs / 1000));
      const warm = await timed(() => client.infill(infill(prompt, generationTokens)));
      if (warm.value.tokensEvaluated > 2)
        throw new Error(`the prompt was not cached: ${warm.value.tokensEvaluated} evaluated`);
      hostGeneration.push(warm.value.generatedTokens / (warm.ms / 1000));
    };
    for (let round = 0; round < rounds; round++) {
      for (const run of round % 2 === 0 ? [runBaseline, runHost] : [runHost, runBaseline]) await run();
    }
    // Prompts for the runs below, built while the tokenizer is loaded: the edit and the abort during prefill.
    const laterPrompts = Array.from({ length: 2 }, () => buildPrompt(tokenize, fim));
    const promptForHost = (): FimPrompt => {
      const next = laterPrompts.shift();
      if (next === undefined) throw new Error("no prepared prompt left");
      return next;
    };
    await context.dispose();
    await baselineModel.dispose();
    await llama.dispose();
    const best = (values: number[]): number => Math.max(...values);
    const ratio = (host: number, baseline: number): string => (host / baseline).toFixed(3);
    const each = (values: number[]): string => values.map(f0).join(", ");
    console.log(
      `prompt evaluation per round (tok/s): host ${each(hostPrefill)}; baseline ${each(baselinePrefill)}; host by its own clock (prompt only) ${each(hostPrefillInside)}`,
    );
    console.log(
      `prompt evaluation (${promptTokens}-token FIM prompt, best of ${rounds}): host ${f0(best(hostPrefill))} tok/s, baseline ${f0(best(baselinePrefill))} tok/s, ratio ${ratio(best(hostPrefill), best(baselinePrefill))}`,
    );
    console.log(
      `generation (${generationTokens} tokens, best of ${rounds}): host ${f1(best(hostGeneration))} tok/s, baseline ${f1(best(baselineGeneration))} tok/s, ratio ${ratio(best(hostGeneration), best(baselineGeneration))}`,
    );

    // 4. KV-cache reuse: a cold request, then the same document with one character typed at the cursor.
    const prompt = promptForHost();
    const cold = await timed(() => client.infill(infill(prompt, editMaxTokens)));
    const edit = await timed(() =>
      client.infill(infill({ prefix: `${prompt.prefix}x`, suffix: prompt.suffix }, editMaxTokens)),
    );
    console.log(
      `one-character edit at the cursor (maxTokens ${editMaxTokens}): ${f0(edit.ms)} ms, ${edit.value.tokensEvaluated} of ${edit.value.promptTokens} tokens evaluated; ` +
        `cold request: ${f0(cold.ms)} ms, ${cold.value.tokensEvaluated} evaluated; ${f1(cold.ms / edit.ms)}x faster`,
    );

    // 5. Cancellation: during prompt evaluation of a fresh prompt, and during generation on a cached one.
    // The edited prompt of step 4 is still cached: this request is generating after 1 s. (Any other prompt first
    // would replace the cache, the suffix being the first part of the layout.)
    const duringGeneration = await abortLatency(
      client,
      infill({ prefix: `${prompt.prefix}x`, suffix: prompt.suffix }, 2000),
      1000,
    );
    const duringPrefill = await abortLatency(client, infill(promptForHost(), 8), 1000);
    console.log(
      `abort during prompt evaluation: promise settled after ${f0(duringPrefill.rejectedMs)} ms, host free (next request answered) after ${f0(duringPrefill.nextServedMs)} ms`,
    );
    console.log(
      `abort during generation: promise settled after ${f0(duringGeneration.rejectedMs)} ms, host free (next request answered) after ${f0(duringGeneration.nextServedMs)} ms`,
    );
    console.log(`host peak RSS: ${f0(peakRssMiB(hostPid))} MiB`);
    // Every figure above is wall time: on a machine busy with other work they say more about the load than the host.
    console.log(`load average (1 min) at the end: ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
  } finally {
    await client.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
