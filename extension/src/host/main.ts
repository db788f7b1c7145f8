// Entry point of the inference host process (dist/host/main.mjs), forked by HostClient with an IPC channel.
// It talks only over IPC; its stdout/stderr (where libraries print) end up in the extension's log.
import { type FromHost, type LogLevel, type Malformed, type ToHost, checkToHost } from "../core/protocol/host";
import { InferenceEngine } from "./engine";
import { hardwareReport } from "./hardware";
import { HostFailure, errorText, toHostError } from "./failure";

const logLevelRank: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

function send(message: FromHost): void {
  process.send?.(message);
}

let logThreshold: LogLevel = "info";
function log(level: LogLevel, message: string): void {
  if (logLevelRank[level] >= logLevelRank[logThreshold]) send({ kind: "log", level, message });
}

const engine = new InferenceEngine(log);
let phase: "waiting" | "loading" | "ready" | "failed" = "waiting";
let loadError: HostFailure | undefined;

function notReady(): HostFailure {
  if (phase === "failed" && loadError !== undefined)
    return new HostFailure("notReady", `The models failed to load: ${loadError.message}`);
  return new HostFailure("notReady", "The inference host is still loading its models.");
}

function isFirstInit(): boolean {
  if (phase === "waiting") return true;
  log("warn", "Ignoring a second init message; restart the host to change its configuration.");
  return false;
}

async function handle(message: ToHost): Promise<void> {
  switch (message.kind) {
    case "init": {
      if (!isFirstInit()) return;
      logThreshold = message.config.logLevel;
      phase = "loading";
      const started = performance.now();
      try {
        const info = await engine.load(message.config, (progress, modelPath) =>
          send({ kind: "loading", progress, modelPath }),
        );
        phase = "ready";
        log(
          "info",
          `Models loaded in ${Math.round(performance.now() - started)} ms (${info.gpu.type}, ${info.threads} threads).`,
        );
        send({ kind: "ready", info });
      } catch (error) {
        phase = "failed";
        loadError =
          error instanceof HostFailure ? error : new HostFailure(toHostError(error, false).code, errorText(error));
        log("error", loadError.message);
        send({ kind: "loadFailed", error: loadError.toHostError() });
      }
      return;
    }
    case "infill":
    case "chat":
    case "guard":
    case "embed":
    case "info":
    case "countTokens":
      await serve(message);
      return;
    case "cancel":
      engine.cancel(message.id);
      return;
    case "hardware":
      try {
        send({ kind: "hardware", id: message.id, report: await hardwareReport(message.gpu) });
      } catch (error) {
        send({ kind: "error", id: message.id, error: toHostError(error, false) });
      }
      return;
    case "shutdown":
      await shutDown();
      return;
  }
}

async function serve(
  request: Extract<ToHost, { kind: "infill" | "chat" | "guard" | "embed" | "info" | "countTokens" }>,
): Promise<void> {
  const { id } = request;
  try {
    if (phase !== "ready") throw notReady();
    switch (request.kind) {
      case "info":
        send({ kind: "info", id, info: await engine.info() });
        return;
      case "countTokens":
        send({ kind: "tokenCounts", id, counts: engine.countTokens(request.params) });
        return;
      case "infill":
        send({ kind: "result", id, result: await engine.infill(id, request.params) });
        return;
      case "guard":
        send({ kind: "result", id, result: await engine.guardCheck(id, request.params) });
        return;
      case "embed":
        send({ kind: "embedded", id, result: await engine.embed(id, request.params) });
        return;
      case "chat":
        send({
          kind: "result",
          id,
          result: await engine.chat(id, request.params, (text) => send({ kind: "chunk", id, text })),
        });
        return;
    }
  } catch (error) {
    const hostError = toHostError(error, false);
    if (hostError.code === "internal") log("error", `${request.kind} request failed: ${hostError.message}`);
    send({ kind: "error", id, error: hostError });
  }
}

const malformedRequests: Record<"infill" | "chat" | "guard" | "embed" | "countTokens" | "hardware", string> = {
  infill: "Malformed infill parameters.",
  countTokens: "Malformed token count request.",
  guard: "Malformed guard parameters.",
  embed: "Malformed embed parameters (a purpose and a non-empty list of texts).",
  chat: "Malformed chat parameters (the last turn must be the user's).",
  hardware: "Malformed hardware request.",
};

/** A malformed request that names its id gets an answer, so the extension does not wait for one in vain. */
function refuse({ kind, id }: Malformed<ToHost["kind"]>): void {
  if (kind === "init") {
    refuseConfig();
    return;
  }
  if (
    id !== undefined &&
    (kind === "infill" ||
      kind === "chat" ||
      kind === "guard" ||
      kind === "embed" ||
      kind === "countTokens" ||
      kind === "hardware")
  ) {
    // As for a well-formed request, a host that cannot serve models says so first.
    const failure =
      kind !== "hardware" && phase !== "ready" ? notReady() : new HostFailure("badRequest", malformedRequests[kind]);
    send({ kind: "error", id, error: failure.toHostError() });
    return;
  }
  log("warn", "Ignoring a malformed message from the extension.");
}

function refuseConfig(): void {
  if (!isFirstInit()) return;
  phase = "failed";
  loadError = new HostFailure("badRequest", "The host configuration is malformed.");
  send({ kind: "loadFailed", error: loadError.toHostError() });
}

async function shutDown(): Promise<void> {
  // llama.cpp cannot interrupt a running evaluation and process.exit() would wait for it; do not let that hang us.
  setTimeout(() => process.kill(process.pid, "SIGKILL"), 2000).unref();
  await engine.dispose().catch((error: unknown) => log("warn", `Dispose failed: ${errorText(error)}`));
  process.exit(0);
}

if (process.send === undefined) {
  process.stderr.write("The Llama Assist inference host must be started by the extension (it needs an IPC channel).\n");
  process.exit(2);
}
// The parent died (or closed the channel): nobody can use our answers. SIGKILL, because process.exit() waits for an
// in-flight decode for seconds.
process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
process.on("message", (value: unknown) => {
  const checked = checkToHost(value);
  if (checked.ok) void handle(checked.message);
  else refuse(checked);
});
process.on("unhandledRejection", (reason) => log("error", `Unhandled rejection: ${errorText(reason)}`));
