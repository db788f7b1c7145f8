// One file through node-llama-cpp's downloader (createModelDownloader, built on ipull), run in a worker thread.
//
// Why a thread: on a dropped connection or a dead server ipull retries up to 150 times with back-off (about 12
// minutes) and has no option to stop sooner; ModelDownloader.cancel() does not end that retry loop, and download()
// stays pending until it does. Terminating the thread is the only way to end it, so the extension (and a test run)
// does not keep a loop of connection attempts alive in the background. A stall watchdog here stops a download whose
// furthest byte has not moved for stallTimeoutMs: ipull alone would keep retrying.
import { Worker } from "node:worker_threads";
import { type DownloadWorkerData, type ToDownloadWorker, isFromDownloadWorker } from "./downloadWorkerProtocol";

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
  /** Absolute path of the bundled thread, dist/models/downloadWorker.mjs. */
  workerScript: string;
}

/** ipull keeps its resume record inside the partial file, after the data. */
export function ipullPartialPathOf(file: string): string {
  return `${file}.ipull`;
}

/** How long a cancelled download may take to close its file before the thread is terminated anyway. */
const closeGraceMs = 5000;

export function downloadWithNodeLlamaCpp(options: LibraryDownloadOptions): Promise<LibraryDownloadResult> {
  return new Promise((resolve) => {
    const { url, directory, fileName } = options;
    const worker = new Worker(options.workerScript, {
      workerData: { url, directory, fileName } satisfies DownloadWorkerData,
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
      worker.postMessage("cancel" satisfies ToDownloadWorker);
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
      if (!isFromDownloadWorker(message)) return;
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
          finish(
            stopReason === undefined
              ? { kind: "failed", message: message.message, statusCode: message.statusCode, code: message.code }
              : stoppedResult(),
          );
          return;
      }
    });
    worker.on("error", (error) =>
      finish(stopReason === undefined ? { kind: "failed", message: error.message } : stoppedResult()),
    );
    worker.on("exit", () =>
      finish(
        stopReason === undefined
          ? { kind: "failed", message: "the download thread stopped unexpectedly" }
          : stoppedResult(),
      ),
    );
    if (options.signal?.aborted) stop("cancelled");
    else options.signal?.addEventListener("abort", onAbort);
  });
}
