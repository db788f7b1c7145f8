// llama-assist-shield: scans files with the Shield's rules.
// Usage: llama-assist-shield scan [--format json|sarif|text] [--language ID] FILE...   (FILE "-" reads stdin;
// a directory is scanned recursively for files whose language the extension names)
// Exit codes: 0 no findings, 1 findings, 2 usage or internal error.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
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

const USAGE = `Usage: llama-assist-shield scan [--format json|sarif|text] [--language ID] FILE...
  FILE "-" reads standard input (then --language is required); a directory is searched recursively
  (skipping node_modules and dot-directories) for files with a known extension.
  --language  one of: ${SHIELD_LANGUAGES.join(", ")}
  Exit codes: 0 no findings, 1 findings, 2 usage or internal error.`;

type OutputFormat = "json" | "sarif" | "text";

interface ScanRequest {
  readonly format: OutputFormat;
  readonly language: ShieldLanguage | undefined;
  readonly files: readonly string[];
}

class UsageError extends Error {}

interface FileFindings {
  readonly path: string;
  readonly findings: readonly Finding[];
}

function parseArguments(argv: readonly string[]): ScanRequest {
  const [command, ...rest] = argv;
  if (command !== "scan")
    throw new UsageError(command === undefined ? "missing command" : `unknown command: ${command}`);
  let format: OutputFormat = "text";
  let language: ShieldLanguage | undefined;
  const files: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const argument = rest[index] ?? "";
    const [flag, inlineValue] =
      argument.startsWith("--") && argument.includes("=") ? argument.split("=", 2) : [argument, undefined];
    if (flag === "--format" || flag === "--language") {
      const value = inlineValue ?? rest[++index];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      if (flag === "--format") {
        if (value !== "json" && value !== "sarif" && value !== "text") throw new UsageError(`unknown format: ${value}`);
        format = value;
      } else {
        if (!isShieldLanguage(value)) throw new UsageError(`unknown language: ${value}`);
        language = value;
      }
    } else if (argument === "--") {
      files.push(...rest.slice(index + 1));
      break;
    } else if (argument.startsWith("-") && argument !== "-") {
      throw new UsageError(`unknown option: ${argument}`);
    } else {
      files.push(argument);
    }
  }
  if (files.length === 0) throw new UsageError("no files given");
  return { format, language, files };
}

const SKIPPED_DIRECTORIES = new Set(["node_modules", "dist", "out", "build", "target", "vendor", "__pycache__"]);

/** Files named on the command line, with directories expanded to the source files inside them. */
function expandDirectories(files: readonly string[]): string[] {
  const expanded: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && !SKIPPED_DIRECTORIES.has(entry.name)) walk(full);
      } else if (entry.isFile() && languageForFileName(entry.name)) {
        expanded.push(full);
      }
    }
  };
  for (const file of files) {
    if (file !== "-" && statSync(file, { throwIfNoEntry: false })?.isDirectory()) walk(file);
    else expanded.push(file);
  }
  return expanded;
}

function languageOf(file: string, forced: ShieldLanguage | undefined): ShieldLanguage {
  if (forced) return forced;
  if (file === "-") throw new UsageError("reading stdin needs --language");
  const inferred = languageForFileName(file);
  if (!inferred) throw new UsageError(`cannot infer the language of ${file}; pass --language`);
  return inferred;
}

function readSource(file: string): string {
  const text = readFileSync(file === "-" ? 0 : file, "utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function toJson(results: readonly FileFindings[]): string {
  const findings = results.flatMap((result) =>
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
  return JSON.stringify({ findings }, null, 2);
}

function toText(results: readonly FileFindings[]): string {
  return results
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

function toSarif(results: readonly FileFindings[], rules: readonly ShieldRuleInfo[], version: string): string {
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
        columnKind: "utf16CodeUnits",
        results: results.flatMap((result) =>
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

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const request = parseArguments(argv);
  const planned = expandDirectories(request.files).map((file) => ({
    file,
    language: languageOf(file, request.language),
  }));
  const languages = [...new Set(planned.map((entry) => entry.language))];
  const shield = await createShield({
    grammars: fileGrammarSource(path.join(__dirname, "..", "..", "grammars")),
    languages,
  });
  try {
    const results: FileFindings[] = planned.map(({ file, language }) => ({
      path: file,
      findings: shield.scan(readSource(file), language),
    }));
    const output =
      request.format === "json"
        ? toJson(results)
        : request.format === "sarif"
          ? toSarif(results, shield.rules(), packageVersion())
          : toText(results);
    if (output.length > 0) process.stdout.write(`${output}\n`);
    return results.some((result) => result.findings.length > 0) ? 1 : 0;
  } finally {
    shield.dispose();
  }
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
