// The bundled symbol index worker (dist/symbolIndexWorker.js, from `npm run build`) on a copy of the fixture
// workspace: it parses with native tree-sitter in its own thread, honours .gitignore, re-indexes a saved file and
// ends on shutdown; and it runs from the files the .vsix ships (`vsce ls`), loading every grammar from there, natively
// or, without the native binaries, with web-tree-sitter. Then SymbolIndexClient, which runs it for the extension.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { WorkspaceSymbolIndex } from "../../extension/src/core/syntax/symbolIndex";
import { SymbolIndexClient } from "../../extension/src/node/syntax/symbolIndexClient";
import { IndexerWorker } from "./indexerWorker";
import { repoRoot } from "../fixtures/scriptedModel";

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name).replace(/\\/g, "/"));
}

/** One top-level symbol per language of test/unit/syntax/workspace/polyglot, with the signature the prompt gets. */
const polyglotSignatures: ReadonlyArray<{ file: string; name: string; signature: string }> = [
  { file: "geometry.py", name: "hypotenuse", signature: "def hypotenuse(a: float, b: float) -> float:" },
  { file: "cart.js", name: "cartTotal", signature: "function cartTotal(items, taxRate)" },
  { file: "button.jsx", name: "FancyButton", signature: "function FancyButton({ label })" },
  { file: "ledger.ts", name: "ledgerBalance", signature: "function ledgerBalance(entries: LedgerEntry[]): number" },
  { file: "panel.tsx", name: "SidePanel", signature: "function SidePanel(props: PanelProps): JSX.Element" },
  {
    file: "Inventory.java",
    name: "Inventory",
    signature: "public class Inventory\n    public int restock(int amount)",
  },
  { file: "vector.c", name: "vec2_dot", signature: "double vec2_dot(struct vec2 a, struct vec2 b)" },
  { file: "matrix.cpp", name: "matrixTrace", signature: "int matrixTrace(const Matrix& m)" },
  {
    file: "Invoice.cs",
    name: "Invoice",
    signature:
      "public class Invoice\n    public decimal Amount { get; set; }\n    public decimal WithTax(decimal rate)",
  },
  { file: "server.go", name: "StartHealthServer", signature: "func StartHealthServer(port int) *HealthServer" },
  { file: "shapes.rs", name: "hexagon_area", signature: "pub fn hexagon_area(side: f64) -> f64" },
  { file: "page.php", name: "slugify_title", signature: "function slugify_title(string $title): string" },
  { file: "account.rb", name: "format_balance", signature: "def format_balance(amount)" },
  { file: "deploy.sh", name: "deploy_release", signature: "deploy_release()" },
];

function assertEveryLanguageIndexed(index: WorkspaceSymbolIndex, polyglot: string): void {
  for (const { file, name, signature } of polyglotSignatures) {
    assert.deepEqual(index.lookup(name), [{ name, path: `${polyglot}/${file}`, signature }], file);
  }
}

describe("workspace symbol index worker", function () {
  let scratch: string;
  let workspace: string;
  let worker: IndexerWorker;

  before(async function () {
    scratch = (await mkdtemp(path.join(os.tmpdir(), "symbol-worker-"))).replace(/\\/g, "/");
    workspace = `${scratch}/workspace`;
    await cp(path.join(repoRoot, "test/unit/syntax/workspace"), workspace, { recursive: true });
    // Only the queries, no .wasm grammar: what the worker parses with must be native tree-sitter.
    const queriesOnly = `${scratch}/grammars`;
    await cp(path.join(repoRoot, "grammars/queries"), `${queriesOnly}/queries`, { recursive: true });
    worker = new IndexerWorker(path.join(repoRoot, "dist/symbolIndexWorker.js"), {
      grammarDirectory: queriesOnly,
      retrievalStore: null,
      roots: [workspace],
    });
  });

  after(async function () {
    await worker?.terminate();
    await rm(scratch, { recursive: true, force: true });
  });

  it("indexes the workspace's code files and skips ignored, binary and secret ones", async function () {
    worker.post({ kind: "index", files: await filesUnder(workspace) });
    await worker.until(() => worker.idleCount() > 0);
    assert.deepEqual(
      worker.messages.filter((message) => message.kind === "failed"),
      [],
    );
    const area = worker.index.lookup("polygon_area");
    assert.deepEqual(
      area.map((symbol) => symbol.path),
      [`${workspace}/lib/geometry.py`],
    );
    assert.equal(area[0].signature, "def polygon_area(shape: Shape, length: float) -> float:");
    assert.equal(worker.index.lookup("computeTotal").length, 1);
    assert.deepEqual(worker.index.lookup("blob_symbol"), []);
    assert.deepEqual(worker.index.lookup("scratch_only"), []);
    assert.ok(!worker.index.paths().some((file) => file.includes(".env")));
  });

  it("parses every language natively: each one's top-level signatures arrive", function () {
    assertEveryLanguageIndexed(worker.index, `${workspace}/polyglot`);
  });

  it("answers the definitions of an imported file, members too, while it indexes; none for a secret, binary or missing file", async function () {
    const idleBefore = worker.idleCount();
    worker.post({ kind: "index", files: await filesUnder(workspace) });
    const geometry = await worker.importedDefinitions.definitionsOf(`${workspace}/lib/geometry.py`, "python");
    assert.ok(worker.idleCount() === idleBefore, "answered before the queue ran out");
    assert.deepEqual(
      geometry?.map(({ name, topLevel }) => `${name}${topLevel ? "" : " (member)"}`),
      ["Shape", "__init__ (member)", "perimeter (member)", "polygon_area"],
    );
    assert.equal(await worker.importedDefinitions.definitionsOf(`${workspace}/shop/.env`, "typescript"), undefined);
    assert.equal(await worker.importedDefinitions.definitionsOf(`${workspace}/lib/blob.py`, "python"), undefined);
    assert.equal(await worker.importedDefinitions.definitionsOf(`${workspace}/lib/missing.py`, "python"), undefined);
    await worker.until(() => worker.idleCount() > idleBefore);
  });

  it("re-indexes a saved file", async function () {
    const idleBefore = worker.idleCount();
    await writeFile(
      `${workspace}/lib/geometry.py`,
      "def polygon_area(sides: int, length: float, unit: str) -> float:\n    return 0.0\n",
    );
    worker.post({ kind: "update", file: `${workspace}/lib/geometry.py` });
    await worker.until(() => worker.idleCount() > idleBefore);
    assert.equal(
      worker.index.lookup("polygon_area")[0].signature,
      "def polygon_area(sides: int, length: float, unit: str) -> float:",
    );
    assert.deepEqual(worker.index.lookup("Shape"), []);
  });

  it("drops a deleted file and ends its thread on shutdown", async function () {
    worker.post({ kind: "remove", file: `${workspace}/lib/geometry.py` });
    await worker.until(() => worker.index.lookup("polygon_area").length === 0);
    const exited = worker.exited();
    worker.post({ kind: "shutdown" });
    assert.equal(await exited, 0);
  });
});

describe("the packaged symbol index worker", function () {
  let extensionFolder: string;
  let workspace: string;
  let worker: IndexerWorker | undefined;

  before(async function () {
    this.timeout(180_000);
    // `vsce ls` applies .vscodeignore to the production dependencies: the files an unpacked .vsix holds.
    const { stdout } = await promisify(execFile)(path.join(repoRoot, "node_modules/.bin/vsce"), ["ls"], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    const packaged = stdout.split("\n").filter((line) => line.length > 0);
    assert.ok(packaged.includes("dist/symbolIndexWorker.js"), "vsce ls lists the worker");
    const scratch = (await mkdtemp(path.join(os.tmpdir(), "packaged-worker-"))).replace(/\\/g, "/");
    extensionFolder = `${scratch}/extension`;
    workspace = `${scratch}/workspace`;
    for (const file of packaged) {
      await mkdir(path.dirname(path.join(extensionFolder, file)), { recursive: true });
      await cp(path.join(repoRoot, file), path.join(extensionFolder, file));
    }
    await cp(path.join(repoRoot, "test/unit/syntax/workspace/polyglot"), `${workspace}/polyglot`, { recursive: true });
  });

  after(async function () {
    await worker?.terminate();
    if (extensionFolder) await rm(path.dirname(extensionFolder), { recursive: true, force: true });
  });

  it("loads every grammar from the packaged files and indexes each language", async function () {
    worker = new IndexerWorker(`${extensionFolder}/dist/symbolIndexWorker.js`, {
      grammarDirectory: `${extensionFolder}/grammars`,
      retrievalStore: null,
      roots: [workspace],
    });
    worker.post({ kind: "index", files: await filesUnder(workspace) });
    await worker.until(() => worker?.idleCount() !== 0);
    assert.deepEqual(
      worker.messages.filter((message) => message.kind === "failed"),
      [],
    );
    assertEveryLanguageIndexed(worker.index, `${workspace}/polyglot`);
  });

  it("parses every language with web-tree-sitter where the .vsix has no native binary for the platform, and says so once", async function () {
    await worker?.terminate();
    // A .vsix built on Linux carries only linux-x64 binaries: elsewhere none of them is there to load.
    const binaries = (await filesUnder(`${extensionFolder}/node_modules`)).filter((file) =>
      /\/tree-sitter[^/]*\/.*\.node$/.test(file),
    );
    assert.equal(binaries.length, 13, "tree-sitter's binding and the 12 grammar packages' binaries");
    for (const binary of binaries) await rm(binary);
    worker = new IndexerWorker(`${extensionFolder}/dist/symbolIndexWorker.js`, {
      grammarDirectory: `${extensionFolder}/grammars`,
      retrievalStore: null,
      roots: [workspace],
    });
    worker.post({ kind: "index", files: await filesUnder(workspace) });
    await worker.until(() => worker?.idleCount() !== 0);
    const failures = worker.messages.filter((message) => message.kind === "failed").map((message) => message.message);
    assert.equal(failures.length, 1, failures.join("\n"));
    assert.match(
      failures[0],
      /^native tree-sitter did not load \(.+\), so every file is parsed with web-tree-sitter, which is slower$/,
    );
    assertEveryLanguageIndexed(worker.index, `${workspace}/polyglot`);
  });
});

describe("the symbol index client", function () {
  let scratch: string;
  let polyglot: string;
  let client: SymbolIndexClient;
  const logged: Array<{ level: "info" | "warn"; message: string }> = [];

  const until = async (predicate: () => boolean): Promise<void> => {
    while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const idleCount = (): number =>
    logged.filter(({ message }) => /^Workspace symbol index: .* ms\.$/.test(message)).length;

  before(async function () {
    scratch = (await mkdtemp(path.join(os.tmpdir(), "symbol-client-"))).replace(/\\/g, "/");
    polyglot = `${scratch}/polyglot`;
    await cp(path.join(repoRoot, "test/unit/syntax/workspace/polyglot"), polyglot, { recursive: true });
    client = new SymbolIndexClient(path.join(repoRoot, "dist/symbolIndexWorker.js"), {
      info: (message) => logged.push({ level: "info", message }),
      warn: (message) => logged.push({ level: "warn", message }),
    });
    client.start({ grammarDirectory: path.join(repoRoot, "grammars"), roots: [scratch], retrievalStore: null });
  });

  after(async function () {
    client?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it("starts the thread, mirrors its index and says when it is idle", async function () {
    client.indexFiles(await filesUnder(polyglot));
    await until(() => idleCount() > 0);
    assert.deepEqual(
      logged.filter(({ level }) => level === "warn"),
      [],
    );
    assert.match(
      logged[0].message,
      /^Workspace symbol index: 14 files \(14 parsed, 0 unchanged since the stored index, 0 skipped\) in \d+ ms\.$/,
    );
    assertEveryLanguageIndexed(client.index, polyglot);
  });

  it("answers requests for an imported file's definitions by id", async function () {
    const [python, go] = await Promise.all([
      client.importedDefinitions.definitionsOf(`${polyglot}/geometry.py`, "python"),
      client.importedDefinitions.definitionsOf(`${polyglot}/server.go`, "go"),
    ]);
    assert.ok(python?.some((definition) => definition.name === "hypotenuse"));
    assert.ok(go?.some((definition) => definition.name === "StartHealthServer"));
  });

  it("drops from the index the files a new listing no longer has", async function () {
    const idleBefore = idleCount();
    client.indexFiles([`${polyglot}/geometry.py`]);
    assert.deepEqual(client.index.paths(), [`${polyglot}/geometry.py`]);
    await until(() => idleCount() > idleBefore);
  });

  it("fails the requests it had not answered when stopped, and every one after", async function () {
    const pending = client.importedDefinitions.definitionsOf(`${polyglot}/geometry.py`, "python");
    client.stop();
    await assert.rejects(pending, /stopped before it answered/);
    await assert.rejects(client.importedDefinitions.definitionsOf(`${polyglot}/geometry.py`, "python"), /not running/);
  });
});
