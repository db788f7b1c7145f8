// npm run bench:shield-cli: how fast a one-file scan starts, against a bare `node -e 0` measured in the same run
// (interleaved, so both see the same machine load), where that time goes, and how scan time grows with nesting depth.
// Prints figures only; it asserts nothing. SHIELD_BENCH_STARTUP_RUNS (default 9) sets the runs per command;
// SHIELD_BENCH_BASELINE_CLI=path/to/shield.js interleaves another build of the CLI too (e.g. one built from main).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Language, Query } from "web-tree-sitter";
import { createShield, type Shield, type ShieldLanguage } from "../../extension/src/core/shield";
import { GRAMMAR_FILES, RUNTIME_WASM } from "../../extension/src/core/shield/languages";
import { requiredWords } from "../../extension/src/core/shield/queryLiterals";
import { ALL_RULES } from "../../extension/src/core/shield/rules";
import { initTreeSitterRuntime } from "../../extension/src/core/syntax/treeSitterRuntime";
import { fileGrammarSource } from "../../extension/src/node/shield/fileGrammarSource";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(repoRoot, "dist/cli/shield.js");
const grammarDir = path.join(repoRoot, "grammars");

const SMALL_PYTHON = "import os\n\n\ndef ping(host):\n    os.system('ping -c 1 ' + host)\n";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Preloaded into each measured process: its own CPU time (user + system, every thread) as it exits. */
const CPU_REPORTER =
  "process.on('exit', () => { const { user, system } = process.cpuUsage(); " +
  "process.stderr.write(`\\ncpu-ms ${(user + system) / 1000}\\n`); });\n";

interface Timing {
  wallMs: number;
  cpuMs: number;
}

function timed(reporter: string, args: readonly string[]): Timing {
  const start = performance.now();
  const run = spawnSync(process.execPath, ["--require", reporter, ...args], { encoding: "utf8" });
  const wallMs = performance.now() - start;
  if (run.status !== 0 && run.status !== 1) throw new Error(`${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  const cpu = /^cpu-ms (\S+)$/m.exec(run.stderr);
  if (!cpu) throw new Error(`${args.join(" ")} reported no CPU time: ${run.stderr}`);
  return { wallMs, cpuMs: Number(cpu[1]) };
}

function startup(): void {
  const runs = Number(process.env.SHIELD_BENCH_STARTUP_RUNS ?? 9);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "shield-bench-cli-"));
  try {
    const small = path.join(scratch, "app.py");
    writeFileSync(small, SMALL_PYTHON);
    const reporter = path.join(scratch, "cpu.cjs");
    writeFileSync(reporter, CPU_REPORTER);
    const baselineCli = process.env.SHIELD_BENCH_BASELINE_CLI;
    const bare: Timing[] = [];
    const scan: Timing[] = [];
    const baseline: Timing[] = [];
    timed(reporter, ["-e", "0"]);
    timed(reporter, [cli, "scan", small]);
    if (baselineCli) timed(reporter, [baselineCli, "scan", small]);
    for (let run = 0; run < runs; run++) {
      bare.push(timed(reporter, ["-e", "0"]));
      scan.push(timed(reporter, [cli, "scan", small]));
      if (baselineCli) baseline.push(timed(reporter, [baselineCli, "scan", small]));
    }
    const format = (timings: readonly Timing[], field: keyof Timing): string => {
      const values = timings.map((timing) => timing[field]);
      return `median ${median(values).toFixed(0)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;
    };
    const both = (timings: readonly Timing[]): string =>
      `wall ${format(timings, "wallMs")}; CPU ${format(timings, "cpuMs")}`;
    const beyond = (timings: readonly Timing[], field: keyof Timing): string =>
      (median(timings.map((timing) => timing[field])) - median(bare.map((timing) => timing[field]))).toFixed(0);
    console.log(
      `\n## One-file scan start-up (${runs} interleaved runs each, load average ${os.loadavg()[0]?.toFixed(1) ?? "?"}, ${os.cpus().length} CPUs; CPU = the process's user + system time, every thread)`,
    );
    console.log(`node -e 0                                 ${both(bare)}`);
    console.log(`node dist/cli/shield.js scan app.py       ${both(scan)}`);
    console.log(
      `scan beyond node -e 0                     wall median ${beyond(scan, "wallMs")} ms; CPU median ${beyond(scan, "cpuMs")} ms`,
    );
    if (baselineCli) {
      console.log(`baseline CLI scan app.py                  ${both(baseline)}`);
      console.log(
        `baseline beyond node -e 0                 wall median ${beyond(baseline, "wallMs")} ms; CPU median ${beyond(baseline, "cpuMs")} ms`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The start-up phases of a Python scan, cold, in this process (nothing Shield-related has loaded yet). */
async function phases(): Promise<void> {
  const time = async <T>(work: () => Promise<T> | T): Promise<[T, number]> => {
    const start = performance.now();
    const result = await work();
    return [result, performance.now() - start];
  };
  const [, initMs] = await time(() =>
    initTreeSitterRuntime(() => Promise.resolve(readFileSync(path.join(grammarDir, RUNTIME_WASM)))),
  );
  const [python, loadMs] = await time(() => Language.load(readFileSync(path.join(grammarDir, GRAMMAR_FILES.python))));
  const patterns = ALL_RULES.flatMap((rule) => rule.patterns.filter((p) => p.languages.includes("python")));
  const [query, compileMs] = await time(() => new Query(python, patterns.map((p) => p.query).join("\n")));
  query.delete();
  // What the CLI compiles for app.py with compileOnDemand: the patterns whose required words the file contains.
  const needed = patterns.filter((pattern) =>
    requiredWords(pattern.query).every((words) => words.some((word) => SMALL_PYTHON.includes(word))),
  );
  const [subset, subsetMs] = await time(() => new Query(python, needed.map((p) => p.query).join("\n")));
  subset.delete();
  console.log("\n## Where a Python scan's start-up goes (in-process, cold)");
  console.log(`tree-sitter runtime init         ${initMs.toFixed(0)} ms`);
  console.log(
    `Python grammar load              ${loadMs.toFixed(0)} ms (the CLI loads only the languages of the files named)`,
  );
  console.log(
    `Python rule query compile        ${compileMs.toFixed(0)} ms (${patterns.length} patterns, first compile)`,
  );
  console.log(
    `  only app.py's patterns         ${subsetMs.toFixed(0)} ms (${needed.length} patterns, second compile: warmer code)`,
  );
}

function nested(language: ShieldLanguage, levels: number): string {
  return language === "python"
    ? `import os\nos.system(${"[".repeat(levels)}'rm -rf ' + path${"]".repeat(levels)})\n`
    : `const cp = require('child_process');\n${"f(".repeat(levels)}cp.exec('rm -rf ' + dir)${")".repeat(levels)};\n`;
}

/** One line per size: the median of 3 scans of `codeFor(size)`, its growth over the previous size, and the findings. */
function scanTimes(
  shield: Shield,
  language: ShieldLanguage,
  sizes: readonly number[],
  unit: string,
  dimension: string,
  codeFor: (size: number) => string,
): void {
  let previous: number | undefined;
  for (const size of sizes) {
    const code = codeFor(size);
    const times: number[] = [];
    let findings: string[] = [];
    for (let run = 0; run < 3; run++) {
      const start = performance.now();
      findings = shield.scan(code, language).map((finding) => finding.ruleId);
      times.push(performance.now() - start);
    }
    const ms = median(times);
    const growth = previous === undefined ? "" : `, ${(ms / previous).toFixed(1)}x the previous ${dimension}`;
    console.log(`${language} ${size} ${unit}: ${ms.toFixed(1)} ms${growth}; findings ${findings.join(", ") || "none"}`);
    previous = ms;
  }
}

async function depth(): Promise<void> {
  const languages: ShieldLanguage[] = ["python", "javascript"];
  const shield = await createShield({ grammars: fileGrammarSource(grammarDir), languages });
  try {
    console.log("\n## Scan time by nesting depth (engine, median of 3; quadratic growth would be 100x per 10x)");
    for (const language of languages)
      scanTimes(shield, language, [1_000, 10_000, 100_000], "levels", "depth", (levels) => nested(language, levels));
    console.log(
      "\n## Scan time by the length of one concatenation of literals (long, not deep: a link counts 1/16 of a level)",
    );
    for (const language of languages)
      scanTimes(shield, language, [1_000, 4_000, 16_000], "literals", "length", (terms) =>
        language === "python"
          ? `DATA = (\n${'  "abc" +\n'.repeat(terms)}  "")\nimport os\nos.system('rm -rf ' + path)\n`
          : `const DATA =\n${'  "abc" +\n'.repeat(terms)}  "";\nrequire('child_process').exec('rm -rf ' + dir);\n`,
      );
  } finally {
    shield.dispose();
  }
}

async function main(): Promise<void> {
  await phases();
  startup();
  await depth();
}

void main();
