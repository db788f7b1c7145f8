import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "../..");
const packageDir = path.join(repoRoot, "packages/shield");

interface PackedFile {
  path: string;
}

describe("the llama-assist-shield npm package (packages/shield)", function () {
  this.timeout(180_000);
  let scratch: string;
  let tarball: string;
  let packedFiles: string[];

  before(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), "shield-package-"));
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--silent", "--pack-destination", scratch], {
        cwd: packageDir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      }),
    ) as { filename: string; files: PackedFile[] }[];
    tarball = path.join(scratch, packed[0].filename);
    packedFiles = packed[0].files.map((file) => file.path).sort();
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("carries the bundle, the grammars, its README and LICENSE, and depends on nothing", () => {
    const grammars =
      readFileSync(path.join(repoRoot, "extension/src/core/syntax/grammars.ts"), "utf8").match(
        /tree-sitter[\w-]*\.wasm/g,
      ) ?? [];
    assert.ok(grammars.length > 10, "the grammar list was read");
    const expected = [
      "LICENSE",
      "README.md",
      "dist/cli/shield.js",
      "package.json",
      ...new Set(grammars.map((file) => `grammars/${file}`)),
    ];
    assert.deepEqual(packedFiles, expected.sort());
    const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")) as Record<string, unknown>;
    assert.deepEqual(manifest.bin, { "llama-assist-shield": "dist/cli/shield.js" });
    for (const field of ["dependencies", "peerDependencies", "optionalDependencies"])
      assert.equal(manifest[field], undefined, field);
  });

  it("installs offline into an empty folder and scans a file there with npx", () => {
    const project = path.join(scratch, "project");
    mkdirSync(project);
    // --offline: the tarball must carry everything; a dependency to fetch would fail the install.
    execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], {
      cwd: project,
      stdio: ["ignore", "ignore", "inherit"],
    });
    writeFileSync(
      path.join(project, "runner.py"),
      "import subprocess\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n",
    );
    const scan = spawnSync(
      "npx",
      ["--offline", "--no-install", "llama-assist-shield", "scan", "--format", "json", "runner.py"],
      {
        cwd: project,
        encoding: "utf8",
      },
    );
    assert.equal(scan.status, 1, scan.stderr);
    const findings = (JSON.parse(scan.stdout) as { findings: { ruleId: string; line: number }[] }).findings;
    assert.deepEqual(
      findings.map((finding) => [finding.ruleId, finding.line]),
      [["python.subprocess-shell", 4]],
    );
  });
});
