import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
    assert.deepEqual(Object.keys(output), ["findings", "errors", "skipped"]);
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
    assert.deepEqual(JSON.parse(run.stdout), { findings: [], errors: [], skipped: [] });
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
    ["stdin without --language", ["scan", "-"]],
    ["stdin named by a file name without a known extension", ["scan", "--stdin-filename", "notes.txt"]],
    ["stdin read twice", ["scan", "--language", "python", "-", "-"]],
    ["a malformed size", ["scan", "--max-file-size", "1g", "x.py"]],
    ["an unknown option", ["scan", "--fast", "x.py"]],
  ] as const) {
    it(`exits 2 on ${name}`, () => {
      const run = runCli(args);
      assert.equal(run.status, 2, run.stdout);
      assert.match(run.stderr, /^llama-assist-shield: /);
      assert.equal(run.stdout, "");
    });
  }

  it("reports a path it cannot read with exit 3 and still scans the others", () => {
    const missing = path.join(dir, "missing.py");
    const run = runCli(["scan", "--format", "json", missing, insecurePy, "README.md", cleanTs]);
    assert.equal(run.status, 3, run.stderr);
    const output = JSON.parse(run.stdout) as { findings: JsonFinding[]; errors: { path: string; message: string }[] };
    assert.deepEqual(
      output.findings.map((f) => [f.path, f.ruleId]),
      [[insecurePy, "python.os-command"]],
    );
    assert.deepEqual(
      output.errors.map((e) => e.path),
      [missing, "README.md"],
    );
    assert.match(output.errors[0]?.message ?? "", /ENOENT/);
    assert.match(output.errors[1]?.message ?? "", /cannot infer the language/);
    assert.match(run.stderr, new RegExp(`${escapeRegExp(missing)}: ENOENT`));
  });

  it("defines its exit codes and the severity values in --help", () => {
    const run = runCli(["--help"]);
    assert.equal(run.status, 0);
    for (const line of [
      /^ {2}0 {2}every path scanned, no findings$/m,
      /^ {2}1 {2}findings/m,
      /^ {2}2 {2}usage/m,
      /^ {2}3 {2}some path/m,
    ])
      assert.match(run.stdout, line);
    assert.match(run.stdout, /^ {2}block {2}/m);
    assert.match(run.stdout, /^ {2}warn {3}/m);
    assert.match(run.stdout, /default 1 MiB/);
  });

  it("names the SARIF invocation unsuccessful and says why when a path could not be scanned", () => {
    const run = runCli(["scan", "--format", "sarif", "missing.py", path.basename(insecurePy)], { cwd: dir });
    assert.equal(run.status, 3, run.stderr);
    const [sarifRun] = JSON.parse(run.stdout).runs;
    assert.equal(sarifRun.results.length, 1);
    const [invocation] = sarifRun.invocations;
    assert.equal(invocation.executionSuccessful, false);
    assert.equal(invocation.toolExecutionNotifications[0].level, "error");
    assert.match(invocation.toolExecutionNotifications[0].message.text, /ENOENT/);
    assert.deepEqual(invocation.toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation, {
      uri: "missing.py",
    });
  });

  describe("--stdin-filename", () => {
    it("reads standard input, infers the language from the name and reports the name", () => {
      const run = runCli(["scan", "--format", "json", "--stdin-filename", "src/app.py"], {
        input: "import os\nos.system('ping ' + host)\n",
      });
      assert.equal(run.status, 1, run.stderr);
      assert.deepEqual(
        (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.map((f) => [f.path, f.line, f.ruleId]),
        [["src/app.py", 2, "python.os-command"]],
      );
    });

    it("lets --language win over the name", () => {
      const run = runCli(["scan", "--stdin-filename", "snippet.txt", "--language", "ruby", "-"], {
        input: 'system("tar -xf #{path}")\n',
      });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stdout, /^snippet\.txt:1:1: block ruby\.command-injection /);
    });
  });
});

describe("llama-assist-shield CLI on hostile paths and inputs", function () {
  // Each case would hang or take gigabytes without its guard; the limit turns a hang into a failure, not a stuck run.
  this.timeout(120_000);
  let dir: string;
  let insecurePy: string;
  let rssProbe: string;

  before(function () {
    if (process.platform === "win32") this.skip();
    assert.ok(existsSync(cli), `run \`npm run build\` first: ${cli} is missing`);
    dir = mkdtempSync(path.join(os.tmpdir(), "shield-cli-hostile-"));
    insecurePy = path.join(dir, "app.py");
    writeFileSync(insecurePy, "import os\nos.system('ping ' + host)\n");
    // Preloaded into the CLI's process: its peak resident memory on the way out. VmHWM, not getrusage's maxRSS: Linux
    // carries maxRSS across exec, so a child of a large test process would report the parent's peak.
    rssProbe = path.join(dir, "rss-probe.cjs");
    writeFileSync(
      rssProbe,
      "const { readFileSync } = require('node:fs');\n" +
        "process.on('exit', () => {\n" +
        "  const peak = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];\n" +
        "  process.stderr.write(`\\nmax-rss-kib=${peak}\\n`);\n" +
        "});\n",
    );
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  interface MeasuredRun extends CliRun {
    readonly maxRssMiB: number;
    readonly signal: NodeJS.Signals | null;
  }

  function runMeasured(args: readonly string[], stdin: "pipe" | number = "pipe"): MeasuredRun {
    const run = spawnSync(process.execPath, ["--require", rssProbe, cli, ...args], {
      cwd: dir,
      encoding: "utf8",
      stdio: [stdin, "pipe", "pipe"],
      timeout: 60_000,
    });
    const kib = /max-rss-kib=(\d+)/.exec(run.stderr)?.[1];
    return {
      status: run.status,
      signal: run.signal,
      stdout: run.stdout,
      stderr: run.stderr,
      maxRssMiB: kib === undefined ? Number.NaN : Number(kib) / 1024,
    };
  }

  function findingsOf(run: CliRun): [string, string][] {
    return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings.map((f) => [f.path, f.ruleId]);
  }

  it("refuses a FIFO named as a path instead of waiting on it forever, and scans the rest", () => {
    const fifo = path.join(dir, "named.py");
    execFileSync("mkfifo", [fifo]);
    const run = runMeasured(["scan", "--format", "json", fifo, insecurePy]);
    assert.equal(run.signal, null, "the scan hung on the FIFO and was killed");
    assert.equal(run.status, 3, run.stderr);
    assert.deepEqual(findingsOf(run), [[insecurePy, "python.os-command"]]);
    assert.match(run.stderr, new RegExp(`${escapeRegExp(fifo)}: a FIFO, not a regular file: refused`));
  });

  it("skips a FIFO with a source file's name inside a scanned directory, naming it", () => {
    const tree = path.join(dir, "with-fifo");
    mkdirSync(tree);
    execFileSync("mkfifo", [path.join(tree, "pipe.js")]);
    writeFileSync(path.join(tree, "ok.js"), "eval(userInput);\n");
    const run = runMeasured(["scan", "--format", "json", tree]);
    assert.equal(run.signal, null, "the scan hung on the FIFO and was killed");
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(findingsOf(run), [[path.join(tree, "ok.js"), "js.eval"]]);
    assert.deepEqual(JSON.parse(run.stdout).skipped, [
      { path: path.join(tree, "pipe.js"), reason: "a FIFO, not read" },
    ]);
  });

  it("refuses /dev/zero named as a path, and caps standard input fed from it", () => {
    const named = runMeasured(["scan", "--language", "python", "/dev/zero", insecurePy]);
    assert.equal(named.signal, null);
    assert.equal(named.status, 3, named.stderr);
    assert.match(named.stderr, /\/dev\/zero: a character device, not a regular file: refused/);
    assert.match(named.stdout, /python\.os-command/);

    const zero = openSync("/dev/zero", "r");
    try {
      const piped = runMeasured(["scan", "--language", "python", "-"], zero);
      assert.equal(piped.signal, null, "the scan kept reading /dev/zero and was killed");
      assert.equal(piped.status, 3, piped.stderr);
      assert.match(piped.stderr, /-: larger than the 1 MiB limit \(--max-file-size\), not scanned/);
      assert.ok(piped.maxRssMiB < 200, `peak RSS ${piped.maxRssMiB.toFixed(0)} MiB`);
    } finally {
      closeSync(zero);
    }
  });

  it("follows a symbolic link to a source file inside a scanned directory", () => {
    const tree = path.join(dir, "linked-file");
    mkdirSync(path.join(tree, "src"), { recursive: true });
    symlinkSync(insecurePy, path.join(tree, "src", "linked.py"));
    const run = runMeasured(["scan", "--format", "json", tree]);
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(findingsOf(run), [[path.join(tree, "src", "linked.py"), "python.os-command"]]);
  });

  it("ends a symbolic link loop, naming where it stopped, and names a broken link", () => {
    const tree = path.join(dir, "loop");
    mkdirSync(path.join(tree, "a"), { recursive: true });
    writeFileSync(path.join(tree, "a", "run.rb"), 'system("rm -rf #{dir}")\n');
    symlinkSync("..", path.join(tree, "a", "parent"));
    symlinkSync("gone.py", path.join(tree, "a", "broken.py"));
    const run = runMeasured(["scan", "--format", "json", tree]);
    assert.equal(run.signal, null, "the walk looped and was killed");
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(findingsOf(run), [[path.join(tree, "a", "run.rb"), "ruby.command-injection"]]);
    const skipped = (JSON.parse(run.stdout) as { skipped: { path: string; reason: string }[] }).skipped;
    assert.deepEqual(
      skipped.map((s) => s.path),
      [path.join(tree, "a", "broken.py"), path.join(tree, "a", "parent")],
    );
    assert.match(skipped[0]?.reason ?? "", /broken symbolic link/);
    assert.match(skipped[1]?.reason ?? "", /already scanned/);
  });

  it("skips a binary file with a note and scans the text beside it", () => {
    const binary = path.join(dir, "blob.c");
    writeFileSync(binary, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x73, 0x79, 0x73, 0x74, 0x65, 0x6d]));
    const run = runMeasured(["scan", "--format", "json", binary, insecurePy]);
    assert.equal(run.status, 1, run.stderr);
    assert.deepEqual(findingsOf(run), [[insecurePy, "python.os-command"]]);
    assert.match(run.stderr, new RegExp(`${escapeRegExp(binary)}: skipped: a binary file`));
  });

  it("keeps memory bounded on a file of 1,000,000 short lines: refused past the cap, proportional under it", () => {
    const million = path.join(dir, "million.py");
    writeFileSync(million, "x = 1\n".repeat(1_000_000));
    const refused = runMeasured(["scan", million]);
    assert.equal(refused.status, 3, refused.stderr);
    assert.match(refused.stderr, /larger than the 1 MiB limit/);
    assert.ok(refused.maxRssMiB < 150, `peak RSS ${refused.maxRssMiB.toFixed(0)} MiB`);

    // Under the cap the syntax tree is the cost: about 150 bytes of memory per byte of such dense code, measured.
    const small = path.join(dir, "one-line.py");
    writeFileSync(small, "x = 1\n");
    const baseline = runMeasured(["scan", small]);
    const underCap = path.join(dir, "hundred-thousand.py");
    writeFileSync(underCap, "x = 1\n".repeat(100_000));
    const scanned = runMeasured(["scan", underCap]);
    assert.equal(scanned.status, 0, scanned.stderr);
    const growthBytesPerSourceByte = ((scanned.maxRssMiB - baseline.maxRssMiB) * 1024 * 1024) / 600_000;
    assert.ok(
      growthBytesPerSourceByte < 300,
      `peak RSS ${scanned.maxRssMiB.toFixed(0)} MiB against ${baseline.maxRssMiB.toFixed(0)} MiB for one line: ` +
        `${growthBytesPerSourceByte.toFixed(0)} bytes per source byte`,
    );
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
