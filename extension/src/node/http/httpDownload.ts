// Resumable HTTP(S) download of one file into `<destination>.partial`. The caller verifies the finished partial file
// and renames it. A cancelled or failed download keeps its bytes; the next call resumes them with a Range request.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HttpFailure, type HttpResponse, sendRequest } from "./httpClient";

export type DownloadFailureCode =
  | "offline"
  | "notFound"
  | "httpStatus"
  | "rangeNotSatisfiable"
  | "connectionDropped"
  | "stalled"
  | "diskFull"
  | "writeFailed";

export type HttpDownloadResult =
  | { kind: "complete"; partialPath: string; totalBytes: number }
  | { kind: "cancelled"; receivedBytes: number }
  | { kind: "failed"; code: DownloadFailureCode; message: string };

export interface HttpDownloadOptions {
  url: string;
  destination: string;
  signal?: AbortSignal;
  onProgress?: (receivedBytes: number, totalBytes: number) => void;
  /** Give up when no byte arrives for this long; the partial file is kept for a later resume. */
  stallTimeoutMs?: number;
  /** Give up when the server does not answer for this long: an offline machine should hear so quickly. */
  connectTimeoutMs?: number;
  headers?: Readonly<Record<string, string>>;
}

/** What a partial file was downloading, so a resume never appends one file's bytes to another's. */
interface PartialRecord {
  url: string;
  totalBytes: number;
  etag?: string;
}

const maxRedirects = 5;
const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "ECONNABORTED",
]);
const diskFullCodes = new Set(["ENOSPC", "EDQUOT"]);
const fileErrorCodes = new Set(["EACCES", "EPERM", "EROFS", "EIO", "EISDIR", "ENOENT", "EMFILE", "ENFILE", "EBUSY"]);

function partialPathOf(destination: string): string {
  return `${destination}.partial`;
}

function recordPathOf(destination: string): string {
  return `${destination}.partial.json`;
}

/** Removes a download's partial file and its record. */
export async function discardPartial(destination: string): Promise<void> {
  await rm(partialPathOf(destination), { force: true });
  await rm(recordPathOf(destination), { force: true });
}

async function readRecord(destination: string, url: string): Promise<PartialRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(recordPathOf(destination), "utf8")) as Partial<PartialRecord>;
    if (record.url === url && typeof record.totalBytes === "number") return record as PartialRecord;
  } catch {
    // No record, or an unreadable one: the partial file cannot be trusted and the download starts over.
  }
  return undefined;
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.size ?? 0;
}

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadFailureCode,
    message: string,
  ) {
    super(message);
  }
}

/** Sends a request through the HTTP client, following redirects; a failure without an answer becomes a DownloadError. */
async function request(
  url: URL,
  headers: Record<string, string>,
  options: Pick<HttpDownloadOptions, "signal" | "connectTimeoutMs">,
  method: "GET" | "HEAD" = "GET",
): Promise<HttpResponse> {
  // The connect timeout ends with the answer; the body has its own stall watchdog.
  const timeoutMs = options.connectTimeoutMs ?? 15000;
  const { signal } = options;
  try {
    return await sendRequest({
      url,
      method,
      headers,
      signal,
      connectTimeoutMs: timeoutMs,
      firstByteTimeoutMs: timeoutMs,
      maxRedirects,
    });
  } catch (error) {
    if (!(error instanceof HttpFailure) || options.signal?.aborted) throw error;
    const host = error.url.host;
    if (error.reason === "tooManyRedirects")
      throw new DownloadError("httpStatus", `${host} redirected more than ${maxRedirects} times.`);
    const code = error.reason === "network" ? (error.networkError?.code ?? "") : "ETIMEDOUT";
    throw unreachableCodes.has(code)
      ? new DownloadError("offline", `Cannot reach ${host} (${code}).`)
      : new DownloadError("connectionDropped", `The connection to ${host} failed (${error.message}).`);
  }
}

export async function httpDownload(options: HttpDownloadOptions): Promise<HttpDownloadResult> {
  const { destination, url } = options;
  const partialPath = partialPathOf(destination);
  await mkdir(path.dirname(destination), { recursive: true });
  const record = await readRecord(destination, url);
  let resumeFrom = record === undefined ? 0 : await sizeOf(partialPath);
  if (record === undefined) await discardPartial(destination);
  if (record !== undefined && resumeFrom === record.totalBytes)
    return { kind: "complete", partialPath, totalBytes: record.totalBytes };

  const headers: Record<string, string> = { "user-agent": "llama-assist", ...options.headers };
  if (resumeFrom > 0) {
    headers.range = `bytes=${resumeFrom}-`;
    if (record?.etag !== undefined) headers["if-range"] = record.etag;
  }

  let received = resumeFrom;
  let stalled = false;
  let stallTimer: NodeJS.Timeout | undefined;
  try {
    const response = await request(new URL(url), headers, options);
    const message = response.body;
    const host = response.url.host;
    const status = response.status;
    if (status === 404) {
      message.resume();
      throw new DownloadError("notFound", `${host} has no file at ${url} (HTTP 404).`);
    }
    if (status === 416) {
      message.resume();
      await discardPartial(destination);
      throw new DownloadError(
        "rangeNotSatisfiable",
        `${host} refused to resume the download (HTTP 416); the partial file was removed, so the next try starts over.`,
      );
    }
    if (status !== 200 && status !== 206) {
      message.resume();
      throw new DownloadError("httpStatus", `${host} answered HTTP ${status} for ${url}.`);
    }
    let totalBytes: number;
    if (status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+)$/.exec(message.headers["content-range"] ?? "");
      if (range === null || Number(range[1]) !== resumeFrom) {
        message.resume();
        await discardPartial(destination);
        throw new DownloadError(
          "httpStatus",
          `${host} answered the resume with the wrong range; the partial file was removed, so the next try starts over.`,
        );
      }
      totalBytes = Number(range[2]);
    } else {
      // The server sent the whole file (no Range support, or the file changed): start over.
      resumeFrom = 0;
      received = 0;
      totalBytes = Number(message.headers["content-length"] ?? Number.NaN);
    }
    if (!Number.isSafeInteger(totalBytes)) {
      message.resume();
      throw new DownloadError("httpStatus", `${host} did not say how long the file is.`);
    }
    const etag = message.headers.etag;
    await writeFile(
      recordPathOf(destination),
      JSON.stringify({ url, totalBytes, ...(etag === undefined ? {} : { etag }) } satisfies PartialRecord),
    );

    const restartStallTimer = (): void => {
      clearTimeout(stallTimer);
      stallTimer = setTimeout(() => {
        stalled = true;
        message.destroy(new Error("stalled"));
      }, options.stallTimeoutMs ?? 30000);
    };
    restartStallTimer();
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        restartStallTimer();
        options.onProgress?.(received, totalBytes);
        callback(null, chunk);
      },
    });
    options.onProgress?.(received, totalBytes);
    await pipeline(message, counter, createWriteStream(partialPath, { flags: resumeFrom > 0 ? "a" : "w" }), {
      signal: options.signal,
    });
    if (received < totalBytes) {
      throw new DownloadError("connectionDropped", `${host} ended the file after ${received} of ${totalBytes} bytes.`);
    }
    if (received > totalBytes) {
      await discardPartial(destination);
      throw new DownloadError(
        "httpStatus",
        `${host} sent ${received} bytes for a ${totalBytes}-byte file; the partial file was removed.`,
      );
    }
    return { kind: "complete", partialPath, totalBytes };
  } catch (error) {
    if (options.signal?.aborted) return { kind: "cancelled", receivedBytes: received };
    if (error instanceof DownloadError) return { kind: "failed", code: error.code, message: error.message };
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (diskFullCodes.has(code))
      return {
        kind: "failed",
        code: "diskFull",
        message: `The disk is full after ${received} bytes of ${path.basename(destination)}.`,
      };
    if (stalled)
      return {
        kind: "failed",
        code: "stalled",
        message: `No data arrived for ${Math.round((options.stallTimeoutMs ?? 30000) / 1000)} s.`,
      };
    if (fileErrorCodes.has(code)) {
      return {
        kind: "failed",
        code: "writeFailed",
        message: `Writing ${partialPath} failed (${(error as Error).message}).`,
      };
    }
    return {
      kind: "failed",
      code: "connectionDropped",
      message: `The connection dropped after ${received} bytes (${(error as Error).message}).`,
    };
  } finally {
    clearTimeout(stallTimer);
  }
}

/** GETs a small JSON document (registry metadata), following redirects; unreachable hosts fail as "offline". */
export async function fetchJson(
  url: string,
  options: Pick<HttpDownloadOptions, "signal" | "connectTimeoutMs"> = {},
): Promise<unknown> {
  const response = await request(new URL(url), { accept: "application/json", "user-agent": "llama-assist" }, options);
  const finalUrl = response.url;
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  const status = response.status;
  if (status === 404) throw new DownloadError("notFound", `${finalUrl.host} has nothing at ${url} (HTTP 404).`);
  if (status !== 200) throw new DownloadError("httpStatus", `${finalUrl.host} answered HTTP ${status} for ${url}.`);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new DownloadError("httpStatus", `${finalUrl.host} sent something that is not JSON for ${url}.`);
  }
}

export interface UrlProbe {
  status: number;
  /** The host that answered, after redirects. */
  host: string;
}

/** A HEAD request that follows redirects: whether a file is there, answered within the connect timeout. */
export async function probeUrl(
  url: string,
  options: Pick<HttpDownloadOptions, "signal" | "connectTimeoutMs"> = {},
): Promise<UrlProbe> {
  const response = await request(new URL(url), { "user-agent": "llama-assist" }, options, "HEAD");
  response.body.resume();
  return { status: response.status, host: response.url.host };
}

export async function digestOfFile(file: string, algorithm: string, encoding: "hex" | "base64"): Promise<string> {
  const hash = createHash(algorithm);
  await pipeline(createReadStream(file), hash);
  return hash.digest(encoding);
}
