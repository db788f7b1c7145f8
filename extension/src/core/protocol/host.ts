// The one protocol between the extension and the inference host process.
// Both sides import this file; the IPC channel carries these objects as-is.
import { isStopPolicySpec, type StopDecision, type StopPolicySpec } from "../completion/stopPolicy";

export type GpuSetting = "auto" | "cuda" | "vulkan" | "metal" | "cpu";

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

/** What the host needs to load its models; a change to any of it needs a restart. */
export interface HostConfig {
  completionModelPath: string;
  /** Empty means "use the completion model". */
  chatModelPath: string;
  gpu: GpuSetting;
  /** "auto": the largest context node-llama-cpp's memory estimate fits, up to the model's training context. */
  contextSize: number | "auto";
  /** "auto": as many layers on the GPU as node-llama-cpp's memory estimate fits. */
  gpuLayers: number | "auto";
  /** 0 means "let the host decide", which is never more than llama's cpuMathCores. */
  threads: number;
  logLevel: LogLevel;
}

/**
 * The host cuts an over-long prompt to fit the context (the start of the prefix, in steps of 256 tokens so the
 * cut point stays put while the user types; the end of the suffix, which gets at most 512 tokens), so send the text
 * around the cursor generously and do not slide its start with every keystroke: a moving start defeats the
 * KV-cache reuse. It fails with "contextExceeded" only when maxTokens leaves no room for a prompt.
 */
export interface InfillParams {
  /**
   * With `context`: the prompt fitted to its budget by a character estimate, for backends that cannot count the
   * model's tokens (OpenAI-compatible servers, Ollama); the local host and llama-server fit `context` themselves.
   */
  prefix: string;
  suffix: string;
  maxTokens: number;
  stop: string[];
  temperature: number;
  /** The prompt's pieces and budget, for a backend that has the model's tokenizer to fit them exactly. */
  context?: InfillContext;
  /** When to stop before maxTokens: the moment post-processing's result is final (StopPolicy). */
  stopPolicy?: StopPolicySpec;
}

/** Shares of a completion prompt's token budget; the FIM control tokens come on top of `totalTokens`. */
export interface PromptBudget {
  /** Tokens for everything: prefix, suffix and pieces from other files. */
  totalTokens: number;
  /** At most this share of the total goes to the suffix. */
  suffixShare: number;
  /** At most this share of the total goes to pieces from other files. */
  snippetShare: number;
}

/** Code from elsewhere for the prompt: an imported definition, a recently edited range, a viewed file. */
export interface InfillContextPiece {
  /** The code, its file-path comment first, as it goes into the prompt. */
  text: string;
  /** Why it is there, for the trace. */
  label: string;
}

/** The first line of a function or class that encloses the cursor. */
export interface InfillScope {
  /** The document line it is on, 0-based. */
  line: number;
  text: string;
}

/**
 * What a completion prompt is made of, most important first, for the host to fit into `budget` with the model's own
 * tokenizer (fitInfillContext). The text around the cursor is sent beyond what the budget can hold.
 */
export interface InfillContext {
  budget: PromptBudget;
  /** The code before the cursor, from the start of line `prefixFirstLine`. */
  prefix: string;
  prefixFirstLine: number;
  /** The code after the cursor, from the cursor on. */
  suffix: string;
  /** The document's path as a comment line, with its line break. */
  pathComment: string;
  pieces: InfillContextPiece[];
  /** Outermost first; their headers are kept when the prefix is cut inside them. */
  scopes: InfillScope[];
}

export type ChatRole = "user" | "assistant";

export interface ChatTurn {
  role: ChatRole;
  text: string;
}

/** A conversation that does not fit the context fails with "contextExceeded"; the host does not drop turns. */
export interface ChatParams {
  systemPrompt: string;
  /** The whole conversation; the last turn is the user's new message. */
  turns: ChatTurn[];
  maxTokens: number;
  temperature: number;
}

/**
 * A cancelled request (a `cancel` message, or a newer request of the same kind superseding it) never gets a
 * `result`: the host answers an `error` with code "cancelled". Chat text streamed before that stays with the caller.
 * "abort" is therefore never sent by the host; it remains for callers that record why their own stream ended.
 */
export type StopReason = "eos" | "maxTokens" | "stop" | "abort" | StopDecision["reason"];

export interface GenerationResult {
  text: string;
  stopReason: StopReason;
  /** Tokens evaluated for the prompt by this request, after KV-cache reuse. */
  tokensEvaluated: number;
  promptTokens: number;
  generatedTokens: number;
  /** Set when the model has no FIM tokens and the host fell back to prefix-only completion. */
  fallback?: "prefixOnly";
  /** What the host kept of InfillParams.context and the tokens each part took, counted with the model's tokenizer. */
  promptFit?: string[];
  /** Where the request's time went, by the server's own clock; absent where a server does not say. */
  timings?: GenerationTimings;
}

export interface GenerationTimings {
  /** Evaluating the prompt tokens that were not cached. */
  promptMs: number;
  /** Generating the answer, from the first generated token's evaluation to the last. */
  generationMs: number;
}

export interface ModelInfo {
  path: string;
  name: string;
  /** The file's general.description, when it has one: what its maker says the model is for. */
  description?: string;
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
  /** Set when the backend the settings ask for could not be used and the host runs on `type` instead. */
  fallback?: { requested: Exclude<GpuInfo["type"], "cpu">; reason: string };
}

/** What a fresh process finds on this machine, for choosing models before any is loaded. */
export interface HardwareReport {
  /** The backend the host would use with the requested GPU setting. */
  gpu: GpuInfo;
  vramFreeBytes: number;
  /** GPU backends whose drivers this machine has, whether or not their llama.cpp binaries are installed. */
  availableGpuTypes: Exclude<GpuInfo["type"], "cpu">[];
  cpuMathCores: number;
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

/**
 * Messages from the extension to the host. `init` is sent once, right after the fork. `hardware` needs no init: a
 * short-lived host process answers it before any model is configured, then is disconnected.
 */
export type ToHost =
  | { kind: "init"; config: HostConfig }
  | HostRequest
  | { kind: "shutdown" }
  | { kind: "hardware"; id: number; gpu: GpuSetting };

export type HostErrorCode =
  | "modelNotFound"
  | "notGguf"
  | "corruptModel"
  | "unsupportedArchitecture"
  | "outOfMemory"
  | "contextExceeded"
  | "noFillInTheMiddle"
  | "gpuUnavailable"
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
  | { kind: "hardware"; id: number; report: HardwareReport }
  | { kind: "error"; id: number; error: HostError }
  | { kind: "log"; level: LogLevel; message: string };

const requestKinds: ReadonlySet<string> = new Set<ToHost["kind"]>(["init", "infill", "chat", "info", "cancel", "shutdown", "hardware"]);
const replyKinds: ReadonlySet<string> = new Set<FromHost["kind"]>([
  "loading",
  "ready",
  "loadFailed",
  "chunk",
  "result",
  "info",
  "hardware",
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isCount(value: unknown, minimum: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= minimum;
}

function isTemperature(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function isShare(value: unknown): value is number {
  return typeof value === "number" && value >= 0 && value <= 1;
}

function isPromptBudget(value: unknown): value is PromptBudget {
  return isRecord(value) && isCount(value.totalTokens, 1) && isShare(value.suffixShare) && isShare(value.snippetShare);
}

function isInfillContext(value: unknown): value is InfillContext {
  return (
    isRecord(value) &&
    isPromptBudget(value.budget) &&
    typeof value.prefix === "string" &&
    isCount(value.prefixFirstLine, 0) &&
    typeof value.suffix === "string" &&
    typeof value.pathComment === "string" &&
    Array.isArray(value.pieces) &&
    value.pieces.every((piece) => isRecord(piece) && typeof piece.text === "string" && typeof piece.label === "string") &&
    Array.isArray(value.scopes) &&
    value.scopes.every((scope) => isRecord(scope) && isCount(scope.line, 0) && typeof scope.text === "string")
  );
}

/** The host checks request parameters with these before use: `kind` alone says nothing about the payload. */
export function isInfillParams(value: unknown): value is InfillParams {
  return (
    isRecord(value) &&
    typeof value.prefix === "string" &&
    typeof value.suffix === "string" &&
    isCount(value.maxTokens, 1) &&
    Array.isArray(value.stop) &&
    value.stop.every((stop) => typeof stop === "string") &&
    isTemperature(value.temperature) &&
    (value.context === undefined || isInfillContext(value.context)) &&
    (value.stopPolicy === undefined || isStopPolicySpec(value.stopPolicy))
  );
}

export function isChatParams(value: unknown): value is ChatParams {
  if (!isRecord(value) || typeof value.systemPrompt !== "string" || !isCount(value.maxTokens, 1) || !isTemperature(value.temperature)) {
    return false;
  }
  const turns = value.turns;
  return (
    Array.isArray(turns) &&
    turns.length > 0 &&
    turns.every((turn) => isRecord(turn) && (turn.role === "user" || turn.role === "assistant") && typeof turn.text === "string") &&
    (turns[turns.length - 1] as ChatTurn).role === "user"
  );
}

export function isHostConfig(value: unknown): value is HostConfig {
  return (
    isRecord(value) &&
    typeof value.completionModelPath === "string" &&
    value.completionModelPath !== "" &&
    typeof value.chatModelPath === "string" &&
    (value.gpu === "auto" || value.gpu === "cuda" || value.gpu === "vulkan" || value.gpu === "metal" || value.gpu === "cpu") &&
    (value.contextSize === "auto" || isCount(value.contextSize, 1)) &&
    (value.gpuLayers === "auto" || isCount(value.gpuLayers, 0)) &&
    isCount(value.threads, 0) &&
    (value.logLevel === "trace" || value.logLevel === "debug" || value.logLevel === "info" || value.logLevel === "warn" || value.logLevel === "error")
  );
}

/** The host as the extension sees it, across restarts. */
export type HostState =
  | { phase: "stopped" }
  | { phase: "starting" }
  | { phase: "loading"; progress: number }
  /**
   * `failedChange`: the configuration asked for last did not load, for this reason, and the host serves the last one
   * that did (info names its models): a bad model or context size never leaves the user without a working one.
   */
  | { phase: "ready"; info: HostInfo; failedChange?: HostError }
  | { phase: "error"; error: HostError; restartInMs?: number };
