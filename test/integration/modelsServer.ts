// A local HTTP file server for the download tests: 127.0.0.1 only, with Range support and scripted misbehaviour.
// Misbehaviour applies to Range requests only: node-llama-cpp's downloader fetches every byte with them, and its first
// whole-file GET only reads the headers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Misbehaviour =
  /** Serves every byte. */
  | { kind: "none" }
  /** Answers 404 for every path. */
  | { kind: "notFound" }
  /** Announces the full length of each response, sends `bytes` of it, then ends the response cleanly. */
  | { kind: "truncate"; bytes: number }
  /** Once `responses` answers are complete, destroys the sockets and closes the server: it dies mid-transfer. */
  | { kind: "die"; responses: number }
  /** Sends `bytes` bytes of each response, then nothing more while keeping the connection open. */
  | { kind: "stall"; bytes: number }
  /** Answers 416 to every Range request. */
  | { kind: "rangeNotSatisfiable" };

export interface ServedFile {
  body: Buffer;
  /** Delay between 64 KiB chunks, so a test can cancel mid-transfer. */
  chunkDelayMs: number;
}

export interface FileServer {
  url(pathName: string): string;
  /** Range requests seen, as "start-" or "full", in order. */
  readonly requests: string[];
  /** Bytes of file data sent in answer to Range requests. */
  readonly rangeBytesSent: number;
  misbehaviour: Misbehaviour;
  close(): Promise<void>;
}

const chunkBytes = 64 * 1024;

export async function startFileServer(files: ReadonlyMap<string, ServedFile>): Promise<FileServer> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let closed = false;
  let rangeBytesSent = 0;
  let rangeResponsesCompleted = 0;
  const server: Server = createServer((request, response) => void serve(request, response));
  const state: FileServer = {
    url: (pathName) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${pathName}`,
    requests,
    get rangeBytesSent() {
      return rangeBytesSent;
    },
    misbehaviour: { kind: "none" },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const file = files.get(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
    if (file === undefined || state.misbehaviour.kind === "notFound") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const size = file.body.length;
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    let start = 0;
    let end = size - 1;
    if (range !== null) {
      start = Number(range[1]);
      if (range[2] !== "") end = Math.min(Number(range[2]), size - 1);
      if (start >= size || start > end || state.misbehaviour.kind === "rangeNotSatisfiable") {
        response.writeHead(416, { "content-range": `bytes */${size}` }).end();
        return;
      }
    }
    if (request.method !== "HEAD") requests.push(range === null ? "full" : `${start}-`);
    const headers = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
      "content-length": String(end - start + 1),
      ...(range === null ? {} : { "content-range": `bytes ${start}-${end}/${size}` }),
    };
    response.writeHead(range === null ? 200 : 206, headers);
    if (request.method === "HEAD") {
      response.end();
      return;
    }
    const misbehaviour = range === null ? { kind: "none" as const } : state.misbehaviour;
    let sent = 0;
    for (let offset = start; offset <= end; offset += chunkBytes) {
      if (response.destroyed) return;
      const chunk = file.body.subarray(offset, Math.min(offset + chunkBytes, end + 1));
      if (misbehaviour.kind === "die" && rangeResponsesCompleted >= misbehaviour.responses) {
        await state.close();
        return;
      }
      const allowed =
        misbehaviour.kind === "truncate" || misbehaviour.kind === "stall" ? misbehaviour.bytes - sent : chunk.length;
      if (chunk.length > allowed) {
        const part = chunk.subarray(0, Math.max(0, allowed));
        response.write(part);
        rangeBytesSent += part.length;
        if (misbehaviour.kind === "truncate") response.socket?.end();
        // "stall": leave the response open; close() destroys the socket.
        return;
      }
      if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
      sent += chunk.length;
      if (range !== null) rangeBytesSent += chunk.length;
      if (file.chunkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, file.chunkDelayMs));
    }
    // Counted once the last bytes are handed to the operating system, which still delivers them if the server dies.
    response.end(() => {
      if (range !== null) rangeResponsesCompleted++;
    });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return state;
}
