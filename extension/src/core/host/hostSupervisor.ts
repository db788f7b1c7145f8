// The inference host's life cycle, apart from what is said over its channel: starts a process, waits for it to load,
// restarts it after a crash with a growing delay, gives up on a configuration that keeps failing, and falls back to
// the last configuration that loaded. Processes and time are injected, so every transition runs in unit tests.
import path from "node:path";
import { HostRequestError } from "../protocol/backend";
import type { HostConfig, HostError, HostInfo, HostState, LogLevel } from "../protocol/host";
import type { Timer, Timers } from "./timers";

/** Restart delays after crashes: 0.5 s, 1 s, 2 s … capped; back to the start after a healthy minute. */
const firstRestartDelayMs = 500;
const maxRestartDelayMs = 30_000;
export const healthyAfterMs = 60_000;
/** Crashes before the host ever got ready: after this many in a row we stop and show the error. */
export const maxCrashesWhileLoading = 3;

/** The delay before the restart that follows `attempt` earlier restarts since the host was last healthy. */
export function restartDelayMs(attempt: number): number {
  return Math.min(firstRestartDelayMs * 2 ** attempt, maxRestartDelayMs);
}

/** A started host process, as far as its supervisor needs it. */
export interface SupervisedProcess {
  /** Fails the requests still waiting on the process with `error`, asks it to stop, resolves once it has exited. */
  end(error: HostRequestError): Promise<void>;
}

/** What a process reports to its supervisor; reports of a process it has moved on from are ignored. */
export interface ProcessEvents {
  loading(progress: number): void;
  ready(info: HostInfo): void;
  loadFailed(error: HostError): void;
  /** The process ended without being asked to; `how` completes "The inference host …": "was killed (SIGKILL)". */
  exited(how: string): void;
}

export interface HostSupervisorOptions<P extends SupervisedProcess> {
  config: HostConfig;
  /** Starts a process that loads `config`; it must report through `events` only after it has returned. */
  startProcess: (config: HostConfig, events: ProcessEvents) => P;
  timers: Timers;
  log: (level: LogLevel, message: string) => void;
}

/** What the supervisor is doing with processes; the public HostState says what it means for its users. */
type Run<P> =
  /** Nothing runs and nothing is scheduled: stopped, failed, or between a failed process and its replacement. */
  | { name: "idle" }
  /** `healthy`: set once the process is ready, to start the backoff over if it stays up a minute. */
  | { name: "running"; process: P; healthy?: Timer }
  | { name: "backoff"; timer: Timer };

interface Waiting {
  promise: Promise<HostInfo>;
  resolve: (info: HostInfo) => void;
  reject: (error: HostRequestError) => void;
}

type Listener = (state: HostState) => void;

export class HostSupervisor<P extends SupervisedProcess> {
  private config: HostConfig;
  private run: Run<P> = { name: "idle" };
  private currentState: HostState = { phase: "stopped" };
  private readonly listeners = new Set<Listener>();
  /** Settled by the next ready host, or by a failure that ends the wait. */
  private waiting: Waiting | undefined;
  /** The last configuration the host loaded: a new one that fails to load is replaced by it. */
  private lastWorkingConfig: HostConfig | undefined;
  /** Why the configuration asked for last was replaced by lastWorkingConfig; cleared by the next restart or stop. */
  private failedChange: HostError | undefined;
  private restartAttempt = 0;
  private crashesWhileLoading = 0;
  private disposed = false;

  constructor(private readonly options: HostSupervisorOptions<P>) {
    this.config = options.config;
  }

  get state(): HostState {
    return this.currentState;
  }

  /** The process that runs now, loaded or not. */
  get process(): P | undefined {
    return this.run.name === "running" ? this.run.process : undefined;
  }

  onDidChangeState(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Starts the host if needed and resolves once its models are loaded; idempotent. */
  start(): Promise<HostInfo> {
    if (this.disposed)
      return Promise.reject(new HostRequestError("notReady", "The inference host client was disposed."));
    const state = this.currentState;
    if (state.phase === "ready") return Promise.resolve(state.info);
    const failure = this.loadFailure();
    if (failure !== undefined) return Promise.reject(new HostRequestError(failure.code, failure.message));
    if (this.waiting === undefined) {
      this.waiting = waitForReady();
      if (this.run.name !== "backoff") this.spawn();
    }
    return this.waiting.promise;
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
    const models = [...new Set([info.completionModel.path, info.chatModel.path])]
      .map((file) => path.basename(file))
      .join(" and ");
    throw new HostRequestError(failed.code, `${failed.message} The previous model stays in use: ${models}.`);
  }

  /** Stops the host (state "stopped") until the next start(); clears a load failure. */
  async stop(): Promise<void> {
    await this.shutDown("The inference host was stopped.");
    this.failedChange = undefined;
    this.restartAttempt = 0;
    this.crashesWhileLoading = 0;
  }

  /** Stops the host for good; resolves once the process has exited. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.shutDown("The inference host was stopped.");
    this.listeners.clear();
  }

  /** A load failure, or crashes while loading, stop the host until restart(): a bad model stays bad. */
  private loadFailure(): HostError | undefined {
    const state = this.currentState;
    return state.phase === "error" && state.restartInMs === undefined ? state.error : undefined;
  }

  private spawn(): void {
    this.run = { name: "idle" };
    this.setState({ phase: "starting" });
    let started: P | undefined;
    const isCurrent = (): boolean => started !== undefined && this.process === started;
    started = this.options.startProcess(this.config, {
      loading: (progress) => {
        if (isCurrent()) this.setState({ phase: "loading", progress });
      },
      ready: (info) => {
        if (isCurrent()) this.onReady(info);
      },
      loadFailed: (error) => {
        if (isCurrent()) this.onLoadFailed(error);
      },
      exited: (how) => {
        if (isCurrent()) this.onCrash(how);
      },
    });
    this.run = { name: "running", process: started };
  }

  private onReady(info: HostInfo): void {
    this.crashesWhileLoading = 0;
    this.lastWorkingConfig = this.config;
    if (this.run.name === "running") {
      this.run.healthy = this.options.timers.start(
        healthyAfterMs,
        () => {
          this.restartAttempt = 0;
        },
        { background: true },
      );
    }
    this.setState({
      phase: "ready",
      info,
      ...(this.failedChange === undefined ? {} : { failedChange: this.failedChange }),
    });
    this.finishWaiting((waiting) => waiting.resolve(info));
  }

  private onLoadFailed(loadError: HostError): void {
    if (this.canFallBack()) {
      void this.fallBack(loadError);
      return;
    }
    // A bad model stays bad: no restart loop. The host is stopped until restart() or a new config.
    const error = this.withFailedChange(loadError);
    this.setState({ phase: "error", error });
    this.finishWaiting((waiting) => waiting.reject(new HostRequestError(error.code, error.message)));
    void this.shutDown(error.message, false);
  }

  private onCrash(how: string): void {
    if (this.run.name === "running") this.run.healthy?.cancel();
    this.run = { name: "idle" };
    if (this.currentState.phase !== "ready") this.crashesWhileLoading++;
    if (this.crashesWhileLoading >= maxCrashesWhileLoading) {
      const crashed: HostError = {
        code: "hostCrashed",
        message: `The inference host ${how} ${this.crashesWhileLoading} times while loading ${this.config.completionModelPath}.`,
      };
      if (this.canFallBack()) {
        this.crashesWhileLoading = 0;
        void this.fallBack(crashed);
        return;
      }
      const error = this.withFailedChange({ ...crashed, message: `${crashed.message} Giving up until restarted.` });
      this.setState({ phase: "error", error });
      this.finishWaiting((waiting) => waiting.reject(new HostRequestError(error.code, error.message)));
      return;
    }
    const delay = restartDelayMs(this.restartAttempt);
    this.restartAttempt++;
    this.options.log("warn", `The inference host ${how}; restarting in ${delay} ms.`);
    this.setState({
      phase: "error",
      error: { code: "hostCrashed", message: `The inference host ${how}.` },
      restartInMs: delay,
    });
    // Requests made meanwhile wait for the restarted host.
    this.waiting ??= waitForReady();
    this.run = { name: "backoff", timer: this.options.timers.start(delay, () => this.spawn()) };
  }

  /** A config that fails to load while one that loaded earlier is known, and someone waits for the host. */
  private canFallBack(): boolean {
    return (
      this.waiting !== undefined &&
      this.lastWorkingConfig !== undefined &&
      !sameConfig(this.lastWorkingConfig, this.config)
    );
  }

  /**
   * Loads the last working config again in place of one that failed: the waiting start() and the requests behind it
   * are answered by the previous model, and the state says why the new one is not in use. Restarting the process
   * (rather than loading the new model beside the old one) never needs memory for both.
   */
  private async fallBack(error: HostError): Promise<void> {
    const working = this.lastWorkingConfig;
    const waiting = this.waiting;
    if (working === undefined) return;
    this.options.log("warn", `${error.message} Loading the previous model again: ${working.completionModelPath}.`);
    this.failedChange = error;
    this.config = working;
    const failed = this.process;
    this.run = { name: "idle" };
    await failed?.end(new HostRequestError(error.code, error.message));
    // A stop() or restart() meanwhile has settled that wait and decided what runs next.
    if (this.disposed || this.waiting !== waiting) return;
    this.spawn();
  }

  /** A failure of the last working config while it stood in for a failed change reports both. */
  private withFailedChange(error: HostError): HostError {
    const failed = this.failedChange;
    this.failedChange = undefined;
    return failed === undefined
      ? error
      : { code: failed.code, message: `${failed.message} The previous model did not load either: ${error.message}` };
  }

  private async shutDown(reason: string, announce = true): Promise<void> {
    const run = this.run;
    this.run = { name: "idle" };
    if (run.name === "backoff") run.timer.cancel();
    let ended: Promise<void> | undefined;
    if (run.name === "running") {
      run.healthy?.cancel();
      ended = run.process.end(new HostRequestError("notReady", reason));
    }
    this.finishWaiting((waiting) => waiting.reject(new HostRequestError("notReady", reason)));
    await ended;
    if (announce) this.setState({ phase: "stopped" });
  }

  private finishWaiting(action: (waiting: Waiting) => void): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting !== undefined) action(waiting);
  }

  private setState(state: HostState): void {
    this.currentState = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

function waitForReady(): Waiting {
  let settle: Pick<Waiting, "resolve" | "reject"> | undefined;
  const promise = new Promise<HostInfo>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers that only wanted the state must not see an unhandled rejection.
  promise.catch(() => undefined);
  return {
    promise,
    resolve: (info) => settle?.resolve(info),
    reject: (error) => settle?.reject(error),
  };
}

function sameConfig(a: HostConfig, b: HostConfig): boolean {
  return (Object.keys(a) as (keyof HostConfig)[]).every((key) => a[key] === b[key]);
}
