// One HTTP exchange with a remote inference server, through node:http / node:https: those honour custom CA
// certificates and the system-certificate support VS Code patches into the https module, which fetch does not.
// The body streams to the caller; an AbortSignal destroys the socket, so the server sees the client go away and frees
// its slot.
import http from "node:http";
import https from "node:https";
import { TLSSocket, rootCertificates } from "node:tls";
import { HostRequestError, cancelledError } from "../../core/protocol/backend";
import { type FailedRequest, httpStatusError, networkError } from "../../core/remote/remoteErrors";

export interface TransportOptions {
  baseUrl: URL;
  /** "llama-server at http://127.0.0.1:8080": the name every message uses. */
  serverName: string;
  /** PEM texts trusted in addition to Node's roots (and the system's, where VS Code adds them). */
  extraCaCertificates: readonly string[];
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
}

export interface Exchange {
  method: "GET" | "POST";
  /** From the server root, e.g. "/v1/completions". */
  path: string;
  body?: unknown;
  apiKey: string | undefined;
  model: string;
  signal?: AbortSignal;
  /** Receives the body as it arrives; a throw (a malformed stream) ends the exchange with that error. */
  onData: (chunk: Buffer) => void;
}

/** Retries of a 429 answer, and the waits when the server sends no Retry-After. */
const rateLimitRetryWaitsMs = [1000, 3000];
/** A Retry-After longer than this is not waited out: the user is typing, a completion that late is useless. */
const maxRetryAfterMs = 20_000;
const maxErrorBodyBytes = 64 * 1024;


export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly secure: boolean;

  constructor(private readonly options: TransportOptions) {
    this.secure = options.baseUrl.protocol === "https:";
    // Keep-alive spares a TCP (and TLS) handshake per keystroke.
    this.agent = this.secure
      ? new https.Agent({
          keepAlive: true,
          ...(options.extraCaCertificates.length > 0 ? { ca: [...rootCertificates, ...options.extraCaCertificates] } : {}),
        })
      : new http.Agent({ keepAlive: true });
  }

  get serverName(): string {
    return this.options.serverName;
  }

  /** Runs the exchange, retrying a 429 twice (after Retry-After when the server gives one). */
  async run(exchange: Exchange): Promise<void> {
    let staleSocketRetried = false;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once(exchange);
      if (outcome.kind === "done") return;
      if (outcome.kind === "staleSocket") {
        if (staleSocketRetried) throw networkError(this.describe(exchange), outcome.error);
        staleSocketRetried = true;
        attempt--;
        continue;
      }
      const failed = this.describe(exchange);
      if (outcome.status !== 429 || attempt >= rateLimitRetryWaitsMs.length) throw httpStatusError(failed, outcome.status, outcome.body);
      const waitMs = retryAfterMs(outcome.retryAfter) ?? rateLimitRetryWaitsMs[attempt];
      if (waitMs > maxRetryAfterMs) throw httpStatusError(failed, outcome.status, outcome.body);
      await abortableDelay(waitMs, exchange.signal);
    }
  }

  /** Closes idle kept-alive connections. */
  dispose(): void {
    this.agent.destroy();
  }

  private describe(exchange: Exchange): FailedRequest {
    return { server: this.options.serverName, path: exchange.path, model: exchange.model, hadApiKey: exchange.apiKey !== undefined };
  }

  private once(
    exchange: Exchange,
  ): Promise<{ kind: "done" } | { kind: "status"; status: number; body: string; retryAfter: string | undefined } | { kind: "staleSocket"; error: NodeJS.ErrnoException }> {
    const { signal } = exchange;
    if (signal?.aborted) return Promise.reject(cancelledError());
    const url = new URL(joinPath(this.options.baseUrl.pathname, exchange.path), this.options.baseUrl);
    const payload = exchange.body === undefined ? undefined : Buffer.from(JSON.stringify(exchange.body), "utf8");
    const headers: http.OutgoingHttpHeaders = { accept: "text/event-stream, application/x-ndjson, application/json" };
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    if (exchange.apiKey !== undefined) headers.authorization = `Bearer ${exchange.apiKey}`;

    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (action: () => void): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        action();
      };
      const fail = (error: HostRequestError): void => {
        finish(() => reject(error));
        request.destroy();
      };
      const startTimer = (ms: number, message: string): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(() => fail(new HostRequestError("timeout", message)), ms);
      };
      const onAbort = (): void => fail(cancelledError());

      const request = (this.secure ? https : http).request(url, { method: exchange.method, headers, agent: this.agent });
      signal?.addEventListener("abort", onAbort, { once: true });
      startTimer(this.options.connectTimeoutMs, `${this.options.serverName} did not accept the connection within ${this.options.connectTimeoutMs} ms.`);
      request.on("socket", (socket) => {
        const connected = (): void =>
          startTimer(this.options.firstByteTimeoutMs, `${this.options.serverName} did not start answering ${exchange.path} within ${this.options.firstByteTimeoutMs} ms.`);
        // A kept-alive socket is connected already; a new one is ready for the request after its (TLS) handshake.
        if (request.reusedSocket) connected();
        else if (socket instanceof TLSSocket) socket.once("secureConnect", connected);
        else if (socket.connecting) socket.once("connect", connected);
        else connected();
      });
      let answered = false;
      request.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive connection that the server closed while idle (llama-server after 5 s) fails on reuse before
        // any answer; Node's documentation advises sending the request again on a new connection.
        if (request.reusedSocket && !answered && error.code === "ECONNRESET") {
          finish(() => resolve({ kind: "staleSocket", error }));
          return;
        }
        fail(networkError(this.describe(exchange), error));
      });
      request.on("response", (response) => {
        answered = true;
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        const status = response.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          const parts: Buffer[] = [];
          let size = 0;
          response.on("data", (chunk: Buffer) => {
            if (size < maxErrorBodyBytes) parts.push(chunk);
            size += chunk.length;
          });
          response.on("end", () => {
            const retryAfter = response.headers["retry-after"];
            finish(() => resolve({ kind: "status", status, body: Buffer.concat(parts).toString("utf8"), retryAfter }));
          });
          response.on("error", (error: NodeJS.ErrnoException) => fail(networkError(this.describe(exchange), error)));
          return;
        }
        response.on("data", (chunk: Buffer) => {
          if (settled) return;
          try {
            exchange.onData(chunk);
          } catch (error) {
            fail(error instanceof HostRequestError ? error : new HostRequestError("internal", String(error)));
          }
        });
        response.on("end", () => finish(() => resolve({ kind: "done" })));
        response.on("error", (error: NodeJS.ErrnoException) => fail(networkError(this.describe(exchange), error)));
        response.on("close", () => {
          if (!response.complete) fail(new HostRequestError("serverError", `${this.options.serverName} closed the connection in the middle of the answer.`));
        });
      });
      request.end(payload);
    });
  }
}

/** "/v1" + "/v1/models" is "/v1/models": users paste OpenAI base URLs with and without the /v1. */
export function joinPath(basePath: string, path: string): string {
  const base = basePath.replace(/\/+$/, "");
  if (base.endsWith("/v1") && path.startsWith("/v1/")) return `${base}${path.slice(3)}`;
  return `${base}${path}`;
}

/** Retry-After in delta-seconds or as an HTTP date. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
