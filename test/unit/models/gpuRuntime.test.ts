import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type GpuRuntimeBackend,
  gpuRuntimeDownloadHint,
  gpuRuntimeDownloads,
  gpuRuntimePackagesFor,
  runtimePlatform,
} from "../../../extension/src/core/models/gpuRuntimePackages";
import { tarballFileName } from "../../../extension/src/node/models/gpuRuntime";
import { commandIds } from "../../../extension/src/vscode/commandIds";
import { extractTarball } from "../../../extension/src/node/models/tarball";
import { npmTarball } from "../../integration/modelsTarball";
import { repoRoot } from "../../fixtures/scriptedModel";

const backends = Object.keys(gpuRuntimeDownloads) as GpuRuntimeBackend[];

describe("GPU runtime packages", function () {
  it("pins every package at node-llama-cpp's installed version with the lock file's hash", function () {
    const lock = JSON.parse(readFileSync(path.join(repoRoot, "package-lock.json"), "utf8")) as {
      packages: Record<string, { version: string; integrity?: string } | undefined>;
    };
    const nodeLlamaCpp = lock.packages["node_modules/node-llama-cpp"];
    let checked = 0;
    for (const backend of backends) {
      for (const packages of Object.values(gpuRuntimeDownloads[backend].packages)) {
        for (const pkg of packages ?? []) {
          const locked = lock.packages[`node_modules/${pkg.name}`];
          assert.equal(pkg.version, nodeLlamaCpp?.version, pkg.name);
          assert.equal(locked?.version, pkg.version, pkg.name);
          assert.equal(pkg.pinnedIntegrity, locked?.integrity, pkg.name);
          checked++;
        }
      }
    }
    assert.equal(checked, 6);
  });

  it("offers CUDA and Vulkan on linux-x64 and win32-x64 only, each as node-llama-cpp names its packages", function () {
    const offered = backends.flatMap((backend) =>
      Object.keys(gpuRuntimeDownloads[backend].packages).map((platform) => `${backend} ${platform}`),
    );
    assert.deepEqual(offered.sort(), ["cuda linux-x64", "cuda win-x64", "vulkan linux-x64", "vulkan win-x64"]);
    for (const backend of backends) {
      for (const [platform, packages] of Object.entries(gpuRuntimeDownloads[backend].packages)) {
        const base = `@node-llama-cpp/${platform}-${backend}`;
        assert.deepEqual(
          packages?.map((pkg) => pkg.name),
          backend === "cuda" ? [base, `${base}-ext`] : [base],
        );
      }
    }
    assert.equal(runtimePlatform("win32", "x64"), "win-x64");
    assert.equal(gpuRuntimePackagesFor("vulkan", runtimePlatform("linux", "arm64")), undefined);
  });

  it("names each download command by its title in package.json", function () {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
      contributes: { commands: Array<{ command: string; title: string; category?: string }> };
    };
    const ids: Record<GpuRuntimeBackend, string> = {
      cuda: commandIds.downloadCudaRuntime,
      vulkan: commandIds.downloadVulkanRuntime,
    };
    for (const backend of backends) {
      const contributed = manifest.contributes.commands.find((command) => command.command === ids[backend]);
      assert.equal(`${contributed?.category}: ${contributed?.title}`, gpuRuntimeDownloads[backend].commandTitle);
    }
  });

  it("points a missing backend at its download only where one exists", function () {
    assert.match(gpuRuntimeDownloadHint("vulkan", "linux-x64") ?? "", /run "Llama Assist: Download Vulkan Binaries"/);
    assert.match(gpuRuntimeDownloadHint("cuda", "win-x64") ?? "", /run "Llama Assist: Download CUDA Binaries"/);
    assert.equal(gpuRuntimeDownloadHint("vulkan", "linux-arm64"), undefined);
    assert.equal(gpuRuntimeDownloadHint("metal", "mac-arm64"), undefined);
  });

  it("names tarballs as npm pack does", function () {
    assert.equal(
      tarballFileName({ name: "@node-llama-cpp/linux-x64-cuda", version: "3.21.1" }),
      "node-llama-cpp-linux-x64-cuda-3.21.1.tgz",
    );
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
    writeFileSync(
      archive,
      npmTarball(
        new Map([
          ["lib/a.txt", Buffer.from("hello")],
          ["b.bin", Buffer.alloc(1500, 1)],
        ]),
      ),
    );
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
