// npm run bench:shield-cli: how fast a one-file scan starts, against a bare `node -e 0` measured in the same run
// (interleaved, so both see the same machine load), where that time goes, and how scan time grows with nesting depth.
// Prints figures only; it asserts nothing. SHIELD_BENCH_STARTUP_RUNS (default 9) sets the runs per command.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Language, Query } from "web-tree-sitter";
import { createShield, type ShieldLanguage } from "../../extension/src/core/shield";
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

function wallMs(args: readonly string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: "utf8" });
  const elapsed = performance.now() - start;
  if (run.status !== 0 && run.status !== 1) throw new Error(`${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  return elapsed;
}

function startup(): void {
  const runs = Number(process.env.SHIELD_BENCH_STARTUP_RUNS ?? 9);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "shield-bench-cli-"));
  try {
    const small = path.join(scratch, "app.py");
    writeFileSync(small, SMALL_PYTHON);
    const bare: number[] = [];
    const scan: number[] = [];
    wallMs(["-e", "0"]);
    wallMs([cli, "scan", small]);
    for (let run = 0; run < runs; run++) {
      bare.push(wallMs(["-e", "0"]));
      scan.push(wallMs([cli, "scan", small]));
    }
    const format = (values: readonly number[]): string =>
      `median ${median(values).toFixed(0)} ms (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`;
    console.log(
      `\n## One-file scan start-up (${runs} interleaved runs each, load average ${os.loadavg()[0]?.toFixed(1) ?? "?"}, ${os.cpus().length} CPUs)`,
    );
    console.log(`node -e 0                                 ${format(bare)}`);
    console.log(`node dist/cli/shield.js scan app.py       ${format(scan)}`);
    console.log(`scan beyond node -e 0                     median ${(median(scan) - median(bare)).toFixed(0)} ms`);
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

async function depth(): Promise<void> {
  const languages: ShieldLanguage[] = ["python", "javascript"];
  const shield = await createShield({ grammars: fileGrammarSource(grammarDir), languages });
  try {
    console.log("\n## Scan time by nesting depth (engine, median of 3; quadratic growth would be 100x per 10x)");
    for (const language of languages) {
      let previous: number | undefined;
      for (const levels of [1_000, 10_000, 100_000]) {
        const code = nested(language, levels);
        const times: number[] = [];
        let findings: string[] = [];
        for (let run = 0; run < 3; run++) {
          const start = performance.now();
          findings = shield.scan(code, language).map((finding) => finding.ruleId);
          times.push(performance.now() - start);
        }
        const ms = median(times);
        const growth = previous === undefined ? "" : `, ${(ms / previous).toFixed(1)}x the previous depth`;
        console.log(
          `${language} ${levels} levels: ${ms.toFixed(1)} ms${growth}; findings ${findings.join(", ") || "none"}`,
        );
        previous = ms;
      }
    }
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
