// The model downloader (node-llama-cpp's createModelDownloader, wrapped, in its thread as `npm run build` bundles it)
// against a local HTTP server on 127.0.0.1 that serves fixture GGUF files, with Range support and scripted failures.
// Nothing leaves the machine.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type ModelDownloadOptions,
  type ModelDownloadResult,
  downloadModel,
  downloadedPathOf,
  partialPathOf,
  rejectedPathOf,
} from "../../extension/src/node/models/modelDownload";
import { ensureNotGgufFile, ensureScriptedModel, repoRoot } from "../fixtures/scriptedModel";
import { type FileServer, startFileServer } from "./modelsServer";

const workerScript = path.join(repoRoot, "dist/models/downloadWorker.mjs");

function download(options: Omit<ModelDownloadOptions, "workerScript">): Promise<ModelDownloadResult> {
  return downloadModel({ ...options, workerScript });
}

describe("model download", function () {
  const model = readFileSync(ensureScriptedModel("standard"));
  const modelSha256 = createHash("sha256").update(model).digest("hex");
  // The downloader keeps whole 5 MiB chunks of a partial download: resuming needs a file of several chunks.
  const large = readFileSync(ensureScriptedModel("heavy"));
  const largeSha256 = createHash("sha256").update(large).digest("hex");
  const notGguf = readFileSync(ensureNotGgufFile());
  let server: FileServer;
  let directory: string;

  beforeEach(async function () {
    server = await startFileServer(
      new Map([
        ["/model.gguf", { body: model, chunkDelayMs: 0 }],
        ["/large.gguf", { body: large, chunkDelayMs: 0 }],
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
    const result = await download({
      url: server.url("/model.gguf"),
      directory,
      fileName: "model.gguf",
      sha256: modelSha256,
      // The catalog's sizes are approximate: a few percent off is still the file it means.
      approximateSizeBytes: Math.round(model.length * 1.05),
      onProgress: (received, total) => events.push([received, total]),
    });
    assert.equal(result.kind, "installed", JSON.stringify(result));
    assert.ok(readFileSync(path.join(directory, "model.gguf")).equals(model));
    assert.ok(events.length >= 2, `${events.length} progress events`);
    assert.ok(events.every(([, total]) => total === model.length));
    assert.ok(
      events.every(([received], index) => index === 0 || received >= events[index - 1][0]),
      "progress never goes back",
    );
    assert.equal(events[events.length - 1][0], model.length);
    assert.equal(existsSync(partialPathOf(path.join(directory, "model.gguf"))), false);
    assert.equal(existsSync(downloadedPathOf(path.join(directory, "model.gguf"))), false);
  });

  it("keeps a cancelled download and resumes it to an identical file", async function () {
    // Each answer stops after 5.5 MiB and holds the connection open: the first three 5 MiB chunks finish, the last
    // never does, and the download waits until it is cancelled.
    server.misbehaviour = { kind: "stall", bytes: 5.5 * 1024 * 1024 };
    const destination = path.join(directory, "large.gguf");
    const partial = partialPathOf(destination);
    const controller = new AbortController();
    // The downloader writes its resume record after the file's data once a chunk is finished: cancel then.
    const cancelWhenRecorded = setInterval(() => {
      if (existsSync(partial) && statSync(partial).size > large.length) controller.abort();
    }, 20);
    const first = await download({
      url: server.url("/large.gguf"),
      directory,
      fileName: "large.gguf",
      signal: controller.signal,
    }).finally(() => clearInterval(cancelWhenRecorded));
    assert.equal(first.kind, "cancelled", JSON.stringify(first));
    assert.ok(existsSync(partial), "the partial file is kept");
    assert.equal(existsSync(downloadedPathOf(destination)), false);
    assert.equal(existsSync(destination), false);

    server.misbehaviour = { kind: "none" };
    const sentBeforeResume = server.rangeBytesSent;
    const second = await download({
      url: server.url("/large.gguf"),
      directory,
      fileName: "large.gguf",
      sha256: largeSha256,
    });
    assert.equal(second.kind, "installed", JSON.stringify(second));
    assert.ok(readFileSync(destination).equals(large));
    const resumedBytes = server.rangeBytesSent - sentBeforeResume;
    assert.ok(
      resumedBytes > 0 && resumedBytes < large.length,
      `the resume fetched ${resumedBytes} of ${large.length} bytes`,
    );
    assert.equal(existsSync(partial), false);
  });

  it("moves a file with the wrong sha256 aside and does not install it", async function () {
    const result = await download({
      url: server.url("/model.gguf"),
      directory,
      fileName: "model.gguf",
      sha256: "0".repeat(64),
    });
    assert.equal(result.kind, "failed");
    assert.equal(result.kind === "failed" && result.code, "sha256Mismatch");
    assert.equal(existsSync(path.join(directory, "model.gguf")), false);
    assert.ok(readFileSync(rejectedPathOf(path.join(directory, "model.gguf"))).equals(model));
  });

  it("rejects a file far from the catalog's approximate size, as not the file the catalog means", async function () {
    const result = await download({
      url: server.url("/model.gguf"),
      directory,
      fileName: "model.gguf",
      approximateSizeBytes: model.length * 2,
    });
    assert.equal(result.kind === "failed" && result.code, "sizeMismatch");
    assert.match(
      result.kind === "failed" ? result.message : "",
      /^model\.gguf failed its check and was not installed: it has \d+ bytes, far from the catalog's .*not the file the catalog means/,
    );
    assert.equal(existsSync(path.join(directory, "model.gguf")), false);
    assert.ok(existsSync(rejectedPathOf(path.join(directory, "model.gguf"))), "moved aside");
  });

  it("starts over when the file changed length on the server since the partial download, and installs the new file whole", async function () {
    const files = new Map([["/large.gguf", { body: large, chunkDelayMs: 0 }]]);
    const changing = await startFileServer(files);
    try {
      changing.misbehaviour = { kind: "stall", bytes: 5.5 * 1024 * 1024 };
      const destination = path.join(directory, "large.gguf");
      const controller = new AbortController();
      const cancelWhenRecorded = setInterval(() => {
        if (existsSync(partialPathOf(destination)) && statSync(partialPathOf(destination)).size > large.length)
          controller.abort();
      }, 20);
      const first = await download({
        url: changing.url("/large.gguf"),
        directory,
        fileName: "large.gguf",
        signal: controller.signal,
      }).finally(() => clearInterval(cancelWhenRecorded));
      assert.equal(first.kind, "cancelled", JSON.stringify(first));

      // A new upload under the same name, changed inside the part already downloaded, and longer: a resume that kept
      // the old bytes would install a mix of both versions.
      const replaced = Buffer.concat([large, Buffer.alloc(1024 * 1024, 7)]);
      replaced.fill(9, 1024 * 1024, 1024 * 1024 + 100);
      files.set("/large.gguf", { body: replaced, chunkDelayMs: 0 });
      changing.misbehaviour = { kind: "none" };
      const sentBefore = changing.rangeBytesSent;
      const second = await download({
        url: changing.url("/large.gguf"),
        directory,
        fileName: "large.gguf",
        sha256: createHash("sha256").update(replaced).digest("hex"),
      });
      assert.equal(second.kind, "installed", JSON.stringify(second));
      assert.ok(readFileSync(destination).equals(replaced));
      // At least every byte: node-llama-cpp's downloader may split a slow range onto a fresh connection, so a few
      // bytes can be sent twice; a resume that kept the old part would send fewer than the whole file.
      const sentAgain = changing.rangeBytesSent - sentBefore;
      assert.ok(sentAgain >= replaced.length, `every byte was fetched again: ${sentAgain} of ${replaced.length}`);
    } finally {
      await changing.close();
    }
  });

  it("rejects a file that is not GGUF, naming it", async function () {
    const result = await download({ url: server.url("/page.gguf"), directory, fileName: "page.gguf" });
    assert.equal(result.kind === "failed" && result.code, "notGguf");
    assert.match(
      result.kind === "failed" ? result.message : "",
      /^page\.gguf failed its check and was not installed: page\.gguf is not a GGUF model file/,
    );
    assert.equal(existsSync(path.join(directory, "page.gguf")), false);
    assert.ok(existsSync(rejectedPathOf(path.join(directory, "page.gguf"))));
  });

  it("recovers from truncated bodies by fetching the missing range again", async function () {
    // Each answer stops after 6 MiB: the one for the last 7.2 MiB of the file falls short, and the downloader asks again
    // for what is missing.
    server.misbehaviour = { kind: "truncate", bytes: 6 * 1024 * 1024 };
    const result = await download({
      url: server.url("/large.gguf"),
      directory,
      fileName: "large.gguf",
      sha256: largeSha256,
      stallTimeoutMs: 10000,
    });
    assert.equal(result.kind, "installed", JSON.stringify(result));
    assert.ok(readFileSync(path.join(directory, "large.gguf")).equals(large));
    const rangeRequests = server.requests.filter((entry) => entry !== "full");
    assert.ok(rangeRequests.length > 3, `the missing part was asked for again: ${server.requests.join(", ")}`);
  });

  it("gives up on a body that is cut short every time, and downloads it later", async function () {
    // No answer brings a whole 5 MiB chunk, so there is nothing to keep: the downloader keeps only finished chunks.
    server.misbehaviour = { kind: "truncate", bytes: 1024 * 1024 };
    const first = await download({
      url: server.url("/large.gguf"),
      directory,
      fileName: "large.gguf",
      stallTimeoutMs: 1500,
    });
    assert.equal(first.kind === "failed" && first.code, "stalled", JSON.stringify(first));
    assert.match(
      first.kind === "failed" ? first.message : "",
      /no new data arrived for 2 s .* Download again: it resumes where it stopped/,
    );

    server.misbehaviour = { kind: "none" };
    const second = await download({
      url: server.url("/large.gguf"),
      directory,
      fileName: "large.gguf",
      sha256: largeSha256,
    });
    assert.equal(second.kind, "installed", JSON.stringify(second));
    assert.ok(readFileSync(path.join(directory, "large.gguf")).equals(large));
  });

  it("fails with a 404 and leaves nothing behind", async function () {
    server.misbehaviour = { kind: "notFound" };
    const result = await download({ url: server.url("/model.gguf"), directory, fileName: "model.gguf" });
    assert.equal(result.kind === "failed" && result.code, "notFound");
    assert.match(result.kind === "failed" ? result.message : "", /HTTP 404/);
    assert.equal(existsSync(path.join(directory, "model.gguf")), false);
    assert.equal(existsSync(partialPathOf(path.join(directory, "model.gguf"))), false);
  });

  it("fails when the server dies mid-transfer, keeping what arrived", async function () {
    server.misbehaviour = { kind: "die", responses: 1 };
    const result = await download({
      url: server.url("/large.gguf"),
      directory,
      fileName: "large.gguf",
      stallTimeoutMs: 1000,
    });
    assert.equal(result.kind === "failed" && result.code, "connectionDropped", JSON.stringify(result));
    assert.match(
      result.kind === "failed" ? result.message : "",
      /127\.0\.0\.1:\d+ stopped answering after .* Download again: it resumes where it stopped/,
    );
    assert.ok(existsSync(partialPathOf(path.join(directory, "large.gguf"))), "the partial file is kept");
    assert.equal(
      existsSync(downloadedPathOf(path.join(directory, "large.gguf"))),
      false,
      "an unfinished file never carries the finished name",
    );
    assert.equal(existsSync(path.join(directory, "large.gguf")), false);

    const revived = await startFileServer(new Map([["/large.gguf", { body: large, chunkDelayMs: 0 }]]));
    try {
      const again = await download({
        url: revived.url("/large.gguf"),
        directory,
        fileName: "large.gguf",
        sha256: largeSha256,
      });
      assert.equal(again.kind, "installed", JSON.stringify(again));
      assert.ok(readFileSync(path.join(directory, "large.gguf")).equals(large));
      assert.ok(
        revived.rangeBytesSent < large.length,
        `the resume fetched ${revived.rangeBytesSent} of ${large.length} bytes`,
      );
    } finally {
      await revived.close();
    }
  });

  it("gives up on a server that stops sending", async function () {
    server.misbehaviour = { kind: "stall", bytes: 200_000 };
    const result = await download({
      url: server.url("/model.gguf"),
      directory,
      fileName: "model.gguf",
      stallTimeoutMs: 500,
    });
    assert.equal(result.kind === "failed" && result.code, "stalled", JSON.stringify(result));
    assert.match(
      result.kind === "failed" ? result.message : "",
      /no new data arrived for 1 s .* Download again: it resumes where it stopped/,
    );
    assert.equal(existsSync(path.join(directory, "model.gguf")), false);
  });

  it("starts over, with a clear message, when the server answers a range request with 416", async function () {
    const destination = path.join(directory, "model.gguf");
    server.misbehaviour = { kind: "rangeNotSatisfiable" };
    const result = await download({ url: server.url("/model.gguf"), directory, fileName: "model.gguf" });
    assert.equal(result.kind === "failed" && result.code, "rangeNotSatisfiable", JSON.stringify(result));
    assert.match(
      result.kind === "failed" ? result.message : "",
      /HTTP 416\). The partial file was removed, so the next try starts over/,
    );
    assert.equal(existsSync(partialPathOf(destination)), false);
    server.misbehaviour = { kind: "none" };
    const again = await download({
      url: server.url("/model.gguf"),
      directory,
      fileName: "model.gguf",
      sha256: modelSha256,
    });
    assert.equal(again.kind, "installed");
  });

  it("fails fast with local-file advice when the host cannot be reached", async function () {
    const url = server.url("/model.gguf");
    await server.close();
    const started = Date.now();
    const result = await download({ url, directory, fileName: "model.gguf" });
    assert.equal(result.kind === "failed" && result.code, "offline");
    assert.match(result.kind === "failed" ? result.message : "", /Use a local GGUF file/);
    assert.ok(Date.now() - started < 5000);
  });

  it("fails with a specific message when the disk is full, naming the file and the fix", async function () {
    // A real full disk: a 1 MiB tmpfs (root only; a machine that cannot mount one has nothing to say here).
    const full = mkdtempSync(path.join(tmpdir(), "llama-assist-full-disk-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", full], { stdio: "ignore" });
    } catch {
      rmSync(full, { recursive: true, force: true });
      this.skip();
    }
    try {
      const result = await download({
        url: server.url("/large.gguf"),
        directory: full,
        fileName: "large.gguf",
        approximateSizeBytes: large.length,
        stallTimeoutMs: 5_000,
      });
      assert.equal(result.kind, "failed", JSON.stringify(result));
      assert.equal(result.kind === "failed" ? result.code : "", "diskFull", JSON.stringify(result));
      assert.match(result.kind === "failed" ? result.message : "", /large\.gguf.*disk is full.*Free some space/s);
      assert.equal(existsSync(path.join(full, "large.gguf")), false, "nothing is installed");
    } finally {
      execFileSync("umount", [full], { stdio: "ignore" });
      rmSync(full, { recursive: true, force: true });
    }
  });
});
