// Fetches node-llama-cpp's GPU binaries (CUDA, Vulkan: too big for the .vsix) on first use: the npm registry's
// tarballs of the packages core/models/gpuRuntimePackages.ts lists at the pinned version, each checked against the
// registry's integrity hash and the hash this extension was built with (from package-lock.json).
import { existsSync } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import {
  DownloadError,
  type DownloadFailureCode,
  digestOfFile,
  discardPartial,
  fetchJson,
  httpDownload,
} from "../http/httpDownload";
import type { RuntimePackage } from "../../core/models/gpuRuntimePackages";
import { extractTarball } from "./tarball";

export type GpuRuntimeFailureCode = DownloadFailureCode | "integrity" | "metadata" | "extract" | "missingLocalCopy";

export type GpuRuntimeResult =
  | { kind: "installed"; packageDirectories: string[] }
  | { kind: "cancelled" }
  | { kind: "failed"; code: GpuRuntimeFailureCode; message: string };

export interface GpuRuntimeOptions {
  registryUrl: string;
  packages: readonly RuntimePackage[];
  /**
   * Packages land in <directory>/node_modules/<name>. node-llama-cpp finds its binaries by package resolution from
   * its own folder, so the extension passes its own root here.
   */
  directory: string;
  /** Where tarballs are downloaded (and kept while partial); defaults to <directory>/downloads. */
  downloadDirectory?: string;
  /** Offline machines: a folder holding the packages' .tgz files (as `npm pack` names them), used instead of the registry. */
  localTarballDirectory?: string;
  signal?: AbortSignal;
  onProgress?: (packageName: string, receivedBytes: number, totalBytes: number) => void;
  stallTimeoutMs?: number;
  connectTimeoutMs?: number;
}

class RuntimeFailure extends Error {
  constructor(
    readonly code: GpuRuntimeFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** `npm pack`'s file name: "@scope/name" at 1.2.3 becomes "scope-name-1.2.3.tgz". */
export function tarballFileName(pkg: RuntimePackage): string {
  return `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`;
}

export function packageDirectoryOf(directory: string, pkg: RuntimePackage): string {
  return path.join(directory, "node_modules", ...pkg.name.split("/"));
}

async function installedVersion(packageDirectory: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await readFile(path.join(packageDirectory, "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof manifest.version === "string" ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}

async function registryIntegrity(
  options: GpuRuntimeOptions,
  pkg: RuntimePackage,
): Promise<{ tarball: string; integrity: string }> {
  const url = `${options.registryUrl.replace(/\/$/, "")}/${pkg.name.replace("/", "%2f")}/${pkg.version}`;
  const metadata = await fetchJson(url, options);
  const dist = (metadata as { dist?: { tarball?: unknown; integrity?: unknown } } | null)?.dist;
  if (
    typeof dist?.tarball !== "string" ||
    typeof dist.integrity !== "string" ||
    !dist.integrity.startsWith("sha512-")
  ) {
    throw new RuntimeFailure(
      "metadata",
      `The registry's entry for ${pkg.name}@${pkg.version} has no tarball with a sha512 integrity hash.`,
    );
  }
  if (pkg.pinnedIntegrity !== undefined && dist.integrity !== pkg.pinnedIntegrity) {
    throw new RuntimeFailure(
      "integrity",
      `The registry's hash for ${pkg.name}@${pkg.version} differs from the one this extension was built with; nothing was downloaded.`,
    );
  }
  return { tarball: dist.tarball, integrity: dist.integrity };
}

async function verify(archive: string, integrity: string, pkg: RuntimePackage): Promise<void> {
  const expected = integrity.slice("sha512-".length);
  const actual = await digestOfFile(archive, "sha512", "base64");
  if (actual !== expected) {
    await rename(archive, `${archive}.rejected`);
    throw new RuntimeFailure(
      "integrity",
      `The download of ${pkg.name}@${pkg.version} does not match its integrity hash; it was moved aside and not installed.`,
    );
  }
}

async function installOne(options: GpuRuntimeOptions, pkg: RuntimePackage): Promise<string | "cancelled"> {
  const packageDirectory = packageDirectoryOf(options.directory, pkg);
  if ((await installedVersion(packageDirectory)) === pkg.version) return packageDirectory;

  let archive: string;
  let integrity: string;
  let keepArchive = false;
  if (options.localTarballDirectory !== undefined) {
    archive = path.join(options.localTarballDirectory, tarballFileName(pkg));
    if (!existsSync(archive))
      throw new RuntimeFailure(
        "missingLocalCopy",
        `${archive} does not exist; put ${tarballFileName(pkg)} (from \`npm pack ${pkg.name}@${pkg.version}\`) there.`,
      );
    if (pkg.pinnedIntegrity === undefined)
      throw new RuntimeFailure("integrity", `There is no known hash to check the local copy of ${pkg.name} against.`);
    integrity = pkg.pinnedIntegrity;
    keepArchive = true;
  } else {
    const source = await registryIntegrity(options, pkg);
    integrity = source.integrity;
    archive = path.join(options.downloadDirectory ?? path.join(options.directory, "downloads"), tarballFileName(pkg));
    const download = await httpDownload({
      url: source.tarball,
      destination: archive,
      signal: options.signal,
      stallTimeoutMs: options.stallTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      onProgress: (received, total) => options.onProgress?.(pkg.name, received, total),
    });
    if (download.kind === "cancelled") return "cancelled";
    if (download.kind === "failed")
      throw new RuntimeFailure(download.code, `Downloading ${pkg.name}@${pkg.version} failed: ${download.message}`);
    await rm(archive, { force: true });
    await rename(download.partialPath, archive);
    await discardPartial(archive);
  }
  if (keepArchive) {
    const actual = await digestOfFile(archive, "sha512", "base64");
    if (`sha512-${actual}` !== integrity)
      throw new RuntimeFailure(
        "integrity",
        `The local copy ${archive} does not match the hash of ${pkg.name}@${pkg.version}.`,
      );
  } else {
    await verify(archive, integrity, pkg);
  }

  // Extract beside the target and rename, so a failed extraction never leaves a half package that looks installed.
  const staging = `${packageDirectory}.extracting`;
  await rm(staging, { recursive: true, force: true });
  try {
    await extractTarball(archive, staging);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new RuntimeFailure("extract", `Unpacking ${pkg.name}@${pkg.version} failed: ${(error as Error).message}`);
  }
  await rm(packageDirectory, { recursive: true, force: true });
  await rename(staging, packageDirectory);
  if (!keepArchive) await rm(archive, { force: true });
  return packageDirectory;
}

export async function fetchGpuRuntime(options: GpuRuntimeOptions): Promise<GpuRuntimeResult> {
  const packageDirectories: string[] = [];
  try {
    for (const pkg of options.packages) {
      const installed = await installOne(options, pkg);
      if (installed === "cancelled") return { kind: "cancelled" };
      packageDirectories.push(installed);
    }
    return { kind: "installed", packageDirectories };
  } catch (error) {
    if (options.signal?.aborted) return { kind: "cancelled" };
    if (error instanceof RuntimeFailure || error instanceof DownloadError)
      return { kind: "failed", code: error.code, message: error.message };
    throw error;
  }
}
