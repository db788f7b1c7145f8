import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  fromStoredWorkspaceIndex,
  IndexedFiles,
  storedWorkspaceRecords,
} from "../../../extension/src/core/retrieval/indexedFiles";
import { RetrievalIndex } from "../../../extension/src/core/retrieval/retrievalIndex";
import { WorkspaceRetrieval } from "../../../extension/src/node/retrieval/workspaceRetrieval";

const symbols = [
  { name: "Shape", signature: "class Shape:\n    def area(self) -> float:" },
  { name: "empty", signature: "" },
];

/** The stored form's records, each through JSON as the store's lines are. */
function stored(index: RetrievalIndex, files: IndexedFiles): unknown[] {
  return [...storedWorkspaceRecords(index, files)].map((record) => JSON.parse(JSON.stringify(record)) as unknown);
}

describe("the stored workspace index (retrieval index with each file's stamp and symbols)", () => {
  it("gives back each file's stamp and symbols, multi-line signatures and files without symbols included", () => {
    const index = new RetrievalIndex();
    index.setFile("/w/shape.py", "shape.py", [{ startLine: 0, endLine: 1, symbols: ["Shape"], text: "class Shape:" }]);
    const files = new IndexedFiles();
    files.set("/w/shape.py", { size: 120, mtimeMs: 1733616000123.456 }, symbols);
    files.set("/w/empty.py", { size: 0, mtimeMs: 5 }, []);
    const loaded = fromStoredWorkspaceIndex(stored(index, files));
    assert.ok(loaded);
    assert.deepEqual(loaded.files.stamp("/w/shape.py"), { size: 120, mtimeMs: 1733616000123.456 });
    assert.deepEqual(loaded.files.symbols("/w/shape.py"), symbols);
    assert.deepEqual(loaded.files.stamp("/w/empty.py"), { size: 0, mtimeMs: 5 });
    assert.deepEqual(loaded.files.symbols("/w/empty.py"), []);
    assert.equal(loaded.files.stamp("/w/other.py"), undefined);
    assert.deepEqual(loaded.index.paths(), ["/w/shape.py"]);
  });

  it("reads nothing of an older format, a damaged file or another version's retrieval index", () => {
    const files = new IndexedFiles();
    files.set("/w/a.py", { size: 12, mtimeMs: 3 }, []);
    const records = stored(new RetrievalIndex(), files);
    assert.ok(fromStoredWorkspaceIndex(records));
    // Version 3 was one JSON value, version 2 the retrieval index alone.
    assert.equal(fromStoredWorkspaceIndex([{ version: 3, retrieval: {}, files: [] }]), undefined);
    assert.equal(fromStoredWorkspaceIndex([["workspace", { version: 3, files: 1 }], ...records.slice(1)]), undefined);
    assert.equal(fromStoredWorkspaceIndex(records.slice(1)), undefined, "the retrieval index alone");
    assert.equal(fromStoredWorkspaceIndex(records.slice(0, -1)), undefined, "cut short");
    assert.equal(fromStoredWorkspaceIndex([...records.slice(0, -1), ["files", [["/w/a.py", "12", 3, ""]]]]), undefined);
    const retrieval = records[1] as [string, object];
    assert.equal(
      fromStoredWorkspaceIndex([records[0], [retrieval[0], { ...retrieval[1], version: 3 }], ...records.slice(2)]),
      undefined,
    );
    assert.equal(fromStoredWorkspaceIndex("garbage"), undefined);
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
      const records = (await readFile(store, "utf8"))
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as [string, unknown]);
      assert.deepEqual(records[0], ["workspace", { version: 4, files: 0 }]);
      assert.deepEqual(
        records.filter(([kind]) => kind === "files"),
        [],
      );
    });

    it("starts empty from a store cut short", async () => {
      const store = `${folder}/index.json`;
      const first = new WorkspaceRetrieval(["/w"], store);
      first.setFile("/w/a.py", [{ startLine: 0, endLine: 0, symbols: ["alpha"], text: "def alpha(): pass" }], {
        stamp: { size: 17, mtimeMs: 42 },
        symbols: [{ name: "alpha", signature: "def alpha():" }],
      });
      await first.save();
      const text = await readFile(store, "utf8");
      for (const cut of [text.lastIndexOf("\n", text.length - 2) + 1, text.length - 5]) {
        await writeFile(store, text.slice(0, cut));
        const retrieval = new WorkspaceRetrieval(["/w"], store);
        await retrieval.load();
        assert.equal(retrieval.stamp("/w/a.py"), undefined, `cut at ${cut} of ${text.length}`);
      }
      await writeFile(store, text);
      const whole = new WorkspaceRetrieval(["/w"], store);
      await whole.load();
      assert.deepEqual(whole.stamp("/w/a.py"), { size: 17, mtimeMs: 42 });
    });

    it("starts empty from a store of the older format", async () => {
      const store = `${folder}/index.json`;
      const older = new RetrievalIndex();
      older.setFile("/w/a.py", "a.py", [{ startLine: 0, endLine: 0, symbols: ["alpha"], text: "def alpha(): pass" }]);
      // Version 3: the whole index as one JSON value.
      await writeFile(store, JSON.stringify({ version: 3, retrieval: [...older.storedRecords()], files: [] }));
      const retrieval = new WorkspaceRetrieval(["/w"], store);
      await retrieval.load();
      assert.equal(retrieval.stamp("/w/a.py"), undefined);
      assert.deepEqual(await retrieval.retrieve("alpha", 5), []);
    });
  });
});
