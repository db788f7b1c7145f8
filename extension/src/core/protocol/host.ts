// The one protocol between the extension and the inference host process.
// Both sides import this file; the IPC channel carries these objects as-is.

export type GpuSetting = "auto" | "cuda" | "vulkan" | "metal" | "cpu";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

/** What the host needs to load its models; a change to any of it needs a restart. */
export interface HostConfig {
  completionModelPath: string;
  /** Empty means "use the completion model". */
  chatModelPath: string;
  gpu: GpuSetting;
  contextSize: number;
  /** 0 means "let the host decide", which is never more than llama's cpuMathCores. */
  threads: number;
  logLevel: LogLevel;
}

export interface InfillParams {
  prefix: string;
  suffix: string;
  maxTokens: number;
  stop: string[];
  temperature: number;
}

export type ChatRole = "user" | "assistant";

export interface ChatTurn {
  role: ChatRole;
  text: string;
}

export interface ChatParams {
  systemPrompt: string;
  /** The whole conversation; the last turn is the user's new message. */
  turns: ChatTurn[];
  maxTokens: number;
  temperature: number;
}

export type StopReason = "eos" | "maxTokens" | "stop" | "abort";

export interface GenerationResult {
  text: string;
  stopReason: StopReason;
  /** Tokens evaluated for the prompt by this request, after KV-cache reuse. */
  tokensEvaluated: number;
  promptTokens: number;
  generatedTokens: number;
  /** Set when the model has no FIM tokens and the host fell back to prefix-only completion. */
  fallback?: "prefixOnly";
}

export interface ModelInfo {
  path: string;
  name: string;
  architecture: string;
  sizeBytes: number;
  parameters?: number;
  trainContextSize: number;
  contextSize: number;
  layers: number;
  offloadedLayers: number;
  fillInTheMiddle: boolean;
  chatWrapper: string;
}

export interface GpuInfo {
  type: "cuda" | "vulkan" | "metal" | "cpu";
  names: string[];
  vramTotalBytes: number;
  vramUsedBytes: number;
}

export interface HostInfo {
  gpu: GpuInfo;
  threads: number;
  completionModel: ModelInfo;
  chatModel: ModelInfo;
}

export type HostRequest =
  | { kind: "infill"; id: number; params: InfillParams }
  | { kind: "chat"; id: number; params: ChatParams }
  | { kind: "info"; id: number }
  | { kind: "cancel"; id: number };

export type RequestKind = Exclude<HostRequest["kind"], "cancel">;

/** Messages from the extension to the host. `init` is sent once, right after the fork. */
export type ToHost = { kind: "init"; config: HostConfig } | HostRequest | { kind: "shutdown" };

export type HostErrorCode =
  | "modelNotFound"
  | "notGguf"
  | "corruptModel"
  | "unsupportedArchitecture"
  | "outOfMemory"
  | "contextExceeded"
  | "noFillInTheMiddle"
  | "cancelled"
  | "notReady"
  | "hostCrashed"
  | "badRequest"
  | "internal";

export interface HostError {
  code: HostErrorCode;
  message: string;
}

export type FromHost =
  | { kind: "loading"; progress: number; modelPath: string }
  | { kind: "ready"; info: HostInfo }
  | { kind: "loadFailed"; error: HostError }
  | { kind: "chunk"; id: number; text: string }
  | { kind: "result"; id: number; result: GenerationResult }
  | { kind: "info"; id: number; info: HostInfo }
  | { kind: "error"; id: number; error: HostError }
  | { kind: "log"; level: LogLevel; message: string };

const requestKinds: ReadonlySet<string> = new Set<ToHost["kind"]>(["init", "infill", "chat", "info", "cancel", "shutdown"]);
const replyKinds: ReadonlySet<string> = new Set<FromHost["kind"]>([
  "loading",
  "ready",
  "loadFailed",
  "chunk",
  "result",
  "info",
  "error",
  "log",
]);

function hasKind(value: unknown, kinds: ReadonlySet<string>): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === "string" &&
    kinds.has((value as { kind: string }).kind)
  );
}

/** IPC delivers `unknown`; these guards are the only way either side narrows it. */
export function isToHost(value: unknown): value is ToHost {
  return hasKind(value, requestKinds);
}

export function isFromHost(value: unknown): value is FromHost {
  return hasKind(value, replyKinds);
}

/** The host as the extension sees it, across restarts. */
export type HostState =
  | { phase: "stopped" }
  | { phase: "starting" }
  | { phase: "loading"; progress: number }
  | { phase: "ready"; info: HostInfo }
  | { phase: "error"; error: HostError; restartInMs?: number };
