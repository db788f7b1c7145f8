import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { checkGgufFile } from "../../../extension/src/node/models/ggufCheck";
import { ensureNotGgufFile, ensureScriptedModel, ensureTruncatedModel } from "../../fixtures/scriptedModel";

describe("structural GGUF check", function () {
  let directory: string;
  before(function () {
    directory = mkdtempSync(path.join(tmpdir(), "llama-assist-gguf-"));
  });
  after(function () {
    rmSync(directory, { recursive: true, force: true });
  });

  it("accepts a valid file and reads its architecture, length and FIM tokens", async function () {
    const file = ensureScriptedModel("standard");
    const result = await checkGgufFile(file);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.summary.architecture, "llama");
    assert.equal(result.summary.expectedBytes, readFileSync(file).length);
    assert.equal(result.summary.fillInTheMiddle, true);
    assert.equal(result.summary.blockCount, 2);
  });

  it("tells a model without FIM tokens apart", async function () {
    const result = await checkGgufFile(ensureScriptedModel("noFim"));
    assert.ok(result.ok);
    assert.equal(result.summary.fillInTheMiddle, false);
  });

  it("finds a truncated file by its tensor table", async function () {
    const result = await checkGgufFile(ensureTruncatedModel());
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.problem, "truncated");
    assert.match(!result.ok ? result.message : "", /incomplete: its tensors need \d+ bytes but the file has \d+/);
  });

  it("finds a file cut inside its header", async function () {
    const file = path.join(directory, "header-cut.gguf");
    writeFileSync(file, readFileSync(ensureScriptedModel("standard")).subarray(0, 2000));
    const result = await checkGgufFile(file);
    assert.equal(!result.ok && result.problem, "truncated");
  });

  it("finds a corrupted header", async function () {
    const bytes = Buffer.from(readFileSync(ensureScriptedModel("standard")));
    // The metadata count: a huge value cannot be real.
    bytes.writeBigUInt64LE(0xffffffffffffn, 16);
    const file = path.join(directory, "corrupt.gguf");
    writeFileSync(file, bytes);
    const result = await checkGgufFile(file);
    assert.equal(!result.ok && result.problem, "corrupt");
  });

  it("finds a corrupted tensor type", async function () {
    const bytes = Buffer.from(readFileSync(ensureScriptedModel("standard")));
    const name = Buffer.from("output.weight");
    const at = bytes.lastIndexOf(name);
    // After the name: dimension count (u32), two u64 dimensions, then the type.
    bytes.writeUInt32LE(250, at + name.length + 4 + 16);
    const file = path.join(directory, "bad-type.gguf");
    writeFileSync(file, bytes);
    const result = await checkGgufFile(file);
    assert.equal(!result.ok && result.problem, "corrupt");
    assert.match(!result.ok ? result.message : "", /output\.weight has an unknown type 250/);
  });

  it("rejects an unsupported version", async function () {
    const bytes = Buffer.from(readFileSync(ensureScriptedModel("standard")));
    bytes.writeUInt32LE(1, 4);
    const file = path.join(directory, "v1.gguf");
    writeFileSync(file, bytes);
    const result = await checkGgufFile(file);
    assert.equal(!result.ok && result.problem, "unsupportedVersion");
  });

  it("rejects a file that is not GGUF, naming it and the fix", async function () {
    const file = ensureNotGgufFile();
    const result = await checkGgufFile(file);
    assert.equal(!result.ok && result.problem, "notGguf");
    assert.ok(!result.ok && result.message.includes(file));
    assert.match(!result.ok ? result.message : "", /Choose a \.gguf file/);
  });

  it("reports a missing file as not GGUF", async function () {
    const result = await checkGgufFile(path.join(directory, "missing.gguf"));
    assert.equal(!result.ok && result.problem, "notGguf");
  });
});
