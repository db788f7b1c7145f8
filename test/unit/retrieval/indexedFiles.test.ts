import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  fromStoredWorkspaceIndex,
  IndexedFiles,
  toStoredWorkspaceIndex,
} from "../../../extension/src/core/retrieval/indexedFiles";
import { RetrievalIndex } from "../../../extension/src/core/retrieval/retrievalIndex";
import { WorkspaceRetrieval } from "../../../extension/src/node/retrieval/workspaceRetrieval";

const symbols = [
  { name: "Shape", signature: "class Shape:\n    def area(self) -> float:" },
  { name: "empty", signature: "" },
];

function roundTrip(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe("the stored workspace index (retrieval index with each file's stamp and symbols)", () => {
  it("gives back each file's stamp and symbols, multi-line signatures and files without symbols included", () => {
    const index = new RetrievalIndex();
    index.setFile("/w/shape.py", "shape.py", [{ startLine: 0, endLine: 1, symbols: ["Shape"], text: "class Shape:" }]);
    const files = new IndexedFiles();
    files.set("/w/shape.py", { size: 120, mtimeMs: 1733616000123.456 }, symbols);
    files.set("/w/empty.py", { size: 0, mtimeMs: 5 }, []);
    const loaded = fromStoredWorkspaceIndex(roundTrip(toStoredWorkspaceIndex(index, files)));
    assert.ok(loaded);
    assert.deepEqual(loaded.files.stamp("/w/shape.py"), { size: 120, mtimeMs: 1733616000123.456 });
    assert.deepEqual(loaded.files.symbols("/w/shape.py"), symbols);
    assert.deepEqual(loaded.files.stamp("/w/empty.py"), { size: 0, mtimeMs: 5 });
    assert.deepEqual(loaded.files.symbols("/w/empty.py"), []);
    assert.equal(loaded.files.stamp("/w/other.py"), undefined);
    assert.deepEqual(loaded.index.paths(), ["/w/shape.py"]);
  });

  it("reads nothing of an older format, a damaged file or another version's retrieval index", () => {
    const stored = toStoredWorkspaceIndex(new RetrievalIndex(), new IndexedFiles());
    // Version 2 was the retrieval index alone.
    assert.equal(fromStoredWorkspaceIndex({ ...new RetrievalIndex().toStored(), version: 2 }), undefined);
    assert.equal(fromStoredWorkspaceIndex(roundTrip(new RetrievalIndex().toStored())), undefined);
    assert.equal(fromStoredWorkspaceIndex({ ...stored, version: 2 }), undefined);
    assert.equal(fromStoredWorkspaceIndex({ ...stored, files: [["/w/a.py", "12", 3, ""]] }), undefined);
    assert.equal(fromStoredWorkspaceIndex({ ...stored, retrieval: { ...stored.retrieval, version: 2 } }), undefined);
    assert.equal(fromStoredWorkspaceIndex("garbage"), undefined);
    assert.ok(fromStoredWorkspaceIndex(roundTrip(stored)));
  });

  describe("on disk (WorkspaceRetrieval)", () => {
    let folder: string;
    beforeEach(async () => {
      folder = (await mkdtemp(path.join(os.tmpdir(), "workspace-store-"))).replace(/\\/g, "/");
    });
    afterEach(() => rm(folder, { recursive: true, force: true }));

    it("keeps what each parse gave across a save and a load; a file set without its parse is parsed again", async () => {
      const store = `${folder}/storage/index.json`;
      const first = new WorkspaceRetrieval(["/w"], store);
      const chunks = [{ startLine: 0, endLine: 0, symbols: ["Shape"], text: "class Shape: pass" }];
      first.setFile("/w/shape.py", chunks, { stamp: { size: 17, mtimeMs: 42 }, symbols });
      first.setFile("/w/unparsed.py", [{ startLine: 0, endLine: 0, symbols: [], text: "x = 1" }]);
      await first.save();
      const second = new WorkspaceRetrieval(["/w"], store);
      await second.load();
      assert.deepEqual(second.stamp("/w/shape.py"), { size: 17, mtimeMs: 42 });
      assert.deepEqual(second.symbols("/w/shape.py"), symbols);
      assert.equal(second.stamp("/w/unparsed.py"), undefined);
      second.keepOnly(["/w/unparsed.py"]);
      assert.equal(second.stamp("/w/shape.py"), undefined, "a file no longer listed goes, stamp and all");
      await second.save();
      const stored = JSON.parse(await readFile(store, "utf8")) as { files: unknown[] };
      assert.deepEqual(stored.files, []);
    });

    it("starts empty from a store of the older format", async () => {
      const store = `${folder}/index.json`;
      const older = new RetrievalIndex();
      older.setFile("/w/a.py", "a.py", [{ startLine: 0, endLine: 0, symbols: ["alpha"], text: "def alpha(): pass" }]);
      await writeFile(store, JSON.stringify({ ...older.toStored(), version: 2 }));
      const retrieval = new WorkspaceRetrieval(["/w"], store);
      await retrieval.load();
      assert.equal(retrieval.stamp("/w/a.py"), undefined);
      assert.deepEqual(await retrieval.retrieve("alpha", 5), []);
    });
  });
});
