// A local HTTP file server for the download tests: 127.0.0.1 only, with Range support and scripted misbehaviour.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Misbehaviour =
  /** Serves every byte. */
  | { kind: "none" }
  /** Answers 404 for every path. */
  | { kind: "notFound" }
  /** Announces the full length, sends `bytes` of it, then ends the response cleanly. */
  | { kind: "truncate"; bytes: number }
  /** Sends `bytes` bytes, then destroys the socket and closes the server: the server dies mid-transfer. */
  | { kind: "die"; bytes: number }
  /** Sends `bytes` bytes, then nothing more while keeping the connection open. */
  | { kind: "stall"; bytes: number };

export interface ServedFile {
  body: Buffer;
  /** Delay between 64 KiB chunks, so a test can cancel mid-transfer. */
  chunkDelayMs: number;
}

export interface FileServer {
  url(pathName: string): string;
  /** Range requests seen, as "start-" or "full", in order. */
  readonly requests: string[];
  misbehaviour: Misbehaviour;
  close(): Promise<void>;
}

const chunkBytes = 64 * 1024;

export async function startFileServer(files: ReadonlyMap<string, ServedFile>): Promise<FileServer> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let closed = false;
  const server: Server = createServer((request, response) => void serve(request, response));
  const state: FileServer = {
    url: (pathName) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${pathName}`,
    requests,
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
      if (start >= size || start > end) {
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
    const misbehaviour = state.misbehaviour;
    let sent = 0;
    for (let offset = start; offset <= end; offset += chunkBytes) {
      if (response.destroyed) return;
      const chunk = file.body.subarray(offset, Math.min(offset + chunkBytes, end + 1));
      if (misbehaviour.kind !== "none" && sent + chunk.length > misbehaviour.bytes) {
        response.write(chunk.subarray(0, Math.max(0, misbehaviour.bytes - sent)));
        if (misbehaviour.kind === "truncate") response.socket?.end();
        if (misbehaviour.kind === "die") await state.close();
        // "stall": leave the response open; close() destroys the socket.
        return;
      }
      if (!response.write(chunk)) await new Promise((resolve) => response.once("drain", resolve));
      sent += chunk.length;
      if (file.chunkDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, file.chunkDelayMs));
    }
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return state;
}
