// The bundled symbol index worker (dist/symbolIndexWorker.js, from `npm run build`) on a copy of the fixture
// workspace: it indexes in its own thread, honours .gitignore, re-indexes a saved file and ends on shutdown.
import assert from "node:assert/strict";
import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { isFromIndexer, type FromIndexer, type IndexerWorkerData, type ToIndexer } from "../../extension/src/core/syntax/symbolIndexProtocol";
import { WorkspaceSymbolIndex } from "../../extension/src/core/syntax/symbolIndex";
import { repoRoot } from "../fixtures/scriptedModel";

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name).replace(/\\/g, "/"));
}

describe("workspace symbol index worker", function () {
  let workspace: string;
  let worker: Worker;
  const index = new WorkspaceSymbolIndex();
  const messages: FromIndexer[] = [];
  let waiters: Array<() => void> = [];

  function post(message: ToIndexer): void {
    worker.postMessage(message);
  }

  function until(predicate: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate()) resolve();
        else waiters.push(check);
      };
      check();
    });
  }

  before(async function () {
    workspace = (await mkdtemp(path.join(os.tmpdir(), "symbol-worker-"))).replace(/\\/g, "/");
    await cp(path.join(repoRoot, "test/unit/syntax/workspace"), workspace, { recursive: true });
    const data: IndexerWorkerData = { grammarDirectory: path.join(repoRoot, "grammars"), roots: [workspace] };
    worker = new Worker(path.join(repoRoot, "dist/symbolIndexWorker.js"), { workerData: data });
    worker.on("message", (message: unknown) => {
      assert.ok(isFromIndexer(message), `unexpected message ${JSON.stringify(message)}`);
      messages.push(message);
      if (message.kind === "file") index.setFile(message.file, message.symbols);
      if (message.kind === "removed") index.removeFile(message.file);
      const pending = waiters;
      waiters = [];
      for (const waiter of pending) waiter();
    });
  });

  after(async function () {
    await worker?.terminate();
    await rm(workspace, { recursive: true, force: true });
  });

  it("indexes the workspace's code files and skips ignored, binary and secret ones", async function () {
    post({ kind: "index", files: await filesUnder(workspace) });
    await until(() => messages.some((message) => message.kind === "idle"));
    assert.deepEqual(messages.filter((message) => message.kind === "failed"), []);
    const area = index.lookup("polygon_area");
    assert.deepEqual(area.map((symbol) => symbol.path), [`${workspace}/lib/geometry.py`]);
    assert.equal(area[0].signature, "def polygon_area(shape: Shape, length: float) -> float:");
    assert.equal(index.lookup("computeTotal").length, 1);
    assert.deepEqual(index.lookup("blob_symbol"), []);
    assert.deepEqual(index.lookup("scratch_only"), []);
    assert.ok(!index.paths().some((file) => file.includes(".env")));
  });

  it("re-indexes a saved file", async function () {
    const idleBefore = messages.filter((message) => message.kind === "idle").length;
    await writeFile(`${workspace}/lib/geometry.py`, "def polygon_area(sides: int, length: float, unit: str) -> float:\n    return 0.0\n");
    post({ kind: "update", file: `${workspace}/lib/geometry.py` });
    await until(() => messages.filter((message) => message.kind === "idle").length > idleBefore);
    assert.equal(index.lookup("polygon_area")[0].signature, "def polygon_area(sides: int, length: float, unit: str) -> float:");
    assert.deepEqual(index.lookup("Shape"), []);
  });

  it("drops a deleted file and ends its thread on shutdown", async function () {
    post({ kind: "remove", file: `${workspace}/lib/geometry.py` });
    await until(() => index.lookup("polygon_area").length === 0);
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
    post({ kind: "shutdown" });
    assert.equal(await exited, 0);
  });
});
