// How a remote server's failures become HostRequestErrors: specific, naming the server (and the model where the
// server says it is missing), so the user can tell a wrong URL from a wrong key from an overloaded server.
import { HostRequestError } from "../protocol/backend";

/** The failing request as the messages describe it. */
export interface FailedRequest {
  /** "llama-server at http://127.0.0.1:8080" */
  server: string;
  path: string;
  /** The model the request asked for; "" for the server's default. */
  model: string;
  hadApiKey: boolean;
}

const contextExceededPattern =
  /exceeds? the available context size|larger than the max context size|exceed_context_size|context_length_exceeded|maximum context length|context length|context window|too many tokens|prompt is too long/i;

/** The human part of an error body: OpenAI {error: {message}}, Ollama {error: "…"}, vLLM {message}, FastAPI {detail}. */
export function serverErrorText(body: string): string {
  const trimmed = body.trim();
  try {
    const parsed: unknown = JSON.parse(trimmed);
    const text = errorTextOf(parsed);
    if (text !== undefined) return text;
  } catch {
    // Not JSON: a proxy's HTML page or plain text; show its start.
  }
  const plain = trimmed
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 200)}…` : plain;
}

function errorTextOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  for (const key of ["error", "message", "detail"]) {
    const nested = errorTextOf(record[key]);
    if (nested !== undefined) return nested;
  }
  // llama-server and OpenAI put a machine-readable type beside the message; it names context overflows reliably.
  return typeof record.type === "string" ? record.type : typeof record.code === "string" ? record.code : undefined;
}

export function isContextExceeded(text: string): boolean {
  return contextExceededPattern.test(text);
}

/** The error for an HTTP status other than 2xx. 429 is final here: the caller has already retried. */
export function httpStatusError(request: FailedRequest, status: number, body: string): HostRequestError {
  const detail = serverErrorText(body);
  const said = detail === "" ? "" : `: ${detail}`;
  const modelName = request.model === "" ? "the server's default model" : `model "${request.model}"`;
  if (isContextExceeded(body)) {
    return new HostRequestError(
      "contextExceeded",
      `The prompt does not fit the context of ${modelName} on ${request.server}${said}`,
    );
  }
  if (status === 401 || status === 403) {
    const hint = request.hadApiKey ? "rejected the API key" : "needs an API key";
    return new HostRequestError("unauthorized", `${request.server} ${hint} (HTTP ${status})${said}`);
  }
  if (status === 404) {
    return new HostRequestError(
      "modelNotFound",
      `${request.server} answered 404 for ${request.path}: is ${modelName} served there${detail === "" ? "" : ` (${detail})`}?`,
    );
  }
  if (status === 429)
    return new HostRequestError(
      "rateLimited",
      `${request.server} is rate-limiting requests (HTTP 429) and still was after retries${said}`,
    );
  // llama-server answers 501 for a model without FIM tokens; Ollama 400 "does not support insert".
  if ((status === 501 && /infill|fim|fill.in.the.middle/i.test(detail)) || /does not support insert/i.test(detail)) {
    return new HostRequestError(
      "noFillInTheMiddle",
      `${modelName} on ${request.server} cannot fill in the middle${said}`,
    );
  }
  if (status >= 500) return new HostRequestError("serverError", `${request.server} failed with HTTP ${status}${said}`);
  return new HostRequestError(
    "badRequest",
    `${request.server} refused the request to ${request.path} (HTTP ${status})${said}`,
  );
}

/** An error reported inside a stream that had already begun (an SSE `error` event, an Ollama `{"error": …}` line). */
export function streamedError(server: string, text: string): HostRequestError {
  if (isContextExceeded(text))
    return new HostRequestError(
      "contextExceeded",
      `The prompt does not fit the context on ${server}: ${serverErrorText(text)}`,
    );
  return new HostRequestError("serverError", `${server} reported an error mid-answer: ${serverErrorText(text)}`);
}

const certificateErrorCodes = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** A socket-level failure (Node's error codes) before or during the answer. */
export function networkError(request: FailedRequest, error: NodeJS.ErrnoException): HostRequestError {
  const code = error.code ?? "";
  if (code === "ECONNREFUSED")
    return new HostRequestError(
      "connectionRefused",
      `${request.server} refused the connection: is the server running?`,
    );
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new HostRequestError("connectionRefused", `The host name of ${request.server} does not resolve (${code}).`);
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return new HostRequestError("connectionRefused", `${request.server} cannot be reached (${code}).`);
  if (code === "ETIMEDOUT")
    return new HostRequestError("timeout", `${request.server} did not answer in time (${code}).`);
  if (certificateErrorCodes.has(code)) {
    return new HostRequestError(
      "untrustedCertificate",
      `The certificate of ${request.server} is not trusted (${code}): add its CA to the trusted certificates.`,
    );
  }
  if (code === "ECONNRESET" || code === "EPIPE")
    return new HostRequestError("serverError", `${request.server} closed the connection (${code}).`);
  return new HostRequestError("serverError", `The connection to ${request.server} failed: ${error.message}`);
}
