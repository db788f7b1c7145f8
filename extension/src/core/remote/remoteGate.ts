// The decisions that stand between a request and a remote server: may code go there (the URL's policy, the user's
// consent), and what a 401 does (ask for the key, retry once). Pure logic behind narrow interfaces, so that the VS Code
// adapter (inferenceRouter.ts) only supplies storage and dialogs.
import { HostRequestError, type ChatTokenCounter, type InferenceBackend } from "../protocol/backend";
import type { ChatParams } from "../protocol/host";
import type { RemoteAccess } from "./remoteAccess";
import type { RedactedRequest, RemoteRedaction } from "./redaction";

/** The user's remembered answers to "send your code to this server?", per origin. */
export interface ConsentStore {
  get(origin: string): boolean | undefined;
  remember(origin: string, allowed: boolean): Promise<void>;
}

export interface RemotePrompts {
  /** Whether code may go to the server; undefined when the question was dismissed without an answer. */
  askConsent(serverName: string): Promise<boolean | undefined>;
  /** After a 401: asks for the server's API key; true once the user has stored a new one. */
  askForApiKey(serverName: string, origin: string): Promise<boolean>;
}

export interface RemoteTarget {
  /** checkRemoteAccess's verdict on the configured URL. */
  access: RemoteAccess;
  /** "llama-server at https://gpu.example:8080", for questions and messages. */
  serverName: string;
}

function cancelled(): HostRequestError {
  return new HostRequestError("cancelled", "The request was cancelled.");
}

/** Resolves with the promise, or rejects as cancelled once `signal` aborts (the promise itself runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export class RemoteGate {
  /** One question per origin at a time: the keystrokes that arrive meanwhile wait for the same answer. */
  private readonly pendingConsent = new Map<string, Promise<boolean>>();
  /** Origins whose key prompt is showing or was dismissed: a key is asked for once, not on every keystroke. */
  private readonly keyAsked = new Set<string>();

  constructor(
    private readonly consent: ConsentStore,
    private readonly prompts: RemotePrompts,
  ) {}

  /** A stored key changed: the next 401 may ask again. */
  keyChanged(): void {
    this.keyAsked.clear();
  }

  /**
   * Runs `request` against the target if code may go there, and retries it once after a 401 for which the user
   * entered a new key. Nothing is sent to a refused URL or a server the user did not allow. `signal` stops the waiting
   * for a dialog (a keystroke's request must not hang on a notification the user ignores); the dialog stays.
   */
  async send<T>(target: RemoteTarget, request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { access, serverName } = target;
    if (access.kind === "refused") throw new HostRequestError("notAllowed", access.message);
    if (!(await untilAborted(this.allowed(access.origin, access.loopback, serverName), signal))) {
      throw new HostRequestError(
        "notAllowed",
        `You did not allow Llama Assist to send code to ${access.origin}. Set llamaAssist.backend to "local", or run "Llama Assist: Forget Remote Server Permissions" to be asked again.`,
      );
    }
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof HostRequestError) || error.code !== "unauthorized") throw error;
      if (this.keyAsked.has(access.origin)) throw error;
      this.keyAsked.add(access.origin);
      const renewed = await untilAborted(this.prompts.askForApiKey(serverName, access.origin), signal);
      if (!renewed) throw error;
      return request();
    }
  }

  /** Loopback servers need no consent; any other origin is asked about once, and the answer is remembered. */
  private allowed(origin: string, loopback: boolean, serverName: string): Promise<boolean> {
    if (loopback) return Promise.resolve(true);
    const known = this.consent.get(origin);
    if (known !== undefined) return Promise.resolve(known);
    let pending = this.pendingConsent.get(origin);
    if (pending === undefined) {
      pending = this.askConsent(origin, serverName).finally(() => this.pendingConsent.delete(origin));
      this.pendingConsent.set(origin, pending);
    }
    return pending;
  }

  private async askConsent(origin: string, serverName: string): Promise<boolean> {
    const answer = await this.prompts.askConsent(serverName);
    // A dismissed dialog is not an answer: the next request asks again rather than remembering a refusal.
    if (answer === undefined) return false;
    await this.consent.remember(origin, answer);
    return answer;
  }
}

/** Where requests go now: the local host, or a remote server (created asynchronously, since it reads CA files). */
export type Route<Remote> = { kind: "local" } | { kind: "remote"; remote: Promise<Remote> };

export interface RoutedRemote {
  backend: InferenceBackend & {
    readonly serverName: string;
    /** A text's length in the server's tokens; undefined where the server has no tokenizer endpoint. */
    countTokens(text: string, signal?: AbortSignal): Promise<number | undefined>;
  };
  target: RemoteTarget;
}

/** What the router reports of a request whose secrets were redacted, for the log. */
export interface RedactionReport {
  /** "token count": the chat's prompt pieces counted by the server's tokenizer before the chat request itself. */
  request: "completion" | "chat" | "token count";
  redacted: number;
  serverName: string;
}

/**
 * Sends each request where the route says. A remote failure is the caller's error and never goes to the local host:
 * the user chose where code may go. What goes to a server off this machine has its secrets redacted first.
 */
export class BackendRouting<Remote extends RoutedRemote> {
  constructor(
    private readonly local: InferenceBackend & ChatTokenCounter,
    private readonly gate: RemoteGate,
    private readonly route: () => Route<Remote>,
    /** Told of each remote request's end: undefined on success, else the error (for the status bar and the log). */
    private readonly onRemoteOutcome: (remote: Remote, error: unknown) => void,
    private readonly redaction: RemoteRedaction,
    private readonly onRedacted: (report: RedactionReport) => void,
  ) {}

  infill(
    params: Parameters<InferenceBackend["infill"]>[0],
    signal?: AbortSignal,
  ): ReturnType<InferenceBackend["infill"]> {
    const route = this.route();
    if (route.kind === "local") return this.local.infill(params, signal);
    return this.throughRemote(
      route.remote,
      async (remote) => {
        const sent = await this.redacted(remote, params, (open) => this.redaction.infill(open), "completion");
        const result = await remote.backend.infill(sent.params, signal);
        return sent.redacted === 0 ? result : { ...result, redactedSecrets: sent.redacted };
      },
      signal,
    );
  }

  chat(
    params: Parameters<InferenceBackend["chat"]>[0],
    onChunk: (text: string) => void,
    signal?: AbortSignal,
  ): ReturnType<InferenceBackend["chat"]> {
    const route = this.route();
    if (route.kind === "local") return this.local.chat(params, onChunk, signal);
    return this.throughRemote(
      route.remote,
      async (remote) => {
        const sent = await this.redacted(remote, params, (open) => this.redaction.chat(open), "chat");
        const result = await remote.backend.chat(sent.params, onChunk, signal);
        return sent.redacted === 0 ? result : { ...result, redactedSecrets: sent.redacted };
      },
      signal,
    );
  }

  /**
   * Each text's length in the tokens of the model that would answer a chat: the local host's tokenizer, or the server's
   * (llama-server's /tokenize), with the same consent and secrets redacted as the chat prompt they are counted for.
   * Undefined where the server has no tokenizer endpoint.
   */
  countChatTokens(texts: string[], signal?: AbortSignal): Promise<number[] | undefined> {
    const route = this.route();
    if (route.kind === "local") return this.local.countChatTokens(texts, signal);
    return this.throughRemote(
      route.remote,
      async (remote) => {
        const asChat: ChatParams = {
          systemPrompt: "",
          turns: texts.map((text) => ({ role: "user", text })),
          maxTokens: 1,
          temperature: 0,
        };
        const sent = await this.redacted(remote, asChat, (open) => this.redaction.chat(open), "token count");
        const counts = await Promise.all(
          sent.params.turns.map((turn) => remote.backend.countTokens(turn.text, signal)),
        );
        return counts.every((count) => count !== undefined) ? counts : undefined;
      },
      signal,
    );
  }

  /** Loopback servers are this machine: what goes there stays here, as with the local host. */
  private async redacted<Params>(
    remote: Remote,
    params: Params,
    redact: (params: Params) => Promise<RedactedRequest<Params>>,
    request: RedactionReport["request"],
  ): Promise<RedactedRequest<Params>> {
    if (remote.target.access.kind === "allowed" && remote.target.access.loopback) return { params, redacted: 0 };
    const sent = await redact(params);
    if (sent.redacted > 0) this.onRedacted({ request, redacted: sent.redacted, serverName: remote.target.serverName });
    return sent;
  }

  private async throughRemote<T>(
    pending: Promise<Remote>,
    request: (remote: Remote) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const remote = await pending;
    try {
      const result = await this.gate.send(remote.target, () => request(remote), signal);
      this.onRemoteOutcome(remote, undefined);
      return result;
    } catch (error) {
      this.onRemoteOutcome(remote, error);
      throw error;
    }
  }
}
