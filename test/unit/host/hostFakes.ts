// Fakes for the host's channel and supervisor: a clock that moves only when told, an in-memory transport, and
// well-formed protocol values.
import type { Timer, Timers } from "../../../extension/src/core/host/timers";
import type {
  GenerationResult,
  HostConfig,
  HostInfo,
  ModelInfo,
  ToHost,
} from "../../../extension/src/core/protocol/host";
import type { HostTransport } from "../../../extension/src/node/host/hostChannel";

interface ScheduledTimer {
  at: number;
  callback: () => void;
  background: boolean;
  cancelled: boolean;
}

export class FakeTimers implements Timers {
  now = 0;
  private scheduled: ScheduledTimer[] = [];

  start(delayMs: number, callback: () => void, options?: { background?: boolean }): Timer {
    const timer: ScheduledTimer = {
      at: this.now + delayMs,
      callback,
      background: options?.background === true,
      cancelled: false,
    };
    this.scheduled.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** The delays of the timers still to fire, soonest first, with whether each lets the process exit. */
  get pending(): { inMs: number; background: boolean }[] {
    return this.active()
      .sort((a, b) => a.at - b.at)
      .map((timer) => ({ inMs: timer.at - this.now, background: timer.background }));
  }

  /** Moves the clock on, firing every timer that comes due on the way, in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = this.active()
        .filter((timer) => timer.at <= until)
        .sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.now = due.at;
      due.cancelled = true;
      due.callback();
    }
    this.now = until;
  }

  private active(): ScheduledTimer[] {
    this.scheduled = this.scheduled.filter((timer) => !timer.cancelled);
    return this.scheduled;
  }
}

export class FakeTransport implements HostTransport {
  readonly sent: ToHost[] = [];
  private readonly messageListeners: ((message: unknown) => void)[] = [];
  private readonly closeListeners: ((reason: string) => void)[] = [];

  send(message: ToHost): void {
    this.sent.push(message);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  /** A message from the host, as IPC would deliver it. */
  deliver(message: unknown): void {
    for (const listener of this.messageListeners) listener(message);
  }

  close(reason: string): void {
    for (const listener of this.closeListeners) listener(reason);
  }
}

/** Lets promise callbacks run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** "pending" while the promise has not settled by the time queued callbacks have run. */
export async function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { error: unknown } | "pending"> {
  let settled: { value: T } | { error: unknown } | "pending" = "pending";
  promise.then(
    (value) => (settled = { value }),
    (error: unknown) => (settled = { error }),
  );
  await flush();
  return settled;
}

export function hostConfig(completionModelPath: string, overrides: Partial<HostConfig> = {}): HostConfig {
  return {
    completionModelPath,
    chatModelPath: "",
    gpu: "cpu",
    contextSize: 2048,
    gpuLayers: "auto",
    threads: 0,
    logLevel: "info",
    ...overrides,
  };
}

export function modelInfo(modelPath: string): ModelInfo {
  return {
    path: modelPath,
    name: "Tiny",
    architecture: "llama",
    sizeBytes: 1024,
    trainContextSize: 4096,
    contextSize: 2048,
    layers: 2,
    offloadedLayers: 0,
    fillInTheMiddle: true,
    chatWrapper: "GeneralChatWrapper",
  };
}

export function hostInfo(modelPath = "/models/tiny.gguf"): HostInfo {
  return {
    gpu: { type: "cpu", names: [], vramTotalBytes: 0, vramUsedBytes: 0 },
    threads: 2,
    completionModel: modelInfo(modelPath),
    chatModel: modelInfo(modelPath),
  };
}

export function generationResult(text: string): GenerationResult {
  return { text, stopReason: "eos", tokensEvaluated: 3, promptTokens: 3, generatedTokens: 2 };
}
