// Downloads a catalog model into the models folder through node-llama-cpp's downloader, and refuses to install a
// file that fails a check.
import { existsSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { checkGgufFile, type GgufSummary } from "./ggufCheck";
import { DownloadError, type DownloadFailureCode, digestOfFile, probeUrl } from "../http/httpDownload";
import { downloadWithNodeLlamaCpp, ipullPartialPathOf } from "./nodeLlamaCppDownload";
import { formatBytes } from "../../core/models/progress";

export type ModelDownloadFailureCode = DownloadFailureCode | "sizeMismatch" | "sha256Mismatch" | "notGguf" | "damaged";

export type ModelDownloadResult =
  | { kind: "installed"; path: string; summary: GgufSummary }
  | { kind: "cancelled"; receivedBytes: number }
  | { kind: "failed"; code: ModelDownloadFailureCode; message: string };

export interface ModelDownloadOptions {
  url: string;
  directory: string;
  fileName: string;
  /**
   * The catalog's size, which is approximate (no exact sizes can be fetched ahead of time): only a sanity bound, a
   * file more than approximateSizeTolerance away from it is not the file the catalog means. The exact check is
   * against the length the server announces.
   */
  approximateSizeBytes?: number;
  sha256?: string;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number) => void;
  /** Give up when the furthest byte received has not moved for this long; the partial file is kept for a resume. */
  stallTimeoutMs?: number;
  /** Give up when the server does not answer for this long: an offline machine should hear so quickly. */
  connectTimeoutMs?: number;
  /** Absolute path of the bundled download thread, dist/models/downloadWorker.mjs. */
  workerScript: string;
}

const offlineAdvice =
  "If this machine is offline, download the .gguf file on another one, copy it here and pick it with " +
  '"Llama Assist: Choose Models" → "Use a local GGUF file…".';
const resumeAdvice = " Download again: it resumes where it stopped.";
const diskFullAdvice = " Free some space, then download again: it resumes where it stopped.";
const diskFullCodes = new Set(["ENOSPC", "EDQUOT"]);
const fileErrorCodes = new Set(["EACCES", "EPERM", "EROFS", "EIO", "EISDIR", "EMFILE", "ENFILE", "EBUSY"]);
/**
 * The catalog's sizes are rounded to three digits, so this leaves room for a size written down wrong, while the
 * nearest other quantization of a model (Q6_K beside Q8_0) is about a quarter smaller.
 */
const approximateSizeTolerance = 0.2;

/** Where a file that failed a check is moved: never loaded, but kept for the user to inspect. */
export function rejectedPathOf(modelPath: string): string {
  return `${modelPath}.rejected`;
}

/**
 * The name the downloader saves a finished file under: it only becomes `<model>.gguf` after its checks, so an
 * unchecked file never carries a model's name.
 */
export function downloadedPathOf(modelPath: string): string {
  return `${modelPath}.download`;
}

/** The downloader's partial file, which a cancelled or failed download keeps for its resume. */
export function partialPathOf(modelPath: string): string {
  return ipullPartialPathOf(downloadedPathOf(modelPath));
}

/** Removes a download's partial file and a finished but unchecked one. */
export async function discardDownload(modelPath: string): Promise<void> {
  await rm(partialPathOf(modelPath), { force: true });
  await rm(downloadedPathOf(modelPath), { force: true });
}

export async function downloadModel(options: ModelDownloadOptions): Promise<ModelDownloadResult> {
  const destination = path.join(options.directory, options.fileName);
  const failed = (code: ModelDownloadFailureCode, problem: string, advice = ""): ModelDownloadResult => ({
    kind: "failed",
    code,
    message: `Downloading ${options.fileName} failed: ${problem}${advice}`,
  });

  // node-llama-cpp's downloader retries an unreachable host for minutes, and reads a 404 on its first request as
  // "size unknown". One HEAD request first gives an offline machine and a missing file a quick, specific answer.
  let host: string;
  try {
    const probe = await probeUrl(options.url, { signal: options.signal, connectTimeoutMs: options.connectTimeoutMs });
    host = probe.host;
    if (probe.status === 404) return failed("notFound", `${host} has no file at ${options.url} (HTTP 404).`);
    if (probe.status < 200 || probe.status >= 300)
      return failed("httpStatus", `${host} answered HTTP ${probe.status} for ${options.url}.`);
  } catch (error) {
    if (options.signal?.aborted) return { kind: "cancelled", receivedBytes: 0 };
    if (error instanceof DownloadError)
      return failed(error.code, error.message, error.code === "offline" ? ` ${offlineAdvice}` : "");
    throw error;
  }

  await mkdir(options.directory, { recursive: true });
  const stallTimeoutMs = options.stallTimeoutMs ?? 30000;
  const downloadedPath = downloadedPathOf(destination);
  const result = await downloadWithNodeLlamaCpp({
    url: options.url,
    directory: options.directory,
    fileName: path.basename(downloadedPath),
    signal: options.signal,
    onProgress: options.onProgress,
    stallTimeoutMs,
    workerScript: options.workerScript,
  });
  if (result.kind !== "complete") await restorePartial(destination);
  switch (result.kind) {
    case "cancelled":
      return result;
    case "stalled": {
      // The watchdog cannot tell a stalled transfer from a server that went away; one more request can.
      const reachable = await probeUrl(options.url, { connectTimeoutMs: options.connectTimeoutMs }).then(
        () => true,
        () => false,
      );
      const progress = `${formatBytes(result.receivedBytes)} of ${formatBytes(result.totalBytes)}`;
      return reachable
        ? failed(
            "stalled",
            `no new data arrived for ${Math.round(stallTimeoutMs / 1000)} s (after ${progress}).`,
            resumeAdvice,
          )
        : failed("connectionDropped", `${host} stopped answering after ${progress}.`, resumeAdvice);
    }
    case "failed": {
      if (result.statusCode === 416) {
        await discardDownload(destination);
        return failed(
          "rangeNotSatisfiable",
          `${host} refused to resume the download (HTTP 416). The partial file was removed, so the next try starts over.`,
        );
      }
      if (result.statusCode === 404) return failed("notFound", `${host} has no file at ${options.url} (HTTP 404).`);
      if (result.statusCode !== undefined)
        return failed("httpStatus", `${host} answered HTTP ${result.statusCode} for ${options.url}.`);
      if (result.code !== undefined && diskFullCodes.has(result.code))
        return failed("diskFull", `the disk is full (${result.message}).`, diskFullAdvice);
      if (result.code !== undefined && fileErrorCodes.has(result.code))
        return failed("writeFailed", `writing to ${options.directory} failed (${result.message}).`);
      return failed("connectionDropped", `${result.message}.`, resumeAdvice);
    }
    case "complete":
      return installChecked(options, destination, downloadedPath, result.totalBytes);
  }
}

/**
 * ipull renames a stopped download to its finished name when its progress estimate reads 100%, which happens early
 * because it counts a short last chunk as a whole one. The file still holds ipull's resume record: renamed back, the
 * download resumes, and a file with holes never passes for a finished one.
 */
async function restorePartial(destination: string): Promise<void> {
  const partialPath = partialPathOf(destination);
  const downloadedPath = downloadedPathOf(destination);
  if (existsSync(downloadedPath) && !existsSync(partialPath)) await rename(downloadedPath, partialPath);
}

/**
 * `announcedBytes`: the file's length as the server announced it (Content-Length; 0 when it did not say), which the
 * downloader records when it starts and checks again on a resume, starting over when the file changed on the server.
 */
async function installChecked(
  options: ModelDownloadOptions,
  destination: string,
  downloadedPath: string,
  announcedBytes: number,
): Promise<ModelDownloadResult> {
  const reject = async (code: ModelDownloadFailureCode, problem: string): Promise<ModelDownloadResult> => {
    await rename(downloadedPath, rejectedPathOf(destination));
    return {
      kind: "failed",
      code,
      message: `${options.fileName} failed its check and was not installed: ${problem} It was moved aside to ${rejectedPathOf(destination)}.`,
    };
  };
  const fileBytes = (await stat(downloadedPath)).size;
  if (announcedBytes > 0 && fileBytes !== announcedBytes) {
    return reject("sizeMismatch", `it has ${fileBytes} bytes, the server announced ${announcedBytes}.`);
  }
  const approximate = options.approximateSizeBytes;
  if (approximate !== undefined && Math.abs(fileBytes - approximate) > approximate * approximateSizeTolerance) {
    return reject(
      "sizeMismatch",
      `it has ${fileBytes} bytes, far from the catalog's ${formatBytes(approximate)}: it is not the file the catalog means.`,
    );
  }
  if (options.sha256 !== undefined) {
    const actual = await digestOfFile(downloadedPath, "sha256", "hex");
    if (actual !== options.sha256.toLowerCase())
      return reject("sha256Mismatch", `its SHA-256 is ${actual}, the catalog expects ${options.sha256}.`);
  }
  const check = await checkGgufFile(downloadedPath, options.fileName);
  if (!check.ok) return reject(check.problem === "notGguf" ? "notGguf" : "damaged", check.message);
  await rm(destination, { force: true });
  await rename(downloadedPath, destination);
  return { kind: "installed", path: destination, summary: check.summary };
}
