// Messages between nodeLlamaCppDownload.ts and the thread that runs one download (downloadWorker.ts).

/** Given to the thread when it starts. */
export interface DownloadWorkerData {
  url: string;
  directory: string;
  fileName: string;
}

/** The one message the thread is sent: stop the download, keeping its partial file. */
export type ToDownloadWorker = "cancel";

export type FromDownloadWorker =
  /** node-llama-cpp is loaded and asks the server about the file: from here on, silence means a stall. */
  | { type: "resolving" }
  | { type: "progress"; downloadedSize: number; totalSize: number }
  | { type: "complete"; path: string }
  | { type: "cancelled" }
  | { type: "failed"; message: string; statusCode?: number; code?: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isDownloadWorkerData(value: unknown): value is DownloadWorkerData {
  if (!isRecord(value)) return false;
  return typeof value.url === "string" && typeof value.directory === "string" && typeof value.fileName === "string";
}

export function isFromDownloadWorker(value: unknown): value is FromDownloadWorker {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case "progress":
      return typeof value.downloadedSize === "number" && typeof value.totalSize === "number";
    case "complete":
      return typeof value.path === "string";
    case "resolving":
    case "cancelled":
      return true;
    case "failed":
      return typeof value.message === "string";
    default:
      return false;
  }
}
