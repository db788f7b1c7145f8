// The thread that runs one download through node-llama-cpp's downloader; nodeLlamaCppDownload.ts says why a thread.
// It is bundled on its own as an ES module (dist/models/downloadWorker.mjs): node-llama-cpp is an ES module only, kept
// outside the bundles, and from dist/ an import of it by name finds the extension's node_modules.
import { parentPort, workerData } from "node:worker_threads";
import type { ModelDownloader } from "node-llama-cpp";
import { type FromDownloadWorker, isDownloadWorkerData } from "./downloadWorkerProtocol";

const port = parentPort;
let downloader: ModelDownloader | undefined;
let cancelling = false;

function post(message: FromDownloadWorker): void {
  port?.postMessage(message);
}

function fail(error: unknown): void {
  const fields: { statusCode?: unknown; code?: unknown } = typeof error === "object" && error !== null ? error : {};
  post({
    type: "failed",
    message: error instanceof Error ? error.message : String(error),
    statusCode: typeof fields.statusCode === "number" ? fields.statusCode : undefined,
    code: typeof fields.code === "string" ? fields.code : undefined,
  });
}

// ipull leaves a failed disk write (ENOSPC) as an unhandled rejection; in this thread it is the download's failure.
process.on("unhandledRejection", fail);
port?.on("message", () => {
  cancelling = true;
  if (downloader === undefined) post({ type: "cancelled" });
  else downloader.cancel().then(() => post({ type: "cancelled" }), fail);
});

async function main(): Promise<void> {
  if (!isDownloadWorkerData(workerData)) throw new Error("the download thread started without its settings");
  const { url, directory, fileName } = workerData;
  // Imported here rather than at the top, so that a cancel during the import is heard and a library that does not
  // load fails the download.
  const { createModelDownloader } = await import("node-llama-cpp");
  post({ type: "resolving" });
  const started = await createModelDownloader({
    modelUri: url,
    dirPath: directory,
    fileName,
    deleteTempFileOnCancel: false,
    skipExisting: true,
    onProgress: ({ downloadedSize, totalSize }) => post({ type: "progress", downloadedSize, totalSize }),
  });
  downloader = started;
  if (cancelling) {
    await started.cancel();
    post({ type: "cancelled" });
    return;
  }
  await started.download();
  // download() also resolves after a cancel, with a path that does not exist.
  if (!cancelling) post({ type: "complete", path: started.entrypointFilePath });
}

main().catch(fail);
