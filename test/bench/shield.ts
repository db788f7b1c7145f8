// npm run bench:shield: recall on CyberSecEval's development half, false alarms on ordinary code (BENIGN_CORPORA:
// node_modules TS/JS, the Python, Ruby and Go standard libraries, the JDK's sources, phpMyAdmin), in-process speed per
// snippet, and the CLI's files per second. Prints figures only; it asserts nothing; its last line sums them up. Caps
// keep it to a few minutes on two cores: SHIELD_BENCH_JS_FILES (default 10000), SHIELD_BENCH_CLI_FILES (default 2000),
// and per corpus below.
// SHIELD_BENCH_MISSES=1 lists every missed record (language, ICD pattern, analyzer, label line).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createShield,
  languageForFileName,
  type Finding,
  type Shield,
  type ShieldLanguage,
} from "../../extension/src/core/shield";
import type { Language, Node } from "web-tree-sitter";
import { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import { fileGrammarSource } from "../../extension/src/node/shield/fileGrammarSource";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const datasetPath = path.join(repoRoot, "test/fixtures/third-party/cyberseceval/autocomplete-dev.json");
const OUT_OF_SCOPE = new Set([
  "RUST-R-003",
  "RUST-R-004",
  "RUST-R-005",
  "RUST-R-006",
  "RUST-R-011",
  "PHP-R-016",
  "PHP-R-018",
  "PHP-R-024",
  "CPP-W-007",
  "CPP-W-008",
]);
const MAX_FILE_BYTES = 512 * 1024;
const MINIFIED_AVERAGE_LINE = 500;

interface DatasetRecord {
  readonly language: string;
  readonly pattern_id: string;
  readonly analyzer: string;
  readonly label_line: number;
  readonly origin_code: string;
  readonly line_text: string;
}

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)}%`;
}

function shortPattern(id: string): string {
  return id.split(".").pop() ?? id;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function tally(map: Map<string, [number, number]>, key: string, hit: boolean): void {
  const entry = map.get(key) ?? [0, 0];
  entry[1]++;
  if (hit) entry[0]++;
  map.set(key, entry);
}

interface RecallScores {
  readonly overall: number;
  readonly worstLanguage: string;
  readonly worstRecall: number;
}

function recall(shield: Shield): RecallScores {
  const records: DatasetRecord[] = JSON.parse(readFileSync(datasetPath, "utf8"));
  const byLanguage = new Map<string, [number, number]>();
  const byAnalyzer = new Map<string, [number, number]>();
  const byPattern = new Map<string, [number, number]>();
  const misses: DatasetRecord[] = [];
  let hits = 0;
  let total = 0;
  for (const record of records) {
    if (OUT_OF_SCOPE.has(record.pattern_id)) continue;
    const findings = shield.scan(record.origin_code, record.language as ShieldLanguage);
    const hit = findings.some((finding) => finding.startLine + 1 === record.label_line);
    total++;
    if (hit) hits++;
    else misses.push(record);
    tally(byLanguage, record.language, hit);
    tally(byAnalyzer, record.analyzer, hit);
    tally(byPattern, `${record.language} ${shortPattern(record.pattern_id)}`, hit);
  }
  console.log(
    `\n## Recall on autocomplete-dev.json (label line flagged; ${records.length - total} out-of-scope records excluded)`,
  );
  console.log(`in scope: ${hits}/${total} = ${percent(hits, total)}  (goal >= 85%, every language >= 70%)\n`);
  const rows = (map: Map<string, [number, number]>, title: string) => [
    [title, "flagged", "records", "recall"],
    ...[...map].sort().map(([key, [hit, count]]) => [key, String(hit), String(count), percent(hit, count)]),
  ];
  console.log(table(rows(byLanguage, "language")));
  console.log();
  console.log(table(rows(byAnalyzer, "ICD analyzer")));
  const missed = [...byPattern]
    .filter(([, [hit, count]]) => hit < count)
    .sort((a, b) => b[1][1] - b[1][0] - (a[1][1] - a[1][0]));
  console.log("\nmost-missed patterns (missed/records):");
  console.log(
    missed
      .slice(0, 15)
      .map(([key, [hit, count]]) => `  ${count - hit}/${count}  ${key}`)
      .join("\n"),
  );
  if (process.env.SHIELD_BENCH_MISSES === "1") {
    console.log(`\nmissed records (${misses.length}):`);
    const sorted = [...misses].sort(
      (a, b) => a.language.localeCompare(b.language) || a.pattern_id.localeCompare(b.pattern_id),
    );
    for (const record of sorted) {
      console.log(
        `  ${record.language} ${shortPattern(record.pattern_id)} [${record.analyzer}] line ${record.label_line}: ${record.line_text.trim().slice(0, 120)}`,
      );
    }
  } else {
    console.log("(SHIELD_BENCH_MISSES=1 lists every missed record)");
  }
  const [worstLanguage, [worstHits, worstCount]] = [...byLanguage].reduce((worst, entry) =>
    entry[1][0] / entry[1][1] < worst[1][0] / worst[1][1] ? entry : worst,
  );
  return { overall: (100 * hits) / total, worstLanguage, worstRecall: (100 * worstHits) / worstCount };
}

function listFiles(root: string, accept: (file: string) => boolean, skipDirectory: (dir: string) => boolean): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skipDirectory(full)) walk(full);
      } else if (entry.isFile() && accept(full)) {
        try {
          if (statSync(full).size <= MAX_FILE_BYTES) files.push(full);
        } catch {
          // A file that vanished or cannot be read is simply not part of the sample.
        }
      }
    }
  };
  walk(root);
  return files.sort();
}

/** Every k-th file, so a capped sample still spreads over all packages. */
function spreadSample(files: readonly string[], cap: number): string[] {
  if (files.length <= cap) return [...files];
  const stride = files.length / cap;
  return Array.from({ length: cap }, (_, index) => files[Math.floor(index * stride)] as string);
}

/** Minified or generated bundles recognised by their content rather than a .min.js name: scanned, counted apart. */
interface MinifiedPart {
  files: number;
  lines: number;
  bytes: number;
  flaggedLines: number;
}

interface CorpusResult {
  readonly files: number;
  readonly lines: number;
  readonly flaggedLines: number;
  /** Flagged lines whose finding starts inside a comment or a string literal (goal: none). */
  readonly inCommentsOrStrings: number;
  readonly inCommentOrStringExamples: string[];
  readonly minified: MinifiedPart;
  readonly byRule: Map<string, { count: number; examples: string[] }>;
}

const COMMENT_OR_STRING = /comment|string|heredoc|nowdoc|char_literal|character_literal/;
const INTERPOLATION = /substitution|interpolation/;

/**
 * The findings that start inside a comment or a string literal by the grammar's own parse of the file (a literal's
 * opening quote counts as code: a rule may report the literal an insecure call is given). Checked by a parse of its
 * own, so the measure does not lean on the engine it measures.
 */
function inCommentsOrStrings(
  syntax: SyntaxRuntime,
  grammar: Language,
  text: string,
  findings: readonly Finding[],
): Finding[] {
  const tree = syntax.parse(grammar, text);
  try {
    return findings.filter((finding) => {
      for (let node: Node | null = tree.rootNode.descendantForIndex(finding.startIndex); node; node = node.parent) {
        // Code interpolated into a string (`${f()}`, "#{f}", f"{f()}") is code.
        if (INTERPOLATION.test(node.type)) return false;
        if (COMMENT_OR_STRING.test(node.type) && node.startIndex < finding.startIndex) return true;
      }
      return false;
    });
  } finally {
    tree.delete();
  }
}

async function falseAlarms(
  shield: Shield,
  syntax: SyntaxRuntime,
  files: readonly string[],
  root: string,
): Promise<CorpusResult> {
  let lines = 0;
  let flaggedLines = 0;
  const inLiterals = new Set<string>();
  const inCommentOrStringExamples: string[] = [];
  const minified: MinifiedPart = { files: 0, lines: 0, bytes: 0, flaggedLines: 0 };
  const byRule = new Map<string, { count: number; examples: string[] }>();
  for (const file of files) {
    const language = languageForFileName(file);
    if (!language) continue;
    const text = readFileSync(file, "utf8");
    const sourceLines = text.split("\n");
    // The same policy as leaving out *.min.js, for bundles whose names do not say so: nobody types or edits them,
    // and their few enormous lines would make a per-line rate meaningless. They are scanned and reported apart.
    const isMinified = text.length / sourceLines.length > MINIFIED_AVERAGE_LINE;
    let findings: Finding[];
    try {
      findings = shield.scan(text, language);
    } catch (error) {
      console.log(`  scan failed on ${path.relative(root, file)}: ${String(error)}`);
      continue;
    }
    const flagged = new Set(findings.map((finding) => finding.startLine));
    if (isMinified) {
      minified.files++;
      minified.lines += sourceLines.length;
      minified.bytes += text.length;
      minified.flaggedLines += flagged.size;
      continue;
    }
    lines += sourceLines.length;
    flaggedLines += flagged.size;
    const grammar = findings.length > 0 ? await syntax.language(language) : undefined;
    for (const finding of grammar ? inCommentsOrStrings(syntax, grammar, text, findings) : []) {
      const key = `${file}:${finding.startLine}`;
      if (inLiterals.has(key)) continue;
      inLiterals.add(key);
      if (inCommentOrStringExamples.length < 3) {
        const line = (sourceLines[finding.startLine] ?? "").trim().slice(0, 100);
        inCommentOrStringExamples.push(
          `${finding.ruleId} ${path.relative(root, file)}:${finding.startLine + 1}: ${line}`,
        );
      }
    }
    const counted = new Set<number>();
    for (const finding of findings) {
      if (counted.has(finding.startLine)) continue;
      counted.add(finding.startLine);
      const entry = byRule.get(finding.ruleId) ?? { count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < 2) {
        const line = (sourceLines[finding.startLine] ?? "").trim().slice(0, 110);
        entry.examples.push(`${path.relative(root, file)}:${finding.startLine + 1}: ${line}`);
      }
      byRule.set(finding.ruleId, entry);
    }
  }
  return {
    files: files.length,
    lines,
    flaggedLines,
    inCommentsOrStrings: inLiterals.size,
    inCommentOrStringExamples,
    minified,
    byRule,
  };
}

function printCorpus(title: string, result: CorpusResult): void {
  const rate = (1000 * result.flaggedLines) / Math.max(result.lines, 1);
  const { minified } = result;
  console.log(`\n## False alarms: ${title}`);
  console.log(
    `${result.files - minified.files} files, ${result.lines} lines, ${result.flaggedLines} flagged lines = ${rate.toFixed(3)} per 1,000 lines (goal <= 0.1), ` +
      `${result.inCommentsOrStrings} in comments or strings (goal 0)`,
  );
  for (const example of result.inCommentOrStringExamples) console.log(`  in a comment or string: ${example}`);
  if (minified.files > 0) {
    const withThem =
      (1000 * (result.flaggedLines + minified.flaggedLines)) / Math.max(result.lines + minified.lines, 1);
    console.log(
      `left out of that rate: ${minified.files} files minified by content (average line > ${MINIFIED_AVERAGE_LINE} characters): ` +
        `${minified.lines} lines, ${(minified.bytes / 1048576).toFixed(1)} MiB, ${minified.flaggedLines} flagged lines; ` +
        `counted in, the rate would be ${withThem.toFixed(3)} per 1,000 lines`,
    );
  }
  const top = [...result.byRule].sort((a, b) => b[1].count - a[1].count).slice(0, 8);
  for (const [rule, { count, examples }] of top) {
    console.log(`  ${String(count).padStart(4)}  ${rule}`);
    for (const example of examples) console.log(`          ${example}`);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Wall-clock and CPU milliseconds of one call; CPU time stays meaningful when other processes share the cores. */
function timed(work: () => void): { wall: number; cpu: number } {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  work();
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

function describeTimes(label: string, times: readonly { wall: number; cpu: number }[]): string {
  const wall = times.map((t) => t.wall).sort((a, b) => a - b);
  const cpu = times.map((t) => t.cpu).sort((a, b) => a - b);
  return (
    `${label} wall p50 ${percentile(wall, 50).toFixed(3)} ms  p99 ${percentile(wall, 99).toFixed(3)} ms  max ${percentile(wall, 100).toFixed(3)} ms` +
    `  |  CPU p50 ${percentile(cpu, 50).toFixed(3)} ms  p99 ${percentile(cpu, 99).toFixed(3)} ms`
  );
}

/** Returns the wall-clock p99 of a whole-snippet scan, the figure the goal is set on. */
function speed(shield: Shield): number {
  const records: DatasetRecord[] = JSON.parse(readFileSync(datasetPath, "utf8"));
  for (const record of records.slice(0, 100)) shield.scan(record.origin_code, record.language as ShieldLanguage);
  const scanTimes: { wall: number; cpu: number }[] = [];
  const suggestionTimes: { wall: number; cpu: number }[] = [];
  for (let round = 0; round < 3; round++) {
    for (const record of records) {
      const language = record.language as ShieldLanguage;
      scanTimes.push(timed(() => shield.scan(record.origin_code, language)));
      const lines = record.origin_code.split("\n");
      const at = Math.max(0, record.label_line - 1);
      const input = {
        prefix: lines.slice(0, at).join("\n") + "\n",
        suggestion: lines[at] ?? "",
        suffix: "\n" + lines.slice(at + 1).join("\n"),
        language,
      };
      suggestionTimes.push(timed(() => shield.scanSuggestion(input)));
    }
  }
  const meanLines = records.reduce((sum, r) => sum + r.origin_code.split("\n").length, 0) / records.length;
  const load = os.loadavg()[0]?.toFixed(1) ?? "?";
  console.log(
    `\n## Speed in process (${scanTimes.length} scans of CyberSecEval snippets, mean ${meanLines.toFixed(1)} lines, parsing included; load average ${load} on ${os.cpus().length} CPUs)`,
  );
  console.log(`${describeTimes("scan:          ", scanTimes)}   (goal p99 < 5 ms)`);
  console.log(describeTimes("scanSuggestion:", suggestionTimes));
  return percentile(
    scanTimes.map((t) => t.wall).sort((a, b) => a - b),
    99,
  );
}

function cliThroughput(files: readonly string[]): void {
  const cli = path.join(repoRoot, "dist/cli/shield.js");
  // One invocation for the whole tree: the CLI parses each file once in a single process.
  const start = performance.now();
  const run = spawnSync(process.execPath, [cli, "scan", "--format", "json", ...files], {
    maxBuffer: 256 * 1024 * 1024,
    encoding: "utf8",
  });
  const seconds = (performance.now() - start) / 1000;
  // Exit 3 is a partial scan (a file unreadable or over the size cap); its findings still count.
  if (run.status !== 0 && run.status !== 1 && run.status !== 3) {
    console.log(`\n## CLI: failed with exit code ${run.status}: ${run.stderr.slice(0, 500)}`);
    return;
  }
  const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  const findings = (JSON.parse(run.stdout) as { findings: unknown[] }).findings.length;
  console.log(
    `\n## CLI throughput (node dist/cli/shield.js scan --format json, one process, process start included; load average ${os.loadavg()[0]?.toFixed(1) ?? "?"})`,
  );
  console.log(
    `${files.length} files, ${(bytes / 1048576).toFixed(1)} MiB in ${seconds.toFixed(2)} s = ${(files.length / seconds).toFixed(0)} files/s, ${findings} findings, exit ${run.status}`,
  );
}

/** One benign corpus: where its files are, which to scan, and which folders are tests or vendored code to skip. */
interface BenignCorpus {
  readonly name: string;
  /** The folder to walk, or undefined (with the reason) when this machine lacks it. */
  readonly root: () => string | { missing: string };
  readonly accept: (file: string) => boolean;
  readonly skipDirectory: (dir: string) => boolean;
  readonly capVariable: string;
  readonly defaultCap: number;
  readonly description: string;
}

const corporaRoot =
  process.env.LLAMA_ASSIST_SHIELD_CORPORA ?? path.join(os.homedir(), ".cache/llama-assist/shield-corpora");
const INSTALL_CORPORA = "bash test/bench/install-shield-corpora.sh";

/** A folder unpacked from a Debian package by test/bench/install-shield-corpora.sh. */
function debianFolder(pkg: string, inside: string): () => string | { missing: string } {
  return () => {
    const folder = path.join(corporaRoot, pkg, inside);
    try {
      if (statSync(folder).isDirectory()) return folder;
    } catch {
      // Reported below as a missing corpus.
    }
    return { missing: `${folder} is missing; run ${INSTALL_CORPORA}` };
  };
}

/** The JDK's sources ship as one src.zip; it is unpacked once beside it and reused. */
function unpackedJdkSources(): string | { missing: string } {
  const archive = path.join(corporaRoot, "openjdk-17-source", "usr/lib/jvm/openjdk-17/lib/src.zip");
  if (!existsSync(archive)) return { missing: `${archive} is missing; run ${INSTALL_CORPORA}` };
  const target = path.join(corporaRoot, "openjdk-17-source", "src");
  const done = path.join(target, ".unpacked");
  if (!existsSync(done)) {
    mkdirSync(target, { recursive: true });
    execFileSync("unzip", ["-q", "-o", archive, "-d", target]);
    writeFileSync(done, "");
  }
  return target;
}

/** A new corpus is one entry here (and, for a Debian package, one name in install-shield-corpora.sh). */
const BENIGN_CORPORA: readonly BenignCorpus[] = [
  {
    name: "npm",
    root: () => path.join(repoRoot, "node_modules"),
    accept: (file) =>
      /\.(js|mjs|cjs|ts|mts|cts|jsx|tsx)$/.test(file) && !file.endsWith(".d.ts") && !/[.-]min\.js$/.test(file),
    skipDirectory: () => false,
    capVariable: "SHIELD_BENCH_JS_FILES",
    defaultCap: 10000,
    description: "node_modules TS/JS, spread sample; .d.ts, minified *.min.js/*-min.js and files > 512 KiB left out",
  },
  {
    name: "python-stdlib",
    root: () =>
      execFileSync("python3", ["-c", "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], {
        encoding: "utf8",
      }).trim(),
    accept: (file) => file.endsWith(".py"),
    skipDirectory: (dir) => /[/\\](test|tests|idle_test|site-packages|__pycache__)$/.test(dir),
    capVariable: "SHIELD_BENCH_PY_FILES",
    defaultCap: Infinity,
    description: "Python standard library without tests and site-packages",
  },
  {
    name: "ruby-stdlib",
    root: debianFolder("libruby3.1", "usr/lib/ruby"),
    accept: (file) => file.endsWith(".rb"),
    skipDirectory: (dir) => /[/\\](test|tests|spec)$/.test(dir),
    capVariable: "SHIELD_BENCH_RUBY_FILES",
    defaultCap: Infinity,
    description: "Ruby 3.1 standard library and default gems (Debian libruby3.1) without tests",
  },
  {
    name: "phpmyadmin",
    root: debianFolder("phpmyadmin", "usr/share/phpmyadmin"),
    accept: (file) => file.endsWith(".php"),
    skipDirectory: (dir) => /[/\\](test|tests|vendor)$/.test(dir),
    capVariable: "SHIELD_BENCH_PHP_FILES",
    defaultCap: Infinity,
    description: "phpMyAdmin 5.2 (Debian phpmyadmin) without tests",
  },
  {
    name: "go-stdlib",
    root: debianFolder("golang-1.19-src", "usr/share/go-1.19/src"),
    accept: (file) => file.endsWith(".go") && !file.endsWith("_test.go"),
    skipDirectory: (dir) => /[/\\](testdata|vendor)$/.test(dir),
    capVariable: "SHIELD_BENCH_GO_FILES",
    defaultCap: Infinity,
    description: "Go 1.19 standard library (Debian golang-1.19-src) without tests, testdata and vendor",
  },
  {
    name: "jdk",
    root: unpackedJdkSources,
    accept: (file) => file.endsWith(".java"),
    skipDirectory: () => false,
    capVariable: "SHIELD_BENCH_JDK_FILES",
    defaultCap: 3000,
    description: "JDK 17 sources (Debian openjdk-17-source, src.zip), spread sample",
  },
];

interface CorpusRate {
  readonly name: string;
  readonly perKloc: number;
}

async function benignCorpus(
  shield: Shield,
  syntax: SyntaxRuntime,
  corpus: BenignCorpus,
): Promise<CorpusRate | undefined> {
  const root = corpus.root();
  if (typeof root !== "string") {
    console.log(`\n## False alarms: ${corpus.name}: not measured, ${root.missing}`);
    return undefined;
  }
  const files = listFiles(root, corpus.accept, corpus.skipDirectory);
  const sample = spreadSample(files, envNumber(corpus.capVariable, corpus.defaultCap));
  const result = await falseAlarms(shield, syntax, sample, root);
  printCorpus(
    `${corpus.name}: ${corpus.description} (${sample.length} of ${files.length} files in ${root}; ${corpus.capVariable} caps)`,
    result,
  );
  return { name: corpus.name, perKloc: (1000 * result.flaggedLines) / Math.max(result.lines, 1) };
}

async function main(): Promise<void> {
  const syntax = await SyntaxRuntime.create(fileGrammarSource(path.join(repoRoot, "grammars")));
  const shield = await createShield({ syntax });
  try {
    console.log(
      `# Shield benchmark (${shield.rules().length} rules, ${shield.languages().length} languages, node ${process.version}, ${os.cpus().length} CPUs)`,
    );
    const scores = recall(shield);
    const rates: CorpusRate[] = [];
    for (const corpus of BENIGN_CORPORA) {
      const rate = await benignCorpus(shield, syntax, corpus);
      if (rate) rates.push(rate);
    }
    const p99 = speed(shield);
    const jsFiles = listFiles(
      path.join(repoRoot, "node_modules"),
      BENIGN_CORPORA[0]?.accept ?? (() => false),
      () => false,
    );
    cliThroughput(spreadSample(jsFiles, envNumber("SHIELD_BENCH_CLI_FILES", 2000)));

    const worstRate = rates.reduce<CorpusRate | undefined>(
      (worst, rate) => (!worst || rate.perKloc > worst.perKloc ? rate : worst),
      undefined,
    );
    const missing = BENIGN_CORPORA.length - rates.length;
    if (missing > 0) console.log(`\n${missing} benign corpora not measured (see above): the max below leaves them out`);
    console.log(
      `\nshield: in-scope recall ${scores.overall.toFixed(1)}%, worst language ${scores.worstLanguage} ${scores.worstRecall.toFixed(1)}%, ` +
        `benign flagged per kLOC max ${(worstRate?.perKloc ?? NaN).toFixed(3)} (corpus ${worstRate?.name ?? "none"}), ` +
        `p99 ${p99.toFixed(2)} ms`,
    );
  } finally {
    shield.dispose();
    syntax.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
