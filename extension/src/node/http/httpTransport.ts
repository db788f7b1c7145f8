// One HTTP exchange with a remote inference server, through the extension's HTTP client. The body streams to the
// caller; an AbortSignal destroys the socket, so the server sees the client go away and frees its slot.
import type http from "node:http";
import { HostRequestError, cancelledError } from "../../core/protocol/backend";
import { type FailedRequest, httpStatusError, networkError } from "../../core/remote/remoteErrors";
import { type JsonObject, parseJsonObject } from "../../core/remote/streams";
import { HttpFailure, type HttpResponse, keepAliveAgent, sendRequest } from "./httpClient";

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

type Outcome =
  | { kind: "done" }
  | { kind: "status"; status: number; body: string; retryAfter: string | undefined }
  | { kind: "staleSocket"; error: NodeJS.ErrnoException };

/** Retries of a 429 answer, and the waits when the server sends no Retry-After. */
const rateLimitRetryWaitsMs = [1000, 3000];
/** A Retry-After longer than this is not waited out: the user is typing, a completion that late is useless. */
const maxRetryAfterMs = 20_000;
const maxErrorBodyBytes = 64 * 1024;

export class HttpTransport {
  private readonly agent: http.Agent;

  constructor(private readonly options: TransportOptions) {
    // Keep-alive spares a TCP (and TLS) handshake per keystroke.
    this.agent = keepAliveAgent({
      secure: options.baseUrl.protocol === "https:",
      extraCaCertificates: options.extraCaCertificates,
    });
  }

  get serverName(): string {
    return this.options.serverName;
  }

  /** Runs the exchange and reads its whole body as one JSON object. */
  async requestJson(exchange: Omit<Exchange, "onData">): Promise<JsonObject> {
    const parts: Buffer[] = [];
    await this.run({ ...exchange, onData: (chunk) => parts.push(chunk) });
    try {
      return parseJsonObject(Buffer.concat(parts).toString("utf8"));
    } catch (error) {
      throw this.malformed(exchange.path, error);
    }
  }

  malformed(path: string, error: unknown): HostRequestError {
    const detail = error instanceof Error ? error.message : String(error);
    return new HostRequestError(
      "malformedResponse",
      `${this.serverName} sent a malformed answer to ${path}: ${detail}`,
    );
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
      if (outcome.status !== 429 || attempt >= rateLimitRetryWaitsMs.length)
        throw httpStatusError(failed, outcome.status, outcome.body);
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
    return {
      server: this.options.serverName,
      path: exchange.path,
      model: exchange.model,
      hadApiKey: exchange.apiKey !== undefined,
    };
  }

  private async once(exchange: Exchange): Promise<Outcome> {
    const { connectTimeoutMs, firstByteTimeoutMs, serverName } = this.options;
    const url = new URL(joinPath(this.options.baseUrl.pathname, exchange.path), this.options.baseUrl);
    const payload = exchange.body === undefined ? undefined : Buffer.from(JSON.stringify(exchange.body), "utf8");
    const headers: http.OutgoingHttpHeaders = { accept: "text/event-stream, application/x-ndjson, application/json" };
    if (payload !== undefined) {
      headers["content-type"] = "application/json";
      headers["content-length"] = payload.length;
    }
    if (exchange.apiKey !== undefined) headers.authorization = `Bearer ${exchange.apiKey}`;

    let response: HttpResponse;
    try {
      const { method, signal } = exchange;
      response = await sendRequest({
        url,
        method,
        headers,
        body: payload,
        agent: this.agent,
        signal,
        connectTimeoutMs,
        firstByteTimeoutMs,
      });
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      switch (error.reason) {
        case "aborted":
          throw cancelledError();
        case "connectTimeout":
          throw new HostRequestError(
            "timeout",
            `${serverName} did not accept the connection within ${connectTimeoutMs} ms.`,
          );
        case "firstByteTimeout":
          throw new HostRequestError(
            "timeout",
            `${serverName} did not start answering ${exchange.path} within ${firstByteTimeoutMs} ms.`,
          );
        default: {
          const cause: NodeJS.ErrnoException = error.networkError ?? error;
          // A kept-alive connection that the server closed while idle (llama-server after 5 s) fails on reuse before
          // any answer; Node's documentation advises sending the request again on a new connection.
          if (error.onReusedSocket && cause.code === "ECONNRESET") return { kind: "staleSocket", error: cause };
          throw networkError(this.describe(exchange), cause);
        }
      }
    }
    return this.receive(exchange, response);
  }

  private receive(exchange: Exchange, response: HttpResponse): Promise<Outcome> {
    const { signal } = exchange;
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (action: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        action();
      };
      const fail = (error: HostRequestError): void => {
        finish(() => reject(error));
        response.destroy();
      };
      const onAbort = (): void => fail(cancelledError());
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      response.onConnectionError((error) => fail(networkError(this.describe(exchange), error)));

      const { body, status } = response;
      if (status < 200 || status >= 300) {
        const parts: Buffer[] = [];
        let size = 0;
        body.on("data", (chunk: Buffer) => {
          if (size < maxErrorBodyBytes) parts.push(chunk);
          size += chunk.length;
        });
        body.on("end", () => {
          const retryAfter = response.headers["retry-after"];
          finish(() => resolve({ kind: "status", status, body: Buffer.concat(parts).toString("utf8"), retryAfter }));
        });
        body.on("error", (error: NodeJS.ErrnoException) => fail(networkError(this.describe(exchange), error)));
        return;
      }
      body.on("data", (chunk: Buffer) => {
        if (settled) return;
        try {
          exchange.onData(chunk);
        } catch (error) {
          fail(error instanceof HostRequestError ? error : new HostRequestError("internal", String(error)));
        }
      });
      body.on("end", () => finish(() => resolve({ kind: "done" })));
      body.on("error", (error: NodeJS.ErrnoException) => fail(networkError(this.describe(exchange), error)));
      body.on("close", () => {
        if (!body.complete)
          fail(
            new HostRequestError(
              "serverError",
              `${this.options.serverName} closed the connection in the middle of the answer.`,
            ),
          );
      });
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
