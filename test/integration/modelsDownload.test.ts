// The model downloader against a local HTTP server on 127.0.0.1 that serves the fixture GGUF, with Range support and
// scripted failures. Nothing leaves the machine.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { downloadModel, rejectedPathOf } from "../../extension/src/core/models/modelDownload";
import { partialPathOf } from "../../extension/src/core/models/httpDownload";
import { ensureNotGgufFile, ensureScriptedModel } from "../fixtures/scriptedModel";
import { type FileServer, startFileServer } from "./modelsServer";

describe("model download", function () {
  const model = readFileSync(ensureScriptedModel("standard"));
  const modelSha256 = createHash("sha256").update(model).digest("hex");
  const notGguf = readFileSync(ensureNotGgufFile());
  let server: FileServer;
  let directory: string;

  beforeEach(async function () {
    server = await startFileServer(
      new Map([
        ["/model.gguf", { body: model, chunkDelayMs: 0 }],
        ["/slow.gguf", { body: model, chunkDelayMs: 15 }],
        ["/page.gguf", { body: notGguf, chunkDelayMs: 0 }],
      ]),
    );
    directory = mkdtempSync(path.join(tmpdir(), "llama-assist-models-"));
  });

  afterEach(async function () {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("reports progress and installs an identical file after its checks", async function () {
    const events: [number, number][] = [];
    const result = await downloadModel({
      url: server.url("/model.gguf"),
      directory,
      fileName: "model.gguf",
      sha256: modelSha256,
      sizeBytes: model.length,
      onProgress: (received, total) => events.push([received, total]),
    });
    assert.equal(result.kind, "installed", JSON.stringify(result));
    assert.ok(readFileSync(path.join(directory, "model.gguf")).equals(model));
    assert.ok(events.length >= 2, `${events.length} progress events`);
    assert.ok(events.every(([, total]) => total === model.length));
    assert.ok(events.every(([received], index) => index === 0 || received >= events[index - 1][0]), "progress never goes back");
    assert.equal(events[events.length - 1][0], model.length);
    assert.equal(existsSync(partialPathOf(path.join(directory, "model.gguf"))), false);
  });

  it("keeps a cancelled download and resumes it to an identical file", async function () {
    const controller = new AbortController();
    const first = await downloadModel({
      url: server.url("/slow.gguf"),
      directory,
      fileName: "model.gguf",
      signal: controller.signal,
      onProgress: (received) => {
        if (received >= model.length / 3) controller.abort();
      },
    });
    assert.equal(first.kind, "cancelled");
    const partial = partialPathOf(path.join(directory, "model.gguf"));
    const kept = readFileSync(partial).length;
    assert.ok(kept > 0 && kept < model.length, `${kept} bytes kept`);

    const second = await downloadModel({ url: server.url("/slow.gguf"), directory, fileName: "model.gguf", sha256: modelSha256 });
    assert.equal(second.kind, "installed", JSON.stringify(second));
    assert.ok(readFileSync(path.join(directory, "model.gguf")).equals(model));
    assert.deepEqual(server.requests, ["full", `${kept}-`], "the second request asked only for the missing bytes");
  });

  it("moves a file with the wrong sha256 aside and does not install it", async function () {
    const result = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf", sha256: "0".repeat(64) });
    assert.equal(result.kind, "failed");
    assert.equal(result.kind === "failed" && result.code, "sha256Mismatch");
    assert.equal(existsSync(path.join(directory, "model.gguf")), false);
    assert.ok(readFileSync(rejectedPathOf(path.join(directory, "model.gguf"))).equals(model));
  });

  it("rejects a size that differs from the catalog's", async function () {
    const result = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf", sizeBytes: model.length + 1 });
    assert.equal(result.kind === "failed" && result.code, "sizeMismatch");
    assert.equal(existsSync(path.join(directory, "model.gguf")), false);
  });

  it("rejects a file that is not GGUF, naming it", async function () {
    const result = await downloadModel({ url: server.url("/page.gguf"), directory, fileName: "page.gguf" });
    assert.equal(result.kind === "failed" && result.code, "notGguf");
    assert.match(result.kind === "failed" ? result.message : "", /^page\.gguf failed its check and was not installed: page\.gguf is not a GGUF model file/);
    assert.equal(existsSync(path.join(directory, "page.gguf")), false);
    assert.ok(existsSync(rejectedPathOf(path.join(directory, "page.gguf"))));
  });

  it("fails on a truncated body, keeps the bytes, and resumes them later", async function () {
    const cut = Math.floor(model.length / 2);
    server.misbehaviour = { kind: "truncate", bytes: cut };
    const first = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf" });
    assert.equal(first.kind === "failed" && first.code, "connectionDropped", JSON.stringify(first));
    assert.match(first.kind === "failed" ? first.message : "", /resumes where it stopped/);
    const kept = readFileSync(partialPathOf(path.join(directory, "model.gguf")));
    assert.ok(kept.length > 0 && kept.length <= cut, `${kept.length} bytes kept`);
    assert.ok(kept.equals(model.subarray(0, kept.length)), "the kept bytes are the file's beginning");

    server.misbehaviour = { kind: "none" };
    const second = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf", sha256: modelSha256 });
    assert.equal(second.kind, "installed", JSON.stringify(second));
    assert.ok(readFileSync(path.join(directory, "model.gguf")).equals(model));
  });

  it("fails with a 404 and leaves nothing behind", async function () {
    server.misbehaviour = { kind: "notFound" };
    const result = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf" });
    assert.equal(result.kind === "failed" && result.code, "notFound");
    assert.match(result.kind === "failed" ? result.message : "", /HTTP 404/);
    assert.equal(existsSync(path.join(directory, "model.gguf")), false);
    assert.equal(existsSync(partialPathOf(path.join(directory, "model.gguf"))), false);
  });

  it("fails when the server dies mid-transfer, keeping what arrived", async function () {
    server.misbehaviour = { kind: "die", bytes: 200_000 };
    const started = Date.now();
    const result = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf", stallTimeoutMs: 5000 });
    assert.equal(result.kind === "failed" && result.code, "connectionDropped", JSON.stringify(result));
    assert.ok(Date.now() - started < 5000, "the failure is noticed before the stall timeout");
    const kept = readFileSync(partialPathOf(path.join(directory, "model.gguf"))).length;
    assert.ok(kept > 0 && kept <= 200_000, `${kept} bytes kept`);
  });

  it("gives up on a server that stops sending, keeping what arrived", async function () {
    server.misbehaviour = { kind: "stall", bytes: 200_000 };
    const result = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf", stallTimeoutMs: 500 });
    assert.equal(result.kind === "failed" && result.code, "stalled", JSON.stringify(result));
    assert.match(result.kind === "failed" ? result.message : "", /No data arrived for 1 s\. Download again: it resumes where it stopped/);
    const kept = readFileSync(partialPathOf(path.join(directory, "model.gguf")));
    assert.ok(kept.length > 0 && kept.equals(model.subarray(0, kept.length)), `${kept.length} bytes kept`);
  });

  it("starts over, with a clear message, when the server answers a resume with 416", async function () {
    const destination = path.join(directory, "model.gguf");
    writeFileSync(partialPathOf(destination), Buffer.alloc(model.length + 10));
    writeFileSync(`${partialPathOf(destination)}.json`, JSON.stringify({ url: server.url("/model.gguf"), totalBytes: model.length + 20 }));
    const result = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf" });
    assert.equal(result.kind === "failed" && result.code, "rangeNotSatisfiable", JSON.stringify(result));
    assert.equal(existsSync(partialPathOf(destination)), false);
    const again = await downloadModel({ url: server.url("/model.gguf"), directory, fileName: "model.gguf", sha256: modelSha256 });
    assert.equal(again.kind, "installed");
  });

  it("fails fast with local-file advice when the host cannot be reached", async function () {
    const url = server.url("/model.gguf");
    await server.close();
    const started = Date.now();
    const result = await downloadModel({ url, directory, fileName: "model.gguf" });
    assert.equal(result.kind === "failed" && result.code, "offline");
    assert.match(result.kind === "failed" ? result.message : "", /Use a local GGUF file/);
    assert.ok(Date.now() - started < 5000);
  });
});
