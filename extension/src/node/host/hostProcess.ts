// One forked inference host process: its IPC channel as a HostTransport, its output forwarded to the log, and its
// exit reported to the supervisor.
import { type ChildProcess, fork } from "node:child_process";
import type { HostConfig, LogLevel, ToHost } from "../../core/protocol/host";
import { HostRequestError } from "../../core/protocol/backend";
import type { ProcessEvents, SupervisedProcess } from "../../core/host/hostSupervisor";
import type { Timers } from "../../core/host/timers";
import { HostChannel, type HostTransport } from "./hostChannel";

/** How long a host asked to shut down gets before it is killed. */
const exitGraceMs = 3_000;

export interface HostProcessOptions {
  /** Absolute path of dist/host/main.mjs. */
  hostScript: string;
  log: (level: LogLevel, message: string) => void;
  timers: Timers;
}

export class HostProcess implements SupervisedProcess {
  readonly channel: HostChannel;
  private readonly child: ChildProcess;

  constructor(config: HostConfig, events: ProcessEvents, options: HostProcessOptions) {
    const { log } = options;
    const child = fork(options.hostScript, [], {
      execPath: process.execPath,
      // Not the parent's flags: an inspector port or a TypeScript loader (tests run under tsx) has no business there.
      execArgv: [],
      // Electron runs the script as plain Node only with this; node-llama-cpp's own child processes need it too.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.child = child;
    forwardLines(child.stdout, (line) => log("debug", `host: ${line}`));
    forwardLines(child.stderr, (line) => log("warn", `host: ${line}`));
    child.on("error", (error) => log("error", `Inference host process error: ${error.message}`));
    this.channel = new HostChannel(childTransport(child, log), {
      log,
      onLifecycle: (message) => {
        switch (message.kind) {
          case "loading":
            events.loading(message.progress);
            return;
          case "ready":
            events.ready(message.info);
            return;
          case "loadFailed":
            events.loadFailed(message.error);
            return;
        }
      },
      closedError: (how) => new HostRequestError("hostCrashed", `The inference host ${how}; it is being restarted.`),
      timers: options.timers,
    });
    // After the channel's own listener, so requests have failed before the supervisor hears of the exit.
    child.on("exit", (code, signal) => events.exited(describeExit(code, signal)));
    child.send({ kind: "init", config } satisfies ToHost);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async end(error: HostRequestError): Promise<void> {
    this.channel.close(error);
    await endProcess(this.child);
  }
}

function childTransport(child: ChildProcess, log: (level: LogLevel, message: string) => void): HostTransport {
  return {
    send: (message) => {
      if (!child.connected) return;
      child.send(message, (error) => {
        if (error !== null) log("warn", `Could not send ${message.kind} to the inference host: ${error.message}`);
      });
    },
    onMessage: (listener) => child.on("message", (message: unknown) => listener(message)),
    onClose: (listener) => child.on("exit", (code, signal) => listener(describeExit(code, signal))),
  };
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was killed (${signal})` : `exited with code ${code}`;
}

/** Asks a host process to shut down and waits for it to exit, killing it after a grace period. */
async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  if (child.connected) child.send({ kind: "shutdown" } satisfies ToHost);
  const killTimer = setTimeout(() => child.kill("SIGKILL"), exitGraceMs);
  await exited;
  clearTimeout(killTimer);
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
