// One file through node-llama-cpp's downloader (createModelDownloader, built on ipull), run in a worker thread.
//
// Why a thread: on a dropped connection or a dead server ipull retries up to 150 times with back-off (about 12
// minutes) and has no option to stop sooner; ModelDownloader.cancel() does not end that retry loop, and download()
// stays pending until it does. Terminating the thread is the only way to end it, so the extension (and a test run)
// does not keep a loop of connection attempts alive in the background. A stall watchdog here stops a download whose
// furthest byte has not moved for stallTimeoutMs: ipull alone would keep retrying.
import { Worker } from "node:worker_threads";

export type LibraryDownloadResult =
  | { kind: "complete"; path: string; totalBytes: number }
  | { kind: "cancelled"; receivedBytes: number }
  | { kind: "stalled"; receivedBytes: number; totalBytes: number }
  | { kind: "failed"; message: string; statusCode?: number; code?: string };

export interface LibraryDownloadOptions {
  url: string;
  directory: string;
  /** The name the finished file gets in `directory`; while downloading it is `<fileName>.ipull`. */
  fileName: string;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number) => void;
  stallTimeoutMs: number;
}

type WorkerMessage =
  /** node-llama-cpp is loaded and asks the server about the file: from here on, silence means a stall. */
  | { type: "resolving" }
  | { type: "progress"; downloadedSize: number; totalSize: number }
  | { type: "complete"; path: string }
  | { type: "cancelled" }
  | { type: "failed"; message: string; statusCode?: number; code?: string };

/** ipull keeps its resume record inside the partial file, after the data. */
export function ipullPartialPathOf(file: string): string {
  return `${file}.ipull`;
}

/** How long a cancelled download may take to close its file before the thread is terminated anyway. */
const closeGraceMs = 5000;

// Plain JavaScript, run by the worker with `eval`: the extension is one CommonJS bundle and node-llama-cpp is an
// ES module outside it, so the thread imports it by its resolved path.
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { pathToFileURL } = require("node:url");
let downloader;
let cancelling = false;
function fail(error) {
  parentPort.postMessage({
    type: "failed",
    message: error instanceof Error ? error.message : String(error),
    statusCode: typeof error?.statusCode === "number" ? error.statusCode : undefined,
    code: typeof error?.code === "string" ? error.code : undefined,
  });
}
// ipull leaves a failed disk write (ENOSPC) as an unhandled rejection; in this thread it is the download's failure.
process.on("unhandledRejection", fail);
parentPort.on("message", () => {
  cancelling = true;
  if (downloader === undefined) parentPort.postMessage({ type: "cancelled" });
  else downloader.cancel().then(() => parentPort.postMessage({ type: "cancelled" }), fail);
});
async function main() {
  const { createModelDownloader } = await import(pathToFileURL(workerData.nodeLlamaCppEntry).href);
  parentPort.postMessage({ type: "resolving" });
  downloader = await createModelDownloader({
    modelUri: workerData.url,
    dirPath: workerData.directory,
    fileName: workerData.fileName,
    deleteTempFileOnCancel: false,
    skipExisting: true,
    onProgress: ({ downloadedSize, totalSize }) => parentPort.postMessage({ type: "progress", downloadedSize, totalSize }),
  });
  if (cancelling) return downloader.cancel().then(() => parentPort.postMessage({ type: "cancelled" }));
  await downloader.download();
  // download() also resolves after a cancel, with a path that does not exist.
  if (!cancelling) parentPort.postMessage({ type: "complete", path: downloader.entrypointFilePath });
}
main().catch(fail);
`;

function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== "object" || value === null || !("type" in value)) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "progress":
      return typeof message.downloadedSize === "number" && typeof message.totalSize === "number";
    case "complete":
      return typeof message.path === "string";
    case "resolving":
    case "cancelled":
      return true;
    case "failed":
      return typeof message.message === "string";
    default:
      return false;
  }
}

export function downloadWithNodeLlamaCpp(options: LibraryDownloadOptions): Promise<LibraryDownloadResult> {
  return new Promise((resolve) => {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { nodeLlamaCppEntry: require.resolve("node-llama-cpp"), url: options.url, directory: options.directory, fileName: options.fileName },
    });
    let receivedBytes = 0;
    let totalBytes = 0;
    let furthestBytes = -1;
    let stopReason: "cancelled" | "stalled" | undefined;
    let settled = false;
    let stallTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;

    const stoppedResult = (): LibraryDownloadResult =>
      stopReason === "stalled" ? { kind: "stalled", receivedBytes, totalBytes } : { kind: "cancelled", receivedBytes };
    const finish = (result: LibraryDownloadResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(stallTimer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener("abort", onAbort);
      // Only a stopped thread has stopped renaming and writing files, which the caller may touch next.
      void worker.terminate().finally(() => resolve(result));
    };
    const stop = (reason: "cancelled" | "stalled"): void => {
      if (stopReason !== undefined || settled) return;
      stopReason = reason;
      clearTimeout(stallTimer);
      worker.postMessage("cancel");
      graceTimer = setTimeout(() => finish(stoppedResult()), closeGraceMs);
    };
    const armStallTimer = (): void => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => stop("stalled"), options.stallTimeoutMs);
    };
    function onAbort(): void {
      stop("cancelled");
    }

    worker.on("message", (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      switch (message.type) {
        case "resolving":
          if (stopReason === undefined) armStallTimer();
          return;
        case "progress":
          receivedBytes = message.downloadedSize;
          totalBytes = message.totalSize;
          if (receivedBytes > furthestBytes && stopReason === undefined) {
            furthestBytes = receivedBytes;
            armStallTimer();
          }
          options.onProgress?.(receivedBytes, totalBytes);
          return;
        case "complete":
          finish({ kind: "complete", path: message.path, totalBytes });
          return;
        case "cancelled":
          finish(stoppedResult());
          return;
        case "failed":
          finish(stopReason === undefined ? { kind: "failed", message: message.message, statusCode: message.statusCode, code: message.code } : stoppedResult());
          return;
      }
    });
    worker.on("error", (error) => finish(stopReason === undefined ? { kind: "failed", message: error.message } : stoppedResult()));
    worker.on("exit", () => finish(stopReason === undefined ? { kind: "failed", message: "the download thread stopped unexpectedly" } : stoppedResult()));
    if (options.signal?.aborted) stop("cancelled");
    else options.signal?.addEventListener("abort", onAbort);
  });
}
