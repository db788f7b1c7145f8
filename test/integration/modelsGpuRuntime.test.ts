// The GPU runtime fetch (CUDA, Vulkan) against a local registry on 127.0.0.1 serving package metadata and tarballs made
// here.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type RuntimePackage, gpuRuntimePackagesFor } from "../../extension/src/core/models/gpuRuntimePackages";
import { fetchGpuRuntime, packageDirectoryOf, tarballFileName } from "../../extension/src/node/models/gpuRuntime";
import { type FileServer, type ServedFile, startFileServer } from "./modelsServer";
import { npmTarball } from "./modelsTarball";

const pkg: RuntimePackage = { name: "@node-llama-cpp/linux-x64-cuda", version: "3.21.1" };
const library = randomBytes(700_000);
const manifest = Buffer.from(JSON.stringify({ name: pkg.name, version: pkg.version }));
const tarball = npmTarball(
  new Map([
    ["package.json", manifest],
    ["bins/linux-x64-cuda/libggml-cuda.so", library],
  ]),
);
const integrityOf = (bytes: Buffer): string => `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
const metadataPath = "/@node-llama-cpp%2flinux-x64-cuda/3.21.1";

describe("GPU runtime fetch", function () {
  let server: FileServer;
  let directory: string;
  const files = new Map<string, ServedFile>();

  const serveMetadata = (integrity: string): void => {
    const body = Buffer.from(
      JSON.stringify({
        name: pkg.name,
        version: pkg.version,
        dist: { tarball: server.url("/tarballs/cuda.tgz"), integrity },
      }),
    );
    files.set(metadataPath, { body, chunkDelayMs: 0 });
  };

  beforeEach(async function () {
    files.clear();
    files.set("/tarballs/cuda.tgz", { body: tarball, chunkDelayMs: 10 });
    server = await startFileServer(files);
    directory = mkdtempSync(path.join(tmpdir(), "llama-assist-runtime-"));
  });

  afterEach(async function () {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("installs a tarball whose integrity matches the registry's", async function () {
    serveMetadata(integrityOf(tarball));
    const result = await fetchGpuRuntime({
      registryUrl: server.url(""),
      packages: [{ ...pkg, pinnedIntegrity: integrityOf(tarball) }],
      directory,
    });
    assert.equal(result.kind, "installed", JSON.stringify(result));
    const installed = packageDirectoryOf(directory, pkg);
    assert.ok(readFileSync(path.join(installed, "bins/linux-x64-cuda/libggml-cuda.so")).equals(library));
    assert.ok(readFileSync(path.join(installed, "package.json")).equals(manifest));
    assert.deepEqual(readdirSync(path.join(directory, "downloads")), [], "the tarball is removed after unpacking");
  });

  it("rejects a tarball that does not match the registry's integrity hash", async function () {
    serveMetadata(integrityOf(Buffer.from("another tarball")));
    const result = await fetchGpuRuntime({ registryUrl: server.url(""), packages: [pkg], directory });
    assert.equal(result.kind === "failed" && result.code, "integrity", JSON.stringify(result));
    assert.equal(existsSync(packageDirectoryOf(directory, pkg)), false);
    assert.ok(existsSync(path.join(directory, "downloads", `${tarballFileName(pkg)}.rejected`)));
  });

  it("refuses to download when the registry's hash differs from the pinned one", async function () {
    serveMetadata(integrityOf(tarball));
    const result = await fetchGpuRuntime({
      registryUrl: server.url(""),
      packages: [{ ...pkg, pinnedIntegrity: integrityOf(Buffer.from("x")) }],
      directory,
    });
    assert.equal(result.kind === "failed" && result.code, "integrity");
    assert.deepEqual(server.requests, ["full"], "only the metadata was fetched");
  });

  it("resumes a cancelled fetch and installs an identical package", async function () {
    serveMetadata(integrityOf(tarball));
    const controller = new AbortController();
    const first = await fetchGpuRuntime({
      registryUrl: server.url(""),
      packages: [pkg],
      directory,
      signal: controller.signal,
      onProgress: (_name, received) => {
        if (received >= tarball.length / 3) controller.abort();
      },
    });
    assert.equal(first.kind, "cancelled");
    assert.equal(existsSync(packageDirectoryOf(directory, pkg)), false);

    const second = await fetchGpuRuntime({ registryUrl: server.url(""), packages: [pkg], directory });
    assert.equal(second.kind, "installed", JSON.stringify(second));
    assert.ok(
      readFileSync(path.join(packageDirectoryOf(directory, pkg), "bins/linux-x64-cuda/libggml-cuda.so")).equals(
        library,
      ),
    );
    const tarballRequests = server.requests.filter((entry, index) => index > 0 && entry !== "full");
    assert.ok(
      tarballRequests.some((entry) => /^[1-9]\d*-$/.test(entry)),
      `a range request resumed: ${server.requests.join(", ")}`,
    );
  });

  it("installs from a local copy checked against the pinned hash, without the network", async function () {
    const local = path.join(directory, "offline");
    mkdirSync(local);
    writeFileSync(path.join(local, tarballFileName(pkg)), tarball);
    await server.close();
    const result = await fetchGpuRuntime({
      registryUrl: "http://127.0.0.1:9",
      packages: [{ ...pkg, pinnedIntegrity: integrityOf(tarball) }],
      directory,
      localTarballDirectory: local,
    });
    assert.equal(result.kind, "installed", JSON.stringify(result));
    const tampered = path.join(directory, "tampered");
    mkdirSync(tampered);
    writeFileSync(path.join(tampered, tarballFileName(pkg)), npmTarball(new Map([["package.json", manifest]])));
    rmSync(packageDirectoryOf(directory, pkg), { recursive: true });
    const rejected = await fetchGpuRuntime({
      registryUrl: "http://127.0.0.1:9",
      packages: [{ ...pkg, pinnedIntegrity: integrityOf(tarball) }],
      directory,
      localTarballDirectory: tampered,
    });
    assert.equal(rejected.kind === "failed" && rejected.code, "integrity");
  });

  it("does nothing for a package already installed at the pinned version", async function () {
    serveMetadata(integrityOf(tarball));
    await fetchGpuRuntime({ registryUrl: server.url(""), packages: [pkg], directory });
    const requests = server.requests.length;
    const again = await fetchGpuRuntime({ registryUrl: server.url(""), packages: [pkg], directory });
    assert.equal(again.kind, "installed");
    assert.equal(server.requests.length, requests);
  });

  /** Serves each package's metadata and a tarball holding its manifest and one library, pinned to that tarball's hash. */
  const serveRegistry = (
    packages: readonly RuntimePackage[],
  ): { pinned: RuntimePackage[]; libraries: Map<string, Buffer> } => {
    const libraries = new Map<string, Buffer>();
    const pinned = packages.map((runtime) => {
      const library = randomBytes(200_000);
      const body = npmTarball(
        new Map([
          ["package.json", Buffer.from(JSON.stringify({ name: runtime.name, version: runtime.version }))],
          ["bins/library.bin", library],
        ]),
      );
      const tarballPath = `/tarballs/${tarballFileName(runtime)}`;
      files.set(tarballPath, { body, chunkDelayMs: 0 });
      const metadata = {
        name: runtime.name,
        version: runtime.version,
        dist: { tarball: server.url(tarballPath), integrity: integrityOf(body) },
      };
      files.set(`/${runtime.name.replace("/", "%2f")}/${runtime.version}`, {
        body: Buffer.from(JSON.stringify(metadata)),
        chunkDelayMs: 0,
      });
      libraries.set(runtime.name, library);
      return { ...runtime, pinnedIntegrity: integrityOf(body) };
    });
    return { pinned, libraries };
  };

  it("installs the Vulkan package the table lists for linux-x64", async function () {
    const packages = gpuRuntimePackagesFor("vulkan", "linux-x64") ?? [];
    assert.deepEqual(
      packages.map((runtime) => runtime.name),
      ["@node-llama-cpp/linux-x64-vulkan"],
    );
    const { pinned, libraries } = serveRegistry(packages);
    const result = await fetchGpuRuntime({ registryUrl: server.url(""), packages: pinned, directory });
    assert.equal(result.kind, "installed", JSON.stringify(result));
    const installed = path.join(directory, "node_modules/@node-llama-cpp/linux-x64-vulkan");
    assert.deepEqual(result.kind === "installed" && result.packageDirectories, [installed]);
    assert.ok(
      readFileSync(path.join(installed, "bins/library.bin")).equals(
        libraries.get("@node-llama-cpp/linux-x64-vulkan") ?? Buffer.alloc(0),
      ),
    );
  });

  it("installs win32-x64's CUDA and Vulkan packages where node-llama-cpp looks for them", async function () {
    const cuda = gpuRuntimePackagesFor("cuda", "win-x64") ?? [];
    const vulkan = gpuRuntimePackagesFor("vulkan", "win-x64") ?? [];
    assert.deepEqual(
      cuda.map((runtime) => runtime.name),
      ["@node-llama-cpp/win-x64-cuda", "@node-llama-cpp/win-x64-cuda-ext"],
    );
    assert.deepEqual(
      vulkan.map((runtime) => runtime.name),
      ["@node-llama-cpp/win-x64-vulkan"],
    );
    for (const packages of [cuda, vulkan]) {
      const { pinned, libraries } = serveRegistry(packages);
      const result = await fetchGpuRuntime({ registryUrl: server.url(""), packages: pinned, directory });
      assert.equal(result.kind, "installed", JSON.stringify(result));
      for (const runtime of packages) {
        const installed = path.join(directory, "node_modules", runtime.name);
        assert.ok(
          readFileSync(path.join(installed, "bins/library.bin")).equals(libraries.get(runtime.name) ?? Buffer.alloc(0)),
          runtime.name,
        );
      }
    }
    assert.deepEqual(readdirSync(path.join(directory, "node_modules/@node-llama-cpp")).sort(), [
      "win-x64-cuda",
      "win-x64-cuda-ext",
      "win-x64-vulkan",
    ]);
  });
});
