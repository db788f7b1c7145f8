// npm run bench:refactor — a refactor of a 40-line Python function through the real host with the scripted fixture
// model: time to the first visible progress (first streamed chunk) and to the preview being ready (answer extracted,
// diffed, Shield-scanned and parse-checked), next to the host's own time for the same chat request in the same run.
// The scripted model's answer is short whatever the prompt, so these figures are dominated by prompt evaluation and
// show the refactor pipeline's overhead, not a real model's generation speed. Prints figures; asserts nothing.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { surroundingContext } from "../../extension/src/core/refactor/context";
import { proposalFromAnswer, type ProposalChecks } from "../../extension/src/core/refactor/pipeline";
import { planRefactorPrompt } from "../../extension/src/core/refactor/prompt";
import { proposalBreaksParse } from "../../extension/src/core/refactor/syntaxCheck";
import { enclosingDefinition } from "../../extension/src/core/refactor/target";
import type { ChatParams } from "../../extension/src/core/protocol/host";
import { createShield } from "../../extension/src/core/shield";
import { fileGrammarSource } from "../../extension/src/node/shield/fileGrammarSource";
import { gateSuggestion } from "../../extension/src/core/shield/gate";
import { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel, repoRoot } from "../fixtures/scriptedModel";

const runs = 8;
const contextSize = 4096;
const grammarDirectory = path.join(repoRoot, "grammars");

/** A 40-line function whose names differ per run, so no run reuses another's KV cache. */
function fortyLineModule(tag: string): string {
  const body = Array.from(
    { length: 37 },
    (_, index) => `    ${tag}_step_${index} = transform(values[${index}], offset + ${index})`,
  );
  return [
    "import math",
    "",
    "",
    `def process_${tag}(values, offset):`,
    "    total = 0",
    ...body,
    "    return total",
    "",
  ].join("\n");
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function row(label: string, values: readonly number[]): string {
  return `${label.padEnd(50)} median ${median(values).toFixed(0).padStart(6)} ms   min ${Math.min(...values)
    .toFixed(0)
    .padStart(6)} ms   max ${Math.max(...values)
    .toFixed(0)
    .padStart(6)} ms`;
}

async function main(): Promise<void> {
  const host = createTestHost(hostConfig(ensureScriptedModel("standard"), { contextSize }));
  const [runtime, shield] = await Promise.all([
    SyntaxRuntime.create({ load: (file) => readFile(path.join(grammarDirectory, file)) }),
    createShield({ grammars: fileGrammarSource(grammarDirectory) }),
    host.client.start(),
  ]);
  const language = await runtime.language("python");
  if (language === undefined) throw new Error("no Python grammar");
  const planFor = (source: string): ChatParams => {
    const tree = runtime.parse(language, source);
    try {
      const target = enclosingDefinition(tree, "python", source, source.indexOf("_step_20"));
      if (target === undefined) throw new Error("no target");
      return plan(source, target, surroundingContext(tree, "python", source, target));
    } finally {
      tree.delete();
    }
  };
  const figures = {
    hostFirstChunk: [] as number[],
    hostTotal: [] as number[],
    firstProgress: [] as number[],
    previewReady: [] as number[],
    afterAnswer: [] as number[],
  };
  const checks: ProposalChecks = {
    shield: (input) =>
      gateSuggestion(
        shield,
        { prefix: input.prefix, suggestion: input.code, suffix: input.suffix, languageId: "python" },
        {
          mode: "block",
          disabledRules: new Set(),
          disabledLanguages: new Set(),
        },
      ),
    breaksParse: (before, after) => proposalBreaksParse(runtime, language, before, after),
  };
  let promptTokens = 0;
  try {
    for (let run = 0; run < runs; run++) {
      // Host alone: the same kind of request, on a module of its own so neither side warms the other's cache.
      const hostParams = planFor(fortyLineModule(`h${run}`));
      const hostStarted = performance.now();
      let hostFirst: number | undefined;
      const hostResult = await host.client.chat(hostParams, () => {
        hostFirst ??= performance.now() - hostStarted;
      });
      figures.hostFirstChunk.push(hostFirst ?? Number.NaN);
      figures.hostTotal.push(performance.now() - hostStarted);
      promptTokens = hostResult.promptTokens;

      // The refactor: target from the cursor, prompt, streamed answer, then everything the preview needs.
      const source = fortyLineModule(`r${run}`);
      const started = performance.now();
      const tree = runtime.parse(language, source);
      let job;
      let params: ChatParams;
      try {
        const target = enclosingDefinition(tree, "python", source, source.indexOf("_step_20"));
        if (target === undefined) throw new Error("no target");
        job = {
          preset: "simplify" as const,
          languageId: "python",
          documentText: source,
          target,
          documentLineEnding: "\n" as const,
        };
        params = plan(source, target, surroundingContext(tree, "python", source, target));
      } finally {
        tree.delete();
      }
      let first: number | undefined;
      const result = await host.client.chat(params, () => {
        first ??= performance.now() - started;
      });
      const answered = performance.now();
      const outcome = proposalFromAnswer(job, result, checks);
      if (outcome.kind !== "proposal") throw new Error(`no proposal: ${outcome.message}`);
      figures.firstProgress.push(first ?? Number.NaN);
      figures.previewReady.push(performance.now() - started);
      figures.afterAnswer.push(performance.now() - answered);
    }
  } finally {
    await host.client.dispose();
    shield.dispose();
    runtime.dispose();
  }
  console.log(
    `Refactor of a 40-line Python function, scripted fixture model on the CPU, ${runs} runs, prompt ${promptTokens} tokens`,
  );
  console.log(row("host alone: first chunk", figures.hostFirstChunk));
  console.log(row("host alone: whole answer", figures.hostTotal));
  console.log(row("refactor: first visible progress (first chunk)", figures.firstProgress));
  console.log(row("refactor: preview ready", figures.previewReady));
  console.log(row("refactor: extract+diff+Shield+parse after answer", figures.afterAnswer));
}

function plan(
  source: string,
  target: { start: number; end: number },
  context: ReturnType<typeof surroundingContext>,
): ChatParams {
  const planned = planRefactorPrompt({
    preset: "simplify",
    languageId: "python",
    instruction: "",
    diagnostics: [],
    sourceFileName: "process.py",
    target: source.slice(target.start, target.end),
    context,
    contextSize,
  });
  if (planned.kind !== "ready") throw new Error("the 40-line function does not fit");
  return planned.params;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
