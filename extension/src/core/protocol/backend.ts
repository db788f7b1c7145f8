// The one interface every inference backend implements: the local host process, llama-server, OpenAI-compatible
// servers and Ollama. Completions, chat, refactor and the Shield see only this.
import type { ChatParams, GenerationResult, HostErrorCode, HostState, InfillParams } from "./host";

export type BackendKind = "local" | "llama-server" | "openai" | "ollama";

/** What remote servers add to the host's error codes; the local host never sends these. */
export type RemoteErrorCode =
  | "connectionRefused"
  | "timeout"
  | "unauthorized"
  | "rateLimited"
  | "serverError"
  | "malformedResponse"
  /** The server's TLS certificate does not chain to the system's roots or the configured extra CA certificates. */
  | "untrustedCertificate"
  /** The user has not allowed code to go to that server, or the URL is not allowed (plain http off this machine). */
  | "notAllowed";

export type BackendErrorCode = HostErrorCode | RemoteErrorCode;

/** Every backend fails with this, so callers handle one error type whichever backend served them. */
export class HostRequestError extends Error {
  constructor(
    readonly code: BackendErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "HostRequestError";
  }
}

export function cancelledError(): HostRequestError {
  return new HostRequestError("cancelled", "The request was cancelled.");
}

export interface InferenceBackend {
  readonly kind: BackendKind;
  /** Fill in the middle. The signal cancels the request, and on a remote server closes the connection. */
  infill(params: InfillParams, signal?: AbortSignal): Promise<GenerationResult>;
  /** A streamed chat answer: `onChunk` gets each piece of text as it arrives; the result has the whole text. */
  chat(params: ChatParams, onChunk: (text: string) => void, signal?: AbortSignal): Promise<GenerationResult>;
}

export type RemoteKind = Exclude<BackendKind, "local">;

/** How the `openai` backend writes a fill-in-the-middle prompt: the model family's own FIM format, or the user's. */
export type FimTemplateName = "qwen" | "codellama" | "starcoder" | "deepseek" | "custom";

/** Counts texts in the tokens of the model that answers the chat, to fit what goes into its prompt. */
export interface ChatTokenCounter {
  /** Each text's length in tokens; undefined where the backend has no tokenizer to ask (the caller estimates). */
  countChatTokens(texts: string[], signal?: AbortSignal): Promise<number[] | undefined>;
}

/**
 * What chat and refactor need: a backend that chats, and a state that says whether it can answer and with how large a
 * context. The local host client is one; so is the router that also serves remote servers.
 */
export interface ConversationBackend extends Pick<InferenceBackend, "chat">, ChatTokenCounter {
  readonly state: HostState;
  onDidChangeState(listener: (state: HostState) => void): { dispose(): void };
}
