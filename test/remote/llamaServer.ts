// Starts llama.cpp's llama-server (built by build-llama-server.sh into a cache outside the repository) on 127.0.0.1
// on a free port with a given GGUF, for the remote integration tests and bench:peer, and stops it with no orphans.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import path from "node:path";
import { repoRoot } from "../fixtures/scriptedModel";

export function llamaServerBinary(): string {
  const info = JSON.parse(
    readFileSync(path.join(repoRoot, "node_modules/node-llama-cpp/llama/llama.cpp.info.json"), "utf8"),
  ) as { tag: string };
  const cache = process.env.LLAMA_ASSIST_CACHE ?? path.join(homedir(), ".cache/llama-assist");
  return path.join(cache, "llama-server", info.tag, "bin/llama-server");
}

export interface LlamaServerOptions {
  modelPath: string;
  threads: number;
  contextSize: number;
  /** More command-line flags, e.g. llama.vscode's recommended batch sizes and --cache-reuse. */
  extraArgs?: string[];
}

export interface RunningLlamaServer {
  url: string;
  process: ChildProcess;
  /** What the server printed, for a failing test's message. */
  log: () => string;
  stop: () => Promise<void>;
}

const setpriv = "/usr/bin/setpriv";
const readyTimeoutMs = 120_000;
const stopGraceMs = 5_000;
const maxLogChars = 64 * 1024;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export async function startLlamaServer(options: LlamaServerOptions): Promise<RunningLlamaServer> {
  const binary = llamaServerBinary();
  if (!existsSync(binary))
    throw new Error(
      `${binary} is missing: run bash test/remote/build-llama-server.sh first (10-15 minutes on 2 cores)`,
    );
  const port = await freePort();
  const args = [
    "--model",
    options.modelPath,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--threads",
    String(options.threads),
    "--threads-batch",
    String(options.threads),
    "--ctx-size",
    String(options.contextSize),
    // One slot: a request that is not freed after an abort would keep the next one waiting, which the tests detect.
    "--parallel",
    "1",
    ...(options.extraArgs ?? []),
  ];
  // setpriv's parent-death signal kills the server even when this process is killed outright, which no exit
  // handler survives.
  const child = existsSync(setpriv)
    ? spawn(setpriv, ["--pdeathsig", "KILL", "--", binary, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (data: Buffer): void => {
    output = (output + data.toString("utf8")).slice(-maxLogChars);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // Where setpriv is missing: a test run that exits without stop() must not leave the server running.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), stopGraceMs);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`llama-server exited while starting:\n${output}`);
      if (Date.now() - started > readyTimeoutMs)
        throw new Error(`llama-server was not ready after ${readyTimeoutMs} ms:\n${output}`);
      // /health answers 503 while the model loads and 200 once requests are served.
      const healthy = await fetch(`${url}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, process: child, log: () => output, stop };
}

/** Whether the server's only slot is busy, from /slots (enabled by default). */
export async function slotBusy(url: string): Promise<boolean> {
  const slots = (await (await fetch(`${url}/slots`)).json()) as { is_processing?: boolean }[];
  return slots.some((slot) => slot.is_processing === true);
}
