// The extension's side of the inference host: forks it, speaks the IPC protocol, restarts it after a crash.
// Plain Node (no vscode import), so integration tests and the benchmark drive the real host through it.
import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import type {
  ChatParams,
  FromHost,
  GenerationResult,
  HostConfig,
  HostError,
  HostErrorCode,
  HostInfo,
  HostState,
  InfillParams,
  LogLevel,
  ToHost,
} from "../../core/protocol/host";
import { checkFromHost } from "../../core/protocol/host";
import { HostRequestError, type InferenceBackend, cancelledError } from "../../core/protocol/backend";


export interface HostClientOptions {
  /** Absolute path of dist/host/main.mjs. */
  hostScript: string;
  config: HostConfig;
  log: (level: LogLevel, message: string) => void;
}

export { HostRequestError };

/** Restart delays after crashes: 0.5 s, 1 s, 2 s … capped; back to the start after a healthy minute. */
const firstRestartDelayMs = 500;
const maxRestartDelayMs = 30_000;
const healthyAfterMs = 60_000;
/** Crashes before the host ever got ready: after this many in a row we stop and show the error. */
const maxCrashesWhileLoading = 3;
/** How long an aborted request waits for the host to confirm before it rejects anyway. */
const cancelGraceMs = 500;
const exitGraceMs = 3_000;

interface PendingRequest {
  kind: "infill" | "chat" | "info";
  resolve: (value: GenerationResult | HostInfo) => void;
  reject: (error: HostRequestError) => void;
  onChunk?: (text: string) => void;
  aborted: boolean;
}

type Listener = (state: HostState) => void;

export class HostClient implements InferenceBackend {
  readonly kind = "local";
  private config: HostConfig;
  private child: ChildProcess | undefined;
  private currentState: HostState = { phase: "stopped" };
  private readonly listeners = new Set<Listener>();
  private readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 1;
  private starting: Promise<HostInfo> | undefined;
  private settleStart: { resolve: (info: HostInfo) => void; reject: (error: HostRequestError) => void } | undefined;
  private loadFailure: HostError | undefined;
  /** The last configuration the host loaded: a new one that fails to load is replaced by it. */
  private lastWorkingConfig: HostConfig | undefined;
  /** Why the configuration asked for last was replaced by lastWorkingConfig; cleared by the next restart or stop. */
  private failedChange: HostError | undefined;
  private restartAttempt = 0;
  private crashesWhileLoading = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private healthyTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: HostClientOptions) {
    this.config = options.config;
  }

  get state(): HostState {
    return this.currentState;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  onDidChangeState(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts the host if needed and resolves once its models are loaded; idempotent. */
  start(): Promise<HostInfo> {
    if (this.disposed) return Promise.reject(new HostRequestError("notReady", "The inference host client was disposed."));
    if (this.currentState.phase === "ready") return Promise.resolve(this.currentState.info);
    if (this.loadFailure !== undefined) return Promise.reject(new HostRequestError(this.loadFailure.code, this.loadFailure.message));
    if (this.starting === undefined) {
      this.starting = new Promise<HostInfo>((resolve, reject) => {
        this.settleStart = { resolve, reject };
      });
      // Callers that only wanted the state must not see an unhandled rejection.
      this.starting.catch(() => undefined);
      if (this.restartTimer === undefined) this.spawn();
    }
    return this.starting;
  }

  async infill(params: InfillParams, signal?: AbortSignal): Promise<GenerationResult> {
    return (await this.request({ kind: "infill", params }, signal)) as GenerationResult;
  }

  async chat(params: ChatParams, onChunk: (text: string) => void, signal?: AbortSignal): Promise<GenerationResult> {
    return (await this.request({ kind: "chat", params }, signal, onChunk)) as GenerationResult;
  }

  async info(): Promise<HostInfo> {
    return (await this.request({ kind: "info" })) as HostInfo;
  }

  /**
   * Stops the host and starts it again, with a new config if given; clears a load failure. When the new config does
   * not load but an earlier one did, the host serves the earlier one again and this rejects with the reason.
   */
  async restart(config?: HostConfig): Promise<void> {
    if (config !== undefined) this.config = config;
    await this.stop();
    const info = await this.start();
    const failed = this.failedChange;
    if (failed === undefined) return;
    const models = [...new Set([info.completionModel.path, info.chatModel.path])].map((file) => path.basename(file)).join(" and ");
    throw new HostRequestError(failed.code, `${failed.message} The previous model stays in use: ${models}.`);
  }

  /** Stops the host (state "stopped") until the next start() or request; clears a load failure. */
  async stop(): Promise<void> {
    await this.shutDownHost("The inference host was stopped.");
    this.loadFailure = undefined;
    this.failedChange = undefined;
    this.restartAttempt = 0;
    this.crashesWhileLoading = 0;
  }

  /** Stops the host cleanly; resolves once the process has exited. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.shutDownHost("The inference host was stopped.");
    this.listeners.clear();
  }

  private async request(
    message: { kind: "infill"; params: InfillParams } | { kind: "chat"; params: ChatParams } | { kind: "info" },
    signal?: AbortSignal,
    onChunk?: (text: string) => void,
  ): Promise<GenerationResult | HostInfo> {
    if (signal?.aborted) throw cancelledError();
    await this.start();
    if (signal?.aborted) throw cancelledError();
    const child = this.child;
    if (child === undefined) throw new HostRequestError("hostCrashed", "The inference host is not running.");
    const id = this.nextRequestId++;
    return new Promise<GenerationResult | HostInfo>((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        const entry = this.pending.get(id);
        if (entry === undefined || entry.aborted) return;
        entry.aborted = true;
        this.send({ kind: "cancel", id });
        // The host confirms within ~100 ms; never keep the caller waiting on a host that does not answer.
        graceTimer = setTimeout(() => this.settle(id, (request) => request.reject(cancelledError())), cancelGraceMs);
      };
      const cleanUp = (): void => {
        signal?.removeEventListener("abort", onAbort);
        if (graceTimer !== undefined) clearTimeout(graceTimer);
      };
      this.pending.set(id, {
        kind: message.kind,
        resolve: (value) => {
          cleanUp();
          resolve(value);
        },
        reject: (error) => {
          cleanUp();
          reject(error);
        },
        onChunk,
        aborted: false,
      });
      signal?.addEventListener("abort", onAbort);
      this.send({ ...message, id } as ToHost);
    });
  }

  private settle(id: number, action: (request: PendingRequest) => void): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    this.pending.delete(id);
    action(request);
  }

  private send(message: ToHost): void {
    const child = this.child;
    if (child === undefined || !child.connected) return;
    child.send(message, (error) => {
      if (error !== null) this.options.log("warn", `Could not send ${message.kind} to the inference host: ${error.message}`);
    });
  }

  private spawn(): void {
    this.restartTimer = undefined;
    this.setState({ phase: "starting" });
    const child = fork(this.options.hostScript, [], {
      execPath: process.execPath,
      // Not the parent's flags: an inspector port or a TypeScript loader (tests run under tsx) has no business there.
      execArgv: [],
      // Electron runs the script as plain Node only with this; node-llama-cpp's own child processes need it too.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child = child;
    forwardLines(child.stdout, (line) => this.options.log("debug", `host: ${line}`));
    forwardLines(child.stderr, (line) => this.options.log("warn", `host: ${line}`));
    child.on("message", (message: unknown) => {
      if (this.child !== child) return;
      const checked = checkFromHost(message);
      if (checked.ok) this.onMessage(checked.message);
      else this.options.log("warn", "Ignoring a malformed message from the inference host.");
    });
    child.on("error", (error) => this.options.log("error", `Inference host process error: ${error.message}`));
    child.on("exit", (code, signal) => {
      if (this.child === child) this.onUnexpectedExit(code, signal);
    });
    child.send({ kind: "init", config: this.config } satisfies ToHost);
  }

  private onMessage(message: FromHost): void {
    switch (message.kind) {
      case "log":
        this.options.log(message.level, message.message);
        return;
      case "loading":
        this.setState({ phase: "loading", progress: message.progress });
        return;
      case "ready":
        this.crashesWhileLoading = 0;
        this.lastWorkingConfig = this.config;
        this.healthyTimer = setTimeout(() => {
          this.restartAttempt = 0;
        }, healthyAfterMs);
        this.healthyTimer.unref();
        this.setState({ phase: "ready", info: message.info, ...(this.failedChange === undefined ? {} : { failedChange: this.failedChange }) });
        this.finishStart((start) => start.resolve(message.info));
        return;
      case "loadFailed": {
        if (this.canFallBack()) {
          void this.fallBack(message.error);
          return;
        }
        // A bad model stays bad: no restart loop. The host is stopped until restart() or a new config.
        const error = this.withFailedChange(message.error);
        this.loadFailure = error;
        this.setState({ phase: "error", error });
        this.finishStart((start) => start.reject(new HostRequestError(error.code, error.message)));
        void this.shutDownHost(error.message, false);
        return;
      }
      case "chunk": {
        const request = this.pending.get(message.id);
        if (request !== undefined && !request.aborted) request.onChunk?.(message.text);
        return;
      }
      case "result":
      case "info":
        this.settle(message.id, (request) => {
          if (request.aborted) request.reject(cancelledError());
          else request.resolve(message.kind === "result" ? message.result : message.info);
        });
        return;
      case "error":
        this.settle(message.id, (request) => request.reject(new HostRequestError(message.error.code, message.error.message)));
        return;
    }
  }

  private onUnexpectedExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.child = undefined;
    this.clearHealthyTimer();
    const how = signal !== null ? `was killed (${signal})` : `exited with code ${code}`;
    const wasLoading = this.currentState.phase !== "ready";
    this.failPending("hostCrashed", `The inference host ${how}; it is being restarted.`);
    if (wasLoading) this.crashesWhileLoading++;
    if (this.crashesWhileLoading >= maxCrashesWhileLoading) {
      const crashed: HostError = { code: "hostCrashed", message: `The inference host ${how} ${this.crashesWhileLoading} times while loading ${this.config.completionModelPath}.` };
      if (this.canFallBack()) {
        this.crashesWhileLoading = 0;
        void this.fallBack(crashed);
        return;
      }
      const error = this.withFailedChange({ ...crashed, message: `${crashed.message} Giving up until restarted.` });
      this.loadFailure = error;
      this.setState({ phase: "error", error });
      this.finishStart((start) => start.reject(new HostRequestError(error.code, error.message)));
      return;
    }
    const delay = Math.min(firstRestartDelayMs * 2 ** this.restartAttempt, maxRestartDelayMs);
    this.restartAttempt++;
    this.options.log("warn", `The inference host ${how}; restarting in ${delay} ms.`);
    this.setState({ phase: "error", error: { code: "hostCrashed", message: `The inference host ${how}.` }, restartInMs: delay });
    // Requests made meanwhile wait on `starting`, which the restarted host settles.
    if (this.starting === undefined) {
      this.starting = new Promise<HostInfo>((resolve, reject) => {
        this.settleStart = { resolve, reject };
      });
      this.starting.catch(() => undefined);
    }
    this.restartTimer = setTimeout(() => this.spawn(), delay);
  }

  /** A config that fails to load while one that loaded earlier is known, and someone waits for the host. */
  private canFallBack(): boolean {
    return this.starting !== undefined && this.lastWorkingConfig !== undefined && !sameConfig(this.lastWorkingConfig, this.config);
  }

  /**
   * Loads the last working config again in place of one that failed: the waiting start() and the requests behind it
   * are answered by the previous model, and the state says why the new one is not in use. Restarting the process
   * (rather than loading the new model beside the old one) never needs memory for both.
   */
  private async fallBack(error: HostError): Promise<void> {
    const working = this.lastWorkingConfig;
    const starting = this.starting;
    if (working === undefined) return;
    this.options.log("warn", `${error.message} Loading the previous model again: ${working.completionModelPath}.`);
    this.failedChange = error;
    this.config = working;
    const child = this.child;
    this.child = undefined;
    await endProcess(child);
    // A stop() or restart() meanwhile has settled that start and decided what runs next.
    if (this.disposed || this.starting !== starting) return;
    this.spawn();
  }

  /** A failure of the last working config while it stood in for a failed change reports both. */
  private withFailedChange(error: HostError): HostError {
    const failed = this.failedChange;
    this.failedChange = undefined;
    return failed === undefined ? error : { code: failed.code, message: `${failed.message} The previous model did not load either: ${error.message}` };
  }

  private async shutDownHost(reason: string, announce = true): Promise<void> {
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.clearHealthyTimer();
    this.failPending("notReady", reason);
    this.finishStart((start) => start.reject(new HostRequestError("notReady", reason)));
    const child = this.child;
    this.child = undefined;
    await endProcess(child);
    if (announce) this.setState({ phase: "stopped" });
  }

  private finishStart(action: (start: { resolve: (info: HostInfo) => void; reject: (error: HostRequestError) => void }) => void): void {
    const start = this.settleStart;
    this.settleStart = undefined;
    this.starting = undefined;
    if (start !== undefined) action(start);
  }

  private failPending(code: HostErrorCode, message: string): void {
    const requests = [...this.pending.values()];
    this.pending.clear();
    for (const request of requests) request.reject(new HostRequestError(request.aborted ? "cancelled" : code, request.aborted ? "The request was cancelled." : message));
  }

  private clearHealthyTimer(): void {
    if (this.healthyTimer !== undefined) clearTimeout(this.healthyTimer);
    this.healthyTimer = undefined;
  }

  private setState(state: HostState): void {
    this.currentState = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

/** Asks a host process to shut down and waits for it to exit, killing it after a grace period. */
async function endProcess(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.connected) child.send({ kind: "shutdown" } satisfies ToHost);
  const killTimer = setTimeout(() => child.kill("SIGKILL"), exitGraceMs);
  await exited;
  clearTimeout(killTimer);
}

function sameConfig(a: HostConfig, b: HostConfig): boolean {
  return (Object.keys(a) as (keyof HostConfig)[]).every((key) => a[key] === b[key]);
}

function forwardLines(stream: NodeJS.ReadableStream | null, write: (line: string) => void): void {
  if (stream === null) return;
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (data: string) => {
    buffered += data;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") write(line);
  });
}
