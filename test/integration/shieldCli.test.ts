import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "../..");
const cli = path.join(repoRoot, "dist/cli/shield.js");

interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[], options: { cwd?: string; input?: string } = {}): CliRun {
  const run = spawnSync(process.execPath, [cli, ...args], {
    cwd: options.cwd ?? repoRoot,
    input: options.input,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface JsonFinding {
  path: string;
  line: number;
  endLine: number;
  column: number;
  endColumn: number;
  ruleId: string;
  cwe: string;
  severity: string;
  message: string;
}

describe("llama-assist-shield CLI (built dist/cli/shield.js)", () => {
  let dir: string;
  let insecurePy: string;
  let insecureJs: string;
  let cleanTs: string;

  before(() => {
    assert.ok(existsSync(cli), `run \`npm run build\` first: ${cli} is missing`);
    dir = mkdtempSync(path.join(os.tmpdir(), "shield-cli-"));
    insecurePy = path.join(dir, "app.py");
    insecureJs = path.join(dir, "page.js");
    cleanTs = path.join(dir, "clean.ts");
    writeFileSync(insecurePy, "import os\n\n# os.system(cmd) in a comment is fine\nos.system('ping ' + host)\n");
    writeFileSync(insecureJs, "const h = require('crypto').createHash('md5');\n");
    writeFileSync(cleanTs, "export const add = (a: number, b: number): number => a + b;\n");
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("prints JSON findings with 1-based positions and exits 1", () => {
    const run = runCli(["scan", "--format", "json", insecurePy, insecureJs, cleanTs]);
    assert.equal(run.status, 1, run.stderr);
    const output = JSON.parse(run.stdout) as { findings: JsonFinding[] };
    assert.deepEqual(Object.keys(output), ["findings"]);
    assert.deepEqual(output.findings, [
      {
        path: insecurePy,
        line: 4,
        endLine: 4,
        column: 1,
        endColumn: 26,
        ruleId: "python.os-command",
        cwe: "CWE-78",
        severity: "block",
        message: "A shell command is built from a non-literal value.",
      },
      {
        path: insecureJs,
        line: 1,
        endLine: 1,
        column: 11,
        endColumn: 46,
        ruleId: "js.weak-hash",
        cwe: "CWE-328",
        severity: "warn",
        message: "MD5 and SHA-1 are broken for security use.",
      },
    ]);
  });

  it("exits 0 with an empty finding list for clean files", () => {
    const run = runCli(["scan", "--format", "json", cleanTs]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { findings: [] });
  });

  it("prints SARIF 2.1.0 with repository-relative locations and rule metadata", () => {
    const run = runCli(["scan", "--format", "sarif", path.basename(insecurePy), path.basename(cleanTs)], { cwd: dir });
    assert.equal(run.status, 1, run.stderr);
    const sarif = JSON.parse(run.stdout);
    assert.equal(sarif.version, "2.1.0");
    assert.match(sarif.$schema, /sarif-2\.1\.0/);
    assert.equal(sarif.runs.length, 1);
    const [sarifRun] = sarif.runs;
    assert.equal(sarifRun.tool.driver.name, "llama-assist-shield");
    assert.equal(sarifRun.results.length, 1);
    const [result] = sarifRun.results;
    assert.equal(result.ruleId, "python.os-command");
    assert.equal(result.level, "error");
    assert.equal(sarifRun.tool.driver.rules[result.ruleIndex].id, "python.os-command");
    assert.deepEqual(result.locations[0].physicalLocation, {
      artifactLocation: { uri: "app.py" },
      region: { startLine: 4, startColumn: 1, endLine: 4, endColumn: 26 },
    });
    const rule = sarifRun.tool.driver.rules[result.ruleIndex];
    assert.ok(rule.properties.tags.includes("external/cwe/cwe-78"));
    assert.equal(typeof rule.help.text, "string");
  });

  it("scans a directory recursively, skipping node_modules and files it has no grammar for", () => {
    const tree = path.join(dir, "tree");
    mkdirSync(path.join(tree, "src", "deep"), { recursive: true });
    mkdirSync(path.join(tree, "node_modules", "dep"), { recursive: true });
    writeFileSync(path.join(tree, "src", "deep", "run.rb"), 'system("rm -rf #{dir}")\n');
    writeFileSync(path.join(tree, "src", "notes.md"), "os.system(cmd)\n");
    writeFileSync(path.join(tree, "node_modules", "dep", "index.js"), "eval(userInput);\n");
    const run = runCli(["scan", "--format", "json", tree]);
    assert.equal(run.status, 1, run.stderr);
    const { findings } = JSON.parse(run.stdout) as { findings: JsonFinding[] };
    assert.deepEqual(
      findings.map((f) => [path.relative(tree, f.path), f.ruleId]),
      [[path.join("src", "deep", "run.rb"), "ruby.command-injection"]],
    );
  });

  it("reads stdin for - with --language, and prints text by default", () => {
    const run = runCli(["scan", "--language", "ruby", "-"], { input: 'system("tar -xf #{path}")\n' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /^-:1:1: block ruby\.command-injection \(CWE-78\) /);
  });

  for (const [name, args] of [
    ["no arguments", []],
    ["an unknown command", ["check", "x.py"]],
    ["no files", ["scan", "--format", "json"]],
    ["an unknown format", ["scan", "--format", "xml", "x.py"]],
    ["an unknown language", ["scan", "--language", "cobol", "x.py"]],
    ["a file whose language cannot be inferred", ["scan", "README.md"]],
    ["stdin without --language", ["scan", "-"]],
    ["an unknown option", ["scan", "--fast", "x.py"]],
  ] as const) {
    it(`exits 2 on ${name}`, () => {
      const run = runCli(args);
      assert.equal(run.status, 2, run.stdout);
      assert.match(run.stderr, /^llama-assist-shield: /);
      assert.equal(run.stdout, "");
    });
  }

  it("exits 2 when a file cannot be read", () => {
    const run = runCli(["scan", path.join(dir, "missing.py")]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /ENOENT/);
  });
});
