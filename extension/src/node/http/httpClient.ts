// The extension's one HTTP client, over node:http / node:https: those honour custom CA certificates and the
// system-certificate support VS Code patches into the https module, which fetch does not. Remote inference and model
// downloads both go through it, and each turns its failures into its own errors and messages.
import http from "node:http";
import https from "node:https";
import { TLSSocket, rootCertificates } from "node:tls";

/** A keep-alive agent, which spares a TCP (and TLS) handshake per request to the same server. */
export function keepAliveAgent(options: { secure: boolean; extraCaCertificates: readonly string[] }): http.Agent {
  if (!options.secure) return new http.Agent({ keepAlive: true });
  // PEM texts trusted in addition to Node's roots (and the system's, where VS Code adds them).
  const extra = options.extraCaCertificates;
  return new https.Agent({ keepAlive: true, ...(extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {}) });
}

export interface HttpRequest {
  url: URL;
  method?: "GET" | "HEAD" | "POST";
  headers?: http.OutgoingHttpHeaders;
  body?: Buffer;
  /** For the URL's protocol; without one, Node's global agent. A redirect to the other protocol goes without it. */
  agent?: http.Agent;
  /** Before the answer's head, rejects the request; after it, closes the connection, so the body ends. */
  signal?: AbortSignal;
  /** Until the connection is up, its TLS handshake included. */
  connectTimeoutMs: number;
  /** From the connection up to the answer's head. */
  firstByteTimeoutMs: number;
  /** How many redirects (3xx with a Location) to follow; with 0, the default, the caller gets them as answers. */
  maxRedirects?: number;
}

export type HttpFailureReason = "aborted" | "connectTimeout" | "firstByteTimeout" | "tooManyRedirects" | "network";

/** A request that got no answer. */
export class HttpFailure extends Error {
  constructor(
    readonly reason: HttpFailureReason,
    /** The request that failed: after redirects, the last one. */
    readonly url: URL,
    message: string,
    /** For "network": Node's error, with its code. */
    readonly networkError?: NodeJS.ErrnoException,
    /** For "network": the request went out on a kept-alive connection, which may have been closed while idle. */
    readonly onReusedSocket = false,
  ) {
    super(message);
  }
}

/** An answer whose head has arrived; its body streams. */
export class HttpResponse {
  constructor(
    private readonly request: http.ClientRequest,
    /** The body as it arrives. */
    readonly body: http.IncomingMessage,
    /** The URL that answered, after redirects. */
    readonly url: URL,
  ) {}

  get status(): number {
    return this.body.statusCode ?? 0;
  }

  get headers(): http.IncomingHttpHeaders {
    return this.body.headers;
  }

  /** Closes the connection rather than returning it to the agent: the server sees the client go away. */
  destroy(): void {
    this.request.destroy();
  }

  /** A failure of the connection while the body arrives; the body itself then fails with an "aborted" error. */
  onConnectionError(listener: (error: NodeJS.ErrnoException) => void): void {
    this.request.on("error", listener);
  }
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/** Sends a request and resolves with the answer's head, following redirects when asked to. */
export function sendRequest(options: HttpRequest): Promise<HttpResponse> {
  return send(options, 0);
}

function send(options: HttpRequest, redirects: number): Promise<HttpResponse> {
  const { url, signal } = options;
  if (signal?.aborted) return Promise.reject(new HttpFailure("aborted", url, "the request was aborted"));
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      action();
    };
    const fail = (failure: HttpFailure): void => {
      settle(() => reject(failure));
      request.destroy();
    };
    const startTimer = (reason: "connectTimeout" | "firstByteTimeout", ms: number): void => {
      if (settled) return;
      clearTimeout(timer);
      const what = reason === "connectTimeout" ? "no connection" : "no answer";
      timer = setTimeout(() => fail(new HttpFailure(reason, url, `${what} within ${ms} ms`)), ms);
    };
    const onAbort = (): void => {
      if (settled) request.destroy();
      else fail(new HttpFailure("aborted", url, "the request was aborted"));
    };

    const { method = "GET", headers, agent } = options;
    const request = (url.protocol === "https:" ? https : http).request(url, { method, headers, agent });
    signal?.addEventListener("abort", onAbort, { once: true });
    request.once("close", () => signal?.removeEventListener("abort", onAbort));
    startTimer("connectTimeout", options.connectTimeoutMs);
    request.on("socket", (socket) => {
      const connected = (): void => startTimer("firstByteTimeout", options.firstByteTimeoutMs);
      // A kept-alive socket is connected already; a new one is ready for the request after its (TLS) handshake.
      if (request.reusedSocket) connected();
      else if (socket instanceof TLSSocket) socket.once("secureConnect", connected);
      else if (socket.connecting) socket.once("connect", connected);
      else connected();
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      fail(new HttpFailure("network", url, error.message, error, request.reusedSocket));
    });
    request.on("response", (message) => {
      const status = message.statusCode ?? 0;
      const location = message.headers.location;
      const maxRedirects = options.maxRedirects ?? 0;
      if (maxRedirects > 0 && redirectStatuses.has(status) && location !== undefined) {
        message.resume();
        if (redirects >= maxRedirects) {
          fail(new HttpFailure("tooManyRedirects", url, `redirected more than ${maxRedirects} times`));
          return;
        }
        const next = new URL(location, url);
        const hop = { ...options, url: next, agent: next.protocol === url.protocol ? agent : undefined };
        settle(() => void send(hop, redirects + 1).then(resolve, reject));
        return;
      }
      settle(() => resolve(new HttpResponse(request, message, url)));
    });
    request.end(options.body);
  });
}
