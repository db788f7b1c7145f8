// npm run bench:shield-runtime: what sharing one tree-sitter runtime between the completion pipeline and the Shield
// saves. Memory: a process like the extension host with all 14 grammars loaded, the Shield on a runtime of its own (a
// second copy of every grammar, as before) against the Shield on the completion's runtime (one copy), each measured in
// a fresh child from /proc (VmRSS, VmHWM), interleaved. Time: the Shield's check of one ghost-text suggestion in a
// Python document, parsing the ~56,000-character window around the cursor from scratch (before) against re-parsing
// the document's own tree incrementally with the suggestion in it (after), on the same suggestions in one run.
// Prints figures only; it asserts nothing. SHIELD_RUNTIME_BENCH_RUNS (default 3) sets the memory runs per variant.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { codeLanguages } from "../../extension/src/core/config/codeLanguages";
import { defaultPromptBudget, promptWindowChars } from "../../extension/src/core/completion/prompt";
import { createShield, type Finding, type Shield } from "../../extension/src/core/shield";
import { textReader } from "../../extension/src/core/syntax/documentReader";
import { pointAfter } from "../../extension/src/core/syntax/documentTree";
import { InsertionParser } from "../../extension/src/core/syntax/insertionParser";
import { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import { fileGrammarSource } from "../../extension/src/node/shield/fileGrammarSource";

const thisFile = fileURLToPath(import.meta.url);
const repoRoot = path.resolve(path.dirname(thisFile), "../..");
const grammars = fileGrammarSource(path.join(repoRoot, "grammars"));

/** The ghost-text window on each side of the cursor in a parsed document (inlineCompletionProvider's requestAt). */
const WINDOW_SIDE_CHARS = promptWindowChars(defaultPromptBudget) + 16_000;

type Variant = "two runtimes" | "one runtime";

/** One line of code per language, so every language's parser and queries have run once, as in a working session. */
const SAMPLE = "x = f(y)\n";

/** The child: load as the extension host does, then report this process's memory. */
async function child(variant: Variant): Promise<void> {
  const completion = await SyntaxRuntime.create(grammars);
  for (const language of codeLanguages) await completion.language(language);
  const shield = await createShield(variant === "one runtime" ? { syntax: completion } : { grammars });
  for (const language of codeLanguages) {
    const grammar = await completion.language(language);
    if (grammar) completion.parse(grammar, SAMPLE).delete();
    shield.scan(SAMPLE, language);
  }
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  process.stdout.write(JSON.stringify({ rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") }));
  shield.dispose();
  completion.dispose();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function memory(): void {
  const runs = Number(process.env.SHIELD_RUNTIME_BENCH_RUNS ?? 3);
  const results: Record<Variant, Array<{ rssKb: number; hwmKb: number }>> = { "two runtimes": [], "one runtime": [] };
  for (let run = 0; run < runs; run++) {
    for (const variant of ["two runtimes", "one runtime"] as const) {
      const done = spawnSync(process.execPath, ["--import", "tsx", thisFile, "--child", variant], {
        cwd: repoRoot,
        encoding: "utf8",
      });
      if (done.status !== 0) throw new Error(`the ${variant} child exited ${done.status}: ${done.stderr}`);
      results[variant].push(JSON.parse(done.stdout) as { rssKb: number; hwmKb: number });
    }
  }
  const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;
  const line = (label: string, variant: Variant): string =>
    `${label.padEnd(58)} VmRSS ${mb(median(results[variant].map((r) => r.rssKb)))}, VmHWM ${mb(median(results[variant].map((r) => r.hwmKb)))}`;
  console.log(
    `\n## Extension-host-like process, all ${codeLanguages.length} languages' grammars loaded (median of ${runs} children each, interleaved)`,
  );
  console.log(line("before: Shield with its own runtime (two copies of each)", "two runtimes"));
  console.log(line("after: Shield on the completion's runtime (one copy)", "one runtime"));
  const saved = (field: "rssKb" | "hwmKb"): string =>
    mb(median(results["two runtimes"].map((r) => r[field])) - median(results["one runtime"].map((r) => r[field])));
  console.log(`${"saved".padEnd(58)} VmRSS ${saved("rssKb")}, VmHWM ${saved("hwmKb")}`);
}

function pythonStdlib(): string {
  return execFileSync("python3", ["-c", "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], {
    encoding: "utf8",
  }).trim();
}

/** Real Python, long enough for a full window on both sides of every cursor. */
function pythonDocument(): string {
  const stdlib = pythonStdlib();
  return ["argparse.py", "inspect.py", "tarfile.py", "typing.py"]
    .map((file) => readFileSync(path.join(stdlib, file), "utf8"))
    .join("\n");
}

/** Places where a new statement may go: the start of an indented line in the middle of the document. */
function cursors(document: string, count: number): Array<{ at: number; indent: string }> {
  const found: Array<{ at: number; indent: string }> = [];
  const pattern = /\n( {4,8})(?:return|[a-z_]+ = )/g;
  for (const match of document.matchAll(pattern)) {
    const at = (match.index ?? 0) + 1;
    if (at > WINDOW_SIDE_CHARS && at < document.length - WINDOW_SIDE_CHARS) found.push({ at, indent: match[1] ?? "" });
  }
  const step = Math.max(1, Math.floor(found.length / count));
  return found.filter((_, index) => index % step === 0).slice(0, count);
}

function sameFindings(a: readonly Finding[], b: readonly Finding[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function timing(): Promise<void> {
  const runtime = await SyntaxRuntime.create(grammars);
  const shield: Shield = await createShield({ syntax: runtime, languages: ["python"] });
  const python = await runtime.language("python");
  if (!python) throw new Error("no Python grammar");
  const document = pythonDocument();
  const documentTree = runtime.parse(python, document);
  const places = cursors(document, 60);
  const suggestions = ["value = helper(data, 1)\n", "os.system('ping -c 1 ' + host)\n"];
  const before: number[] = [];
  const after: number[] = [];
  // CPU time next to wall time: other work on a loaded machine stretches the wall clock, not this process's CPU time.
  const beforeCpu: number[] = [];
  const afterCpu: number[] = [];
  const cpuMs = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  let agree = 0;
  let flagged = 0;
  let total = 0;
  try {
    for (let round = 0; round < 2; round++) {
      for (const { at, indent } of places) {
        for (const line of suggestions) {
          const suggestion = indent + line;
          const prefixStart = Math.max(0, at - WINDOW_SIDE_CHARS);
          const input = {
            prefix: document.slice(prefixStart, at),
            suggestion,
            suffix: document.slice(at, at + WINDOW_SIDE_CHARS),
            language: "python" as const,
          };
          let start = performance.now();
          let startCpu = cpuMs();
          const fromScratch = shield.scanSuggestion(input);
          before.push(performance.now() - start);
          beforeCpu.push(cpuMs() - startCpu);
          const cursor = {
            read: textReader(document),
            cursor: at,
            cursorPoint: pointAfter({ row: 0, column: 0 }, document.slice(0, at)),
            after: document.slice(at, at + 64),
          };
          start = performance.now();
          startCpu = cpuMs();
          // What the gate does with the completion's tree: an incremental re-parse with the suggestion, then the query.
          const tree = new InsertionParser(runtime, python, documentTree, cursor).parseWithInsertion(suggestion);
          let inDocument: Finding[];
          try {
            inDocument = shield.scanSuggestion({ ...input, document: { tree, prefixStart } });
          } finally {
            tree.delete();
          }
          after.push(performance.now() - start);
          afterCpu.push(cpuMs() - startCpu);
          if (round === 1) {
            total++;
            if (sameFindings(fromScratch, inDocument)) agree++;
            if (inDocument.length > 0) flagged++;
          }
        }
      }
    }
  } finally {
    documentTree.delete();
    shield.dispose();
    runtime.dispose();
  }
  // The first round warms the code paths; the second is reported.
  const reported = (times: number[]): number[] => times.slice(times.length / 2);
  const describe = (times: number[], cpu: number[]): string => {
    const kept = reported(times);
    const keptCpu = reported(cpu);
    return `wall median ${median(kept).toFixed(2)} ms, p95 ${percentile(kept, 95).toFixed(2)} ms; CPU median ${median(keptCpu).toFixed(2)} ms, p95 ${percentile(keptCpu, 95).toFixed(2)} ms`;
  };
  console.log(
    `\n## The Shield's check of one ghost-text suggestion (${total} suggestions at ${places.length} places in a ${(document.length / 1000).toFixed(0)}K-character Python document, window ${(2 * WINDOW_SIDE_CHARS).toLocaleString("en")} characters)`,
  );
  console.log(`before: the window parsed from scratch                    ${describe(before, beforeCpu)}`);
  console.log(`after: the document's tree, re-parsed incrementally       ${describe(after, afterCpu)}`);
  console.log(
    `same findings both ways: ${agree} of ${total} suggestions (${flagged} flagged); load average ${os.loadavg()[0]?.toFixed(1) ?? "?"}, ${os.cpus().length} CPUs`,
  );
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--child");
  if (at >= 0) {
    await child(process.argv[at + 1] as Variant);
    return;
  }
  memory();
  await timing();
}

void main();
