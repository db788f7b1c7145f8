import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deleteModelFile, listModelFiles } from "../../../extension/src/node/models/installed";

describe("installed models folder", function () {
  let directory: string;
  beforeEach(function () {
    directory = mkdtempSync(path.join(tmpdir(), "llama-assist-installed-"));
  });
  afterEach(function () {
    rmSync(directory, { recursive: true, force: true });
  });

  it("lists installed, partial and rejected models with their sizes, and nothing else", async function () {
    writeFileSync(path.join(directory, "a.gguf"), Buffer.alloc(10));
    writeFileSync(path.join(directory, "b.gguf.download.ipull"), Buffer.alloc(4));
    writeFileSync(path.join(directory, "c.gguf.rejected"), Buffer.alloc(3));
    writeFileSync(path.join(directory, "d.gguf.download"), Buffer.alloc(5));
    writeFileSync(path.join(directory, "notes.txt"), "x");
    writeFileSync(path.join(directory, "e.bin.ipull"), "x");
    const files = await listModelFiles(directory);
    assert.deepEqual(
      files.map(({ fileName, sizeBytes, state }) => [fileName, sizeBytes, state]),
      [
        ["a.gguf", 10, "installed"],
        ["b.gguf", 4, "partial"],
        ["c.gguf", 3, "rejected"],
        ["d.gguf", 5, "partial"],
      ],
    );
  });

  it("deletes a partial download together with a finished but unchecked copy", async function () {
    writeFileSync(path.join(directory, "b.gguf.download.ipull"), Buffer.alloc(4));
    writeFileSync(path.join(directory, "b.gguf.download"), Buffer.alloc(4));
    const [partial] = await listModelFiles(directory);
    await deleteModelFile(partial);
    assert.equal(existsSync(path.join(directory, "b.gguf.download.ipull")), false);
    assert.equal(existsSync(path.join(directory, "b.gguf.download")), false);
  });

  it("lists an absent folder as empty", async function () {
    assert.deepEqual(await listModelFiles(path.join(directory, "missing")), []);
  });
});
