// llama-assist-shield: scans files with the Shield's rules, as a pre-commit hook or a CI step (usage in USAGE).
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import {
  createShield,
  isShieldLanguage,
  languageForFileName,
  SHIELD_LANGUAGES,
  type Finding,
  type ShieldLanguage,
  type ShieldRuleInfo,
} from "../../core/shield";
import { fileGrammarSource } from "./fileGrammarSource";
import {
  formatBytes,
  planScan,
  readSourceFile,
  readStandardInput,
  type PathError,
  type SkippedPath,
  type ScanTarget,
  type SourceText,
  STDIN_PATH,
} from "./scanTargets";

/** Semgrep's default too: larger source files are almost always generated, and the syntax tree costs ~100x the text. */
const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

const USAGE = `Usage: llama-assist-shield scan [options] PATH...
  PATH is a file, or a directory searched recursively (skipping node_modules, build output and dot-directories)
  for files with a known extension, following symbolic links (each directory once); "-" reads standard input.

Options:
  --format json|sarif|text  output format on standard output (default text)
  --language ID             the language of every file, one of: ${SHIELD_LANGUAGES.join(", ")}
  --stdin-filename NAME     read standard input and report it as NAME, whose extension gives the language
                            (for editors, and hooks that pipe staged content)
  --max-file-size SIZE      bytes read per file or from standard input, with an optional k or m suffix
                            (default ${formatBytes(DEFAULT_MAX_FILE_BYTES)}); a larger file is not scanned and counts as an error
  -h, --help                this text

Binary files (a NUL byte in the first 8,000 bytes) are skipped, and so are FIFOs and devices found in a directory;
each skipped path is named on standard error and in the JSON output. A path named on the command line that is not a
regular file or a directory (a FIFO, /dev/zero) is refused. Errors go to standard error and into the JSON ("errors")
and SARIF (invocation notifications) output; one path's error does not stop the others' scan.

Severity ("severity" in JSON, the level in SARIF, the word after the position in text):
  block  the Shield withholds such a suggestion in the editor; SARIF level "error"
  warn   risky but sometimes intended, shown with a warning; SARIF level "warning"

Exit codes:
  0  every path scanned, no findings
  1  findings, every path scanned
  2  usage error, or the scanner could not start; nothing was scanned
  3  some path could not be scanned (see standard error); the findings in the others are still printed`;

type OutputFormat = "json" | "sarif" | "text";

interface ScanRequest {
  readonly format: OutputFormat;
  readonly language: ShieldLanguage | undefined;
  readonly stdinFilename: string | undefined;
  readonly maxFileBytes: number;
  readonly paths: readonly string[];
}

class UsageError extends Error {}

interface FileFindings {
  readonly path: string;
  readonly findings: readonly Finding[];
}

interface ScanReport {
  /** The rules of the Shield that scanned, for SARIF's rule metadata; empty when nothing could be scanned. */
  rules: readonly ShieldRuleInfo[];
  readonly results: FileFindings[];
  readonly errors: PathError[];
  readonly skipped: SkippedPath[];
}

const VALUE_FLAGS = new Set(["--format", "--language", "--stdin-filename", "--max-file-size"]);

function parseSize(value: string): number {
  const match = /^(\d+)([km]?)$/i.exec(value);
  if (!match) throw new UsageError(`--max-file-size needs a number of bytes, with an optional k or m suffix: ${value}`);
  const unit = { "": 1, k: 1024, m: 1024 * 1024 }[(match[2] ?? "").toLowerCase()] ?? 1;
  const bytes = Number(match[1]) * unit;
  if (bytes <= 0 || !Number.isSafeInteger(bytes)) throw new UsageError(`--max-file-size out of range: ${value}`);
  return bytes;
}

function parseArguments(argv: readonly string[]): ScanRequest {
  const [command, ...rest] = argv;
  if (command !== "scan")
    throw new UsageError(command === undefined ? "missing command" : `unknown command: ${command}`);
  let format: OutputFormat = "text";
  let language: ShieldLanguage | undefined;
  let stdinFilename: string | undefined;
  let maxFileBytes = DEFAULT_MAX_FILE_BYTES;
  const paths: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const argument = rest[index] ?? "";
    const [flag, inlineValue] =
      argument.startsWith("--") && argument.includes("=") ? argument.split("=", 2) : [argument, undefined];
    if (flag !== undefined && VALUE_FLAGS.has(flag)) {
      const value = inlineValue ?? rest[++index];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      if (flag === "--format") {
        if (value !== "json" && value !== "sarif" && value !== "text") throw new UsageError(`unknown format: ${value}`);
        format = value;
      } else if (flag === "--language") {
        if (!isShieldLanguage(value)) throw new UsageError(`unknown language: ${value}`);
        language = value;
      } else if (flag === "--stdin-filename") {
        if (value === "") throw new UsageError("--stdin-filename needs a name");
        stdinFilename = value;
      } else {
        maxFileBytes = parseSize(value);
      }
    } else if (argument === "--") {
      paths.push(...rest.slice(index + 1));
      break;
    } else if (argument.startsWith("-") && argument !== "-") {
      throw new UsageError(`unknown option: ${argument}`);
    } else {
      paths.push(argument);
    }
  }
  // --stdin-filename alone means "scan standard input"; "-" among other paths says where it goes in the report.
  if (stdinFilename !== undefined && !paths.includes("-")) paths.push("-");
  if (paths.length === 0) throw new UsageError("no paths given");
  if (paths.filter((p) => p === "-").length > 1) throw new UsageError('standard input ("-") can be read only once');
  if (paths.includes("-") && !language && !(stdinFilename && languageForFileName(stdinFilename))) {
    throw new UsageError(
      stdinFilename
        ? `cannot infer the language of ${stdinFilename}; pass --language`
        : "reading standard input needs --language or --stdin-filename",
    );
  }
  return { format, language, stdinFilename, maxFileBytes, paths };
}

function toJson(report: ScanReport): string {
  const findings = report.results.flatMap((result) =>
    result.findings.map((finding) => ({
      path: result.path,
      line: finding.startLine + 1,
      endLine: finding.endLine + 1,
      column: finding.startColumn + 1,
      endColumn: finding.endColumn + 1,
      ruleId: finding.ruleId,
      cwe: finding.cwe,
      severity: finding.severity,
      message: finding.message,
    })),
  );
  return JSON.stringify({ findings, errors: report.errors, skipped: report.skipped }, null, 2);
}

function toText(report: ScanReport): string {
  return report.results
    .flatMap((result) =>
      result.findings.map(
        (f) =>
          `${result.path}:${f.startLine + 1}:${f.startColumn + 1}: ${f.severity} ${f.ruleId} (${f.cwe}) ${f.message}`,
      ),
    )
    .join("\n");
}

/** SARIF wants repository-relative URIs with forward slashes; GitHub code scanning resolves them from the checkout. */
function artifactUri(file: string): string {
  if (file === "-") return "stdin";
  const relative = path.relative(process.cwd(), path.resolve(file));
  const portable = (relative.startsWith("..") ? path.resolve(file) : relative).split(path.sep).join("/");
  return portable.split("/").map(encodeURIComponent).join("/");
}

function notification(level: "error" | "note", file: string, text: string): object {
  return {
    level,
    message: { text },
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(file) } } }],
  };
}

function toSarif(report: ScanReport, version: string): string {
  const rules = report.rules;
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const sarif = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "llama-assist-shield",
            semanticVersion: version,
            informationUri: "https://github.com/llama-assist/llama-assist",
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.id.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? "").toUpperCase()),
              shortDescription: { text: rule.message },
              fullDescription: { text: rule.explanation },
              help: { text: `${rule.fixHint}\n\n${rule.explanation}` },
              defaultConfiguration: { level: rule.severity === "block" ? "error" : "warning" },
              properties: {
                tags: ["security", `external/cwe/${rule.cwe.toLowerCase()}`],
                precision: rule.severity === "block" ? "high" : "medium",
                "security-severity": rule.severity === "block" ? "8.0" : "5.0",
              },
            })),
          },
        },
        // A path that could not be scanned must not pass for a clean one in code scanning either.
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: [
              ...report.errors.map((error) => notification("error", error.path, error.message)),
              ...report.skipped.map((skipped) => notification("note", skipped.path, `skipped: ${skipped.reason}`)),
            ],
          },
        ],
        columnKind: "utf16CodeUnits",
        results: report.results.flatMap((result) =>
          result.findings.map((finding) => ({
            ruleId: finding.ruleId,
            ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
            level: finding.severity === "block" ? "error" : "warning",
            message: { text: `${finding.message} ${finding.fixHint}` },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: artifactUri(result.path) },
                  region: {
                    startLine: finding.startLine + 1,
                    startColumn: finding.startColumn + 1,
                    endLine: finding.endLine + 1,
                    endColumn: finding.endColumn + 1,
                  },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

function packageVersion(): string {
  try {
    const manifest: unknown = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
    if (
      typeof manifest === "object" &&
      manifest !== null &&
      "version" in manifest &&
      typeof manifest.version === "string"
    ) {
      return manifest.version;
    }
  } catch {
    // The version only decorates SARIF output; a missing manifest is not an error.
  }
  return "0.0.0";
}

/**
 * Up to this much source, V8's baseline WebAssembly code alone scans faster than with optimised code: compiling the
 * optimised code for tree-sitter and the grammars, on background threads, costs a one-file scan about as much CPU as
 * everything else it does, and still loses on 1.9 MB of Python in 29 files (bench:shield-cli).
 */
const BASELINE_WASM_MAX_BYTES = 2 * 1024 * 1024;

function plannedBytes(targets: readonly ScanTarget[]): number {
  let bytes = 0;
  for (const target of targets) {
    try {
      bytes += target.path === STDIN_PATH ? 0 : statSync(target.path).size;
    } catch {
      // A path that cannot be read is reported when its turn comes; it adds nothing to scan.
    }
  }
  return bytes;
}

async function scanAll(request: ScanRequest): Promise<ScanReport> {
  const stdinLanguage =
    request.language ?? (request.stdinFilename !== undefined ? languageForFileName(request.stdinFilename) : undefined);
  const plan = planScan(request.paths, request.language, stdinLanguage);
  const report: ScanReport = { rules: [], results: [], errors: plan.errors, skipped: plan.skipped };
  if (plan.targets.length === 0) return report;
  // Holds for the whole process if set before the first WebAssembly module is compiled, which createShield does.
  if (plannedBytes(plan.targets) <= BASELINE_WASM_MAX_BYTES) setFlagsFromString("--liftoff-only");
  const shield = await createShield({
    grammars: fileGrammarSource(path.join(__dirname, "..", "..", "grammars")),
    languages: [...new Set(plan.targets.map((target) => target.language))],
    compileOnDemand: true,
  });
  report.rules = shield.rules();
  try {
    for (const target of plan.targets) {
      const isStdin = target.path === STDIN_PATH;
      const shownPath = isStdin ? (request.stdinFilename ?? STDIN_PATH) : target.path;
      const source: SourceText = isStdin
        ? await readStandardInput(request.maxFileBytes)
        : readSourceFile(target.path, request.maxFileBytes);
      if (source.kind === "error") {
        report.errors.push({ path: shownPath, message: source.message });
      } else if (source.kind === "binary") {
        report.skipped.push({ path: shownPath, reason: "a binary file (a NUL byte near the start), not scanned" });
      } else {
        try {
          report.results.push({ path: shownPath, findings: shield.scan(source.text, target.language) });
        } catch (error) {
          report.errors.push({ path: shownPath, message: error instanceof Error ? error.message : String(error) });
        }
      }
    }
  } finally {
    shield.dispose();
  }
  return report;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const request = parseArguments(argv);
  const report = await scanAll(request);
  for (const skipped of report.skipped)
    process.stderr.write(`llama-assist-shield: ${skipped.path}: skipped: ${skipped.reason}\n`);
  for (const error of report.errors) process.stderr.write(`llama-assist-shield: ${error.path}: ${error.message}\n`);
  const output =
    request.format === "json"
      ? toJson(report)
      : request.format === "sarif"
        ? toSarif(report, packageVersion())
        : toText(report);
  if (output.length > 0) process.stdout.write(`${output}\n`);
  if (report.errors.length > 0) return 3;
  return report.results.some((result) => result.findings.length > 0) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`llama-assist-shield: ${error.message}\n${USAGE}\n`);
    } else {
      process.stderr.write(`llama-assist-shield: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 2;
  },
);
