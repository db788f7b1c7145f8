// Downloads a catalog model into the models folder and refuses to install a file that fails a check.
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { checkGgufFile, type GgufSummary } from "./ggufCheck";
import { type DownloadFailureCode, discardPartial, httpDownload, partialPathOf, sha256OfFile } from "./httpDownload";

export type ModelDownloadFailureCode = DownloadFailureCode | "sizeMismatch" | "sha256Mismatch" | "notGguf" | "damaged";

export type ModelDownloadResult =
  | { kind: "installed"; path: string; summary: GgufSummary }
  | { kind: "cancelled"; receivedBytes: number }
  | { kind: "failed"; code: ModelDownloadFailureCode; message: string };

export interface ModelDownloadOptions {
  url: string;
  directory: string;
  fileName: string;
  /** Exact byte count, when known; the announced length is always checked. */
  sizeBytes?: number;
  sha256?: string;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number) => void;
  stallTimeoutMs?: number;
  connectTimeoutMs?: number;
}

const offlineAdvice =
  "If this machine is offline, download the .gguf file on another one, copy it here and pick it with " +
  '"Llama Assist: Choose Models" → "Use a local GGUF file…".';

/** Where a file that failed a check is moved: never loaded, but kept for the user to inspect. */
export function rejectedPathOf(modelPath: string): string {
  return `${modelPath}.rejected`;
}

export async function downloadModel(options: ModelDownloadOptions): Promise<ModelDownloadResult> {
  const destination = path.join(options.directory, options.fileName);
  const result = await httpDownload({ ...options, destination });
  if (result.kind === "cancelled") return result;
  if (result.kind === "failed") {
    const resumable = result.code === "connectionDropped" || result.code === "stalled" || result.code === "diskFull";
    const advice =
      result.code === "offline"
        ? ` ${offlineAdvice}`
        : result.code === "diskFull"
          ? " Free some space, then download again: it resumes where it stopped."
          : resumable
            ? " Download again: it resumes where it stopped."
            : "";
    return { kind: "failed", code: result.code, message: `Downloading ${options.fileName} failed: ${result.message}${advice}` };
  }

  const partialPath = partialPathOf(destination);
  const reject = async (code: ModelDownloadFailureCode, problem: string): Promise<ModelDownloadResult> => {
    await rename(partialPath, rejectedPathOf(destination));
    await discardPartial(destination);
    return {
      kind: "failed",
      code,
      message: `${options.fileName} failed its check and was not installed: ${problem} It was moved aside to ${rejectedPathOf(destination)}.`,
    };
  };
  if (options.sizeBytes !== undefined && result.totalBytes !== options.sizeBytes) {
    return reject("sizeMismatch", `it has ${result.totalBytes} bytes, the catalog expects ${options.sizeBytes}.`);
  }
  if (options.sha256 !== undefined) {
    const actual = await sha256OfFile(partialPath);
    if (actual !== options.sha256.toLowerCase()) return reject("sha256Mismatch", `its SHA-256 is ${actual}, the catalog expects ${options.sha256}.`);
  }
  const check = await checkGgufFile(partialPath, options.fileName);
  if (!check.ok) return reject(check.problem === "notGguf" ? "notGguf" : "damaged", check.message);
  await rm(destination, { force: true });
  await rename(partialPath, destination);
  await discardPartial(destination);
  return { kind: "installed", path: destination, summary: check.summary };
}
