// A 127.0.0.1 (or given address) HTTP(S) server whose answers a test scripts, and which records what the client sent: the stand-in for
// Ollama and vLLM, which do not run here. Bodies go out in small pieces, so the client's decoders meet chunk
// boundaries in the middle of lines.
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const transcriptsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "transcripts");

export function transcript(name: string): string {
  return readFileSync(path.join(transcriptsDir, name), "utf8");
}

/** This machine's first non-loopback IPv4 address: a server there counts as "not on this machine". */
export function offLoopbackAddress(): string {
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? []) if (address.family === "IPv4" && !address.internal) return address.address;
  throw new Error("This test needs a network interface with a non-loopback IPv4 address (none is up).");
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export type Handler = (request: RecordedRequest, response: http.ServerResponse) => void;

export class ScriptedServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests whose connection the client closed before the answer ended. */
  clientClosedEarly = 0;
  private handler: Handler = (_request, response) => response.writeHead(500).end("no handler");

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  /** `address` is where it listens: 127.0.0.1 unless a test needs a server that is not on loopback. */
  static async start(tls?: { key: string; cert: string }, address = "127.0.0.1"): Promise<ScriptedServer> {
    let scripted: ScriptedServer | undefined;
    const listener = (request: http.IncomingMessage, response: http.ServerResponse): void => {
      if (scripted !== undefined) scripted.onRequest(request, response);
    };
    const server = tls === undefined ? http.createServer(listener) : https.createServer(tls, listener);
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    const { port } = server.address() as AddressInfo;
    scripted = new ScriptedServer(server, `${tls === undefined ? "http" : "https"}://${address}:${port}`);
    return scripted;
  }

  respondWith(handler: Handler): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    const parts: Buffer[] = [];
    request.on("data", (chunk: Buffer) => parts.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(parts).toString("utf8");
      const recorded: RecordedRequest = {
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        body: text === "" ? undefined : JSON.parse(text),
      };
      this.requests.push(recorded);
      response.on("close", () => {
        if (!response.writableFinished) this.clientClosedEarly++;
      });
      this.handler(recorded, response);
    });
  }
}

/** Sends `body` with status 200 in pieces of `pieceBytes`, one per event-loop turn. */
export function streamInPieces(response: http.ServerResponse, contentType: string, body: string, pieceBytes = 7): void {
  response.writeHead(200, { "content-type": contentType });
  const bytes = Buffer.from(body, "utf8");
  let offset = 0;
  const next = (): void => {
    if (response.destroyed) return;
    if (offset >= bytes.length) {
      response.end();
      return;
    }
    response.write(bytes.subarray(offset, offset + pieceBytes));
    offset += pieceBytes;
    setImmediate(next);
  };
  next();
}

export function json(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  response
    .writeHead(status, { "content-type": "application/json", ...headers })
    .end(typeof body === "string" ? body : JSON.stringify(body));
}

/**
 * Passes a recorded request on to a real server at `targetUrl` and streams its answer back: a ScriptedServer in front
 * of llama-server then records which requests the client made, or stands in for chosen paths only.
 */
export async function forwardTo(
  targetUrl: string,
  request: RecordedRequest,
  response: http.ServerResponse,
): Promise<void> {
  const answer = await fetch(`${targetUrl}${request.path}`, {
    method: request.method,
    headers: request.body === undefined ? {} : { "content-type": "application/json" },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  response.writeHead(answer.status, {
    "content-type": answer.headers.get("content-type") ?? "application/octet-stream",
  });
  const reader = answer.body?.getReader();
  if (reader !== undefined)
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) response.write(chunk.value);
  response.end();
}
