// The extension's side of the inference host: a supervisor that forks the host and restarts it after a crash, and
// the running process's channel for the requests. Plain Node (no vscode import), so integration tests and the
// benchmark drive the real host through it.
import type {
  ChatParams,
  EmbedParams,
  EmbeddingResult,
  GenerationResult,
  GuardParams,
  HostConfig,
  HostInfo,
  HostState,
  InfillParams,
  LogLevel,
  RequestKind,
  RequestParams,
  RequestResult,
} from "../../core/protocol/host";
import { HostRequestError, type InferenceBackend, cancelledError } from "../../core/protocol/backend";
import { HostSupervisor } from "../../core/host/hostSupervisor";
import { systemTimers } from "../../core/host/timers";
import type { RequestOptions } from "./hostChannel";
import { HostProcess } from "./hostProcess";

export interface HostClientOptions {
  /** Absolute path of dist/host/main.mjs. */
  hostScript: string;
  config: HostConfig;
  log: (level: LogLevel, message: string) => void;
}

export { HostRequestError };

export class HostClient implements InferenceBackend {
  readonly kind = "local";
  private readonly supervisor: HostSupervisor<HostProcess>;

  constructor(options: HostClientOptions) {
    const { hostScript, log } = options;
    this.supervisor = new HostSupervisor({
      config: options.config,
      startProcess: (config, events) => new HostProcess(config, events, { hostScript, log, timers: systemTimers }),
      timers: systemTimers,
      log,
    });
  }

  get state(): HostState {
    return this.supervisor.state;
  }

  get pid(): number | undefined {
    return this.supervisor.process?.pid;
  }

  onDidChangeState(listener: (state: HostState) => void): { dispose(): void } {
    return this.supervisor.onDidChangeState(listener);
  }

  /** Starts the host if needed and resolves once its models are loaded; idempotent. */
  start(): Promise<HostInfo> {
    return this.supervisor.start();
  }

  infill(params: InfillParams, signal?: AbortSignal): Promise<GenerationResult> {
    return this.request("infill", params, { signal });
  }

  chat(params: ChatParams, onChunk: (text: string) => void, signal?: AbortSignal): Promise<GenerationResult> {
    return this.request("chat", params, { signal, onChunk });
  }

  /** One Llama Guard check on the host's guard model (llamaAssist.guard.model). */
  guard(params: GuardParams, signal?: AbortSignal): Promise<GenerationResult> {
    return this.request("guard", params, { signal });
  }

  /** Vectors from the host's embedding model (llamaAssist.embeddingModel.path), on a lane of their own. */
  embed(params: EmbedParams, signal?: AbortSignal): Promise<EmbeddingResult> {
    return this.request("embed", params, { signal });
  }

  info(): Promise<HostInfo> {
    return this.request("info", undefined);
  }

  /** Each text's length in the chat model's tokens, as the chat prompt's budget counts them. */
  countChatTokens(texts: string[], signal?: AbortSignal): Promise<number[]> {
    return this.request("countTokens", { texts }, { signal });
  }

  /**
   * Stops the host and starts it again, with a new config if given; clears a load failure. When the new config does
   * not load but an earlier one did, the host serves the earlier one again and this rejects with the reason.
   */
  restart(config?: HostConfig): Promise<void> {
    return this.supervisor.restart(config);
  }

  /** Stops the host (state "stopped") until the next start() or request; clears a load failure. */
  stop(): Promise<void> {
    return this.supervisor.stop();
  }

  /** Stops the host cleanly; resolves once the process has exited. */
  dispose(): Promise<void> {
    return this.supervisor.dispose();
  }

  private async request<K extends RequestKind>(
    kind: K,
    params: RequestParams<K>,
    options: RequestOptions = {},
  ): Promise<RequestResult<K>> {
    if (options.signal?.aborted) throw cancelledError();
    await this.start();
    const channel = this.supervisor.process?.channel;
    if (channel === undefined) throw new HostRequestError("hostCrashed", "The inference host is not running.");
    return channel.request(kind, params, options);
  }
}
