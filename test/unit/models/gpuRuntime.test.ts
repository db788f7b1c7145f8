import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cudaRuntimePackages, tarballFileName } from "../../../extension/src/node/models/gpuRuntime";
import { extractTarball } from "../../../extension/src/node/models/tarball";
import { npmTarball } from "../../integration/modelsTarball";
import { repoRoot } from "../../fixtures/scriptedModel";

describe("GPU runtime packages", function () {
  it("pins the CUDA packages at node-llama-cpp's installed version with the lock file's hashes", function () {
    const lock = JSON.parse(readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string; integrity?: string }> };
    const nodeLlamaCpp = lock.packages["node_modules/node-llama-cpp"];
    for (const pkg of cudaRuntimePackages["linux-x64"]) {
      const locked = lock.packages[`node_modules/${pkg.name}`];
      assert.equal(pkg.version, nodeLlamaCpp.version, pkg.name);
      assert.equal(locked.version, pkg.version, pkg.name);
      assert.equal(pkg.pinnedIntegrity, locked.integrity, pkg.name);
    }
  });

  it("names tarballs as npm pack does", function () {
    assert.equal(tarballFileName({ name: "@node-llama-cpp/linux-x64-cuda", version: "3.21.1" }), "node-llama-cpp-linux-x64-cuda-3.21.1.tgz");
  });
});

describe("tarball extraction", function () {
  let directory: string;
  beforeEach(function () {
    directory = mkdtempSync(path.join(tmpdir(), "llama-assist-tar-"));
  });
  afterEach(function () {
    rmSync(directory, { recursive: true, force: true });
  });

  it("extracts files under package/, dropping that folder", async function () {
    const archive = path.join(directory, "a.tgz");
    writeFileSync(archive, npmTarball(new Map([["lib/a.txt", Buffer.from("hello")], ["b.bin", Buffer.alloc(1500, 1)]])));
    assert.equal(await extractTarball(archive, path.join(directory, "out")), 2);
    assert.equal(readFileSync(path.join(directory, "out/lib/a.txt"), "utf8"), "hello");
    assert.ok(readFileSync(path.join(directory, "out/b.bin")).equals(Buffer.alloc(1500, 1)));
  });

  it("refuses an entry that climbs out of the target", async function () {
    const archive = path.join(directory, "evil.tgz");
    writeFileSync(archive, npmTarball(new Map([["../../escaped.txt", Buffer.from("x")]])));
    await assert.rejects(extractTarball(archive, path.join(directory, "out")), /points outside the package/);
    assert.equal(existsSync(path.join(directory, "escaped.txt")), false);
  });

  it("refuses an archive cut in the middle of an entry", async function () {
    const archive = path.join(directory, "cut.tgz");
    const { gunzipSync, gzipSync } = await import("node:zlib");
    const whole = gunzipSync(npmTarball(new Map([["big.bin", Buffer.alloc(5000, 2)]])));
    writeFileSync(archive, gzipSync(whole.subarray(0, 2048)));
    await assert.rejects(extractTarball(archive, path.join(directory, "out")), /ends in the middle of an entry/);
  });
});
