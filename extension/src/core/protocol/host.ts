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
  /** Llama Guard, loaded beside the other models with a context of its own; empty or absent: none. */
  guardModelPath?: string;
  /** An embedding model for workspace retrieval, loaded last with a context of its own; empty or absent: none. */
  embeddingModelPath?: string;
}

/**
 * The host cuts an over-long prompt to fit the context (the start of the prefix, in steps of 256 tokens so the
 * cut point stays put while the user types; the end of the suffix, which gets at most 512 tokens), so send the text
 * around the cursor generously and do not slide its start with every keystroke: a moving start defeats the
 * KV-cache reuse. It fails with "contextExceeded" only when maxTokens leaves no room for a prompt.
 */
export interface InfillParams {
  /**
   * The code before and after the cursor. Without `context`, they are the prompt as it goes to the model. With it,
   * they are windows around the cursor with more text than the budget holds, and the backend that serves the request
   * fits them and the context's pieces into the budget, counting with its own tokenizer (completion/promptFit.ts).
   */
  prefix: string;
  suffix: string;
  maxTokens: number;
  stop: string[];
  temperature: number;
  /** The rest of a completion prompt, as structured pieces, and its budget. */
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
  /** The file it comes from, relative to the workspace. */
  path: string;
  text: string;
  /** Why it is there, for the trace. */
  reason: string;
}

/** The first line of a function or class that encloses the cursor. */
export interface InfillScope {
  /** The document line it is on, 0-based. */
  line: number;
  text: string;
}

/**
 * What a completion prompt is made of besides the code around the cursor, most important first. Each backend renders
 * the pieces its own way: into the prompt text with their paths as comments, or apart from it (llama-server).
 */
export interface InfillContext {
  budget: PromptBudget;
  /** The document line InfillParams.prefix starts on, 0-based: the fit cuts the code into blocks of document lines. */
  prefixFirstLine: number;
  /** The document's language, whose line comments carry the file paths in the prompt. */
  languageId: string;
  /** The document's path relative to the workspace. */
  path: string;
  pieces: InfillContextPiece[];
  /** Outermost first; their headers are kept when the prefix is cut inside them. */
  scopes: InfillScope[];
}

/**
 * One Llama Guard check: the prompt as text with Llama 3's special tokens, in two parts. The host evaluates `policy`
 * once per role and keeps it in that role's KV cache, so a check evaluates only the conversation.
 */
export interface GuardParams {
  role: GuardRole;
  policy: string;
  conversation: string;
  maxTokens: number;
}

export type GuardRole = "User" | "Agent";

/** Embedding models such as nomic-embed-text are trained with a different prefix for questions and for passages. */
export type EmbeddingPurpose = "query" | "document";

/** Texts to embed; a text longer than the embedding context is cut to its start. */
export interface EmbedParams {
  purpose: EmbeddingPurpose;
  texts: string[];
}

export interface EmbeddingResult {
  /** One per text, in order, as the model pools them (not normalised). */
  vectors: number[][];
  /** How many of the texts were cut to fit the embedding context. */
  truncated: number;
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

/** Texts to count in the chat model's tokens, each on its own (no chat template around them). */
export interface CountTokensParams {
  texts: string[];
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
  /** With InfillParams.context: what the fit kept and the tokens each part took; its last line says how they were counted. */
  promptFit?: string[];
  /** Where the request's time went, by the server's own clock; absent where a server does not say. */
  timings?: GenerationTimings;
  /** Secrets replaced by a placeholder before the request went to a server off this machine (remote/redaction.ts). */
  redactedSecrets?: number;
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
  guardModel?: ModelInfo;
  /** Set when a guard model was configured and did not load; the other models serve anyway. */
  guardFailure?: HostError;
  embeddingModel?: ModelInfo;
  /** Set when an embedding model was configured and did not load; retrieval then ranks by keywords alone. */
  embeddingFailure?: HostError;
}

/**
 * Each request the extension makes of a loaded host: what it sends, and what the reply that settles it carries. A
 * request is also settled by an `error` message with its id.
 */
export interface HostRequestMap {
  infill: { params: InfillParams; result: GenerationResult };
  chat: { params: ChatParams; result: GenerationResult };
  guard: { params: GuardParams; result: GenerationResult };
  embed: { params: EmbedParams; result: EmbeddingResult };
  info: { params: undefined; result: HostInfo };
  countTokens: { params: CountTokensParams; result: number[] };
}

export type RequestKind = keyof HostRequestMap;
export type RequestParams<K extends RequestKind> = HostRequestMap[K]["params"];
export type RequestResult<K extends RequestKind> = HostRequestMap[K]["result"];

export type HostRequest =
  | { kind: "infill"; id: number; params: RequestParams<"infill"> }
  | { kind: "chat"; id: number; params: RequestParams<"chat"> }
  | { kind: "guard"; id: number; params: RequestParams<"guard"> }
  | { kind: "embed"; id: number; params: RequestParams<"embed"> }
  | { kind: "info"; id: number }
  | { kind: "countTokens"; id: number; params: RequestParams<"countTokens"> }
  | { kind: "cancel"; id: number };

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
  | { kind: "embedded"; id: number; result: EmbeddingResult }
  | { kind: "info"; id: number; info: HostInfo }
  | { kind: "tokenCounts"; id: number; counts: number[] }
  | { kind: "hardware"; id: number; report: HardwareReport }
  | { kind: "error"; id: number; error: HostError }
  | { kind: "log"; level: LogLevel; message: string };

/** The messages that settle a request: the host sends each with the request's id. */
export type ReplyMessage = Extract<FromHost, { kind: "result" | "embedded" | "info" | "tokenCounts" | "error" }>;

/** The host's own news, which belongs to no request. */
export type LifecycleMessage = Extract<FromHost, { kind: "loading" | "ready" | "loadFailed" }>;

const requestBuilders: { [K in RequestKind]: (id: number, params: RequestParams<K>) => HostRequest } = {
  infill: (id, params) => ({ kind: "infill", id, params }),
  chat: (id, params) => ({ kind: "chat", id, params }),
  guard: (id, params) => ({ kind: "guard", id, params }),
  embed: (id, params) => ({ kind: "embed", id, params }),
  info: (id) => ({ kind: "info", id }),
  countTokens: (id, params) => ({ kind: "countTokens", id, params }),
};

export function requestMessage<K extends RequestKind>(kind: K, id: number, params: RequestParams<K>): HostRequest {
  const build: (id: number, params: RequestParams<K>) => HostRequest = requestBuilders[kind];
  return build(id, params);
}

const resultReaders: { [K in RequestKind]: (reply: ReplyMessage) => RequestResult<K> | undefined } = {
  infill: (reply) => (reply.kind === "result" ? reply.result : undefined),
  chat: (reply) => (reply.kind === "result" ? reply.result : undefined),
  guard: (reply) => (reply.kind === "result" ? reply.result : undefined),
  embed: (reply) => (reply.kind === "embedded" ? reply.result : undefined),
  info: (reply) => (reply.kind === "info" ? reply.info : undefined),
  countTokens: (reply) => (reply.kind === "tokenCounts" ? reply.counts : undefined),
};

/** What a reply carries for a request of `kind`; undefined when it is not the kind of reply that request gets. */
export function resultOf<K extends RequestKind>(kind: K, reply: ReplyMessage): RequestResult<K> | undefined {
  const read: (reply: ReplyMessage) => RequestResult<K> | undefined = resultReaders[kind];
  return read(reply);
}

const toHostKinds = membersOf<ToHost["kind"]>({
  init: true,
  infill: true,
  chat: true,
  guard: true,
  embed: true,
  info: true,
  countTokens: true,
  cancel: true,
  shutdown: true,
  hardware: true,
});
const fromHostKinds: readonly FromHost["kind"][] = [
  "loading",
  "ready",
  "loadFailed",
  "chunk",
  "result",
  "embedded",
  "info",
  "tokenCounts",
  "hardware",
  "error",
  "log",
];

/** A message of a known kind whose other fields are still unchecked. */
export type Envelope<K extends string> = { kind: K } & Record<string, unknown>;

function isOneOf<T extends string>(value: unknown, options: readonly T[]): value is T {
  return options.some((option) => option === value);
}

/**
 * IPC delivers `unknown`. These say only that a value is a message of their direction, of a known kind;
 * checkToHost and checkFromHost say whether its fields are what that kind needs.
 */
export function isToHost(value: unknown): value is Envelope<ToHost["kind"]> {
  return isRecord(value) && isOneOf(value.kind, toHostKinds);
}

export function isFromHost(value: unknown): value is Envelope<FromHost["kind"]> {
  return isRecord(value) && isOneOf(value.kind, fromHostKinds);
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
    isCount(value.prefixFirstLine, 0) &&
    typeof value.languageId === "string" &&
    typeof value.path === "string" &&
    Array.isArray(value.pieces) &&
    value.pieces.every(
      (piece) =>
        isRecord(piece) &&
        typeof piece.path === "string" &&
        typeof piece.text === "string" &&
        typeof piece.reason === "string",
    ) &&
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
  if (
    !isRecord(value) ||
    typeof value.systemPrompt !== "string" ||
    !isCount(value.maxTokens, 1) ||
    !isTemperature(value.temperature)
  ) {
    return false;
  }
  const turns = value.turns;
  return (
    Array.isArray(turns) &&
    turns.length > 0 &&
    turns.every(
      (turn) => isRecord(turn) && (turn.role === "user" || turn.role === "assistant") && typeof turn.text === "string",
    ) &&
    (turns[turns.length - 1] as ChatTurn).role === "user"
  );
}

export function isCountTokensParams(value: unknown): value is CountTokensParams {
  return isRecord(value) && Array.isArray(value.texts) && value.texts.every((text) => typeof text === "string");
}

export function isGuardParams(value: unknown): value is GuardParams {
  return (
    isRecord(value) &&
    (value.role === "User" || value.role === "Agent") &&
    typeof value.policy === "string" &&
    typeof value.conversation === "string" &&
    value.conversation !== "" &&
    isCount(value.maxTokens, 1)
  );
}

export function isEmbedParams(value: unknown): value is EmbedParams {
  return (
    isRecord(value) &&
    (value.purpose === "query" || value.purpose === "document") &&
    Array.isArray(value.texts) &&
    value.texts.length > 0 &&
    value.texts.every((text) => typeof text === "string")
  );
}

export function isHostConfig(value: unknown): value is HostConfig {
  return (
    isRecord(value) &&
    typeof value.completionModelPath === "string" &&
    value.completionModelPath !== "" &&
    typeof value.chatModelPath === "string" &&
    (value.gpu === "auto" ||
      value.gpu === "cuda" ||
      value.gpu === "vulkan" ||
      value.gpu === "metal" ||
      value.gpu === "cpu") &&
    (value.contextSize === "auto" || isCount(value.contextSize, 1)) &&
    (value.gpuLayers === "auto" || isCount(value.gpuLayers, 0)) &&
    isCount(value.threads, 0) &&
    (value.guardModelPath === undefined || typeof value.guardModelPath === "string") &&
    (value.embeddingModelPath === undefined || typeof value.embeddingModelPath === "string") &&
    (value.logLevel === "trace" ||
      value.logLevel === "debug" ||
      value.logLevel === "info" ||
      value.logLevel === "warn" ||
      value.logLevel === "error")
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

/** A message checked against the protocol: well-formed, or malformed with the kind and request id it did carry. */
export type Checked<M extends { kind: string }> = { ok: true; message: M } | Malformed<M["kind"]>;

export interface Malformed<K extends string> {
  ok: false;
  kind: K | undefined;
  id: number | undefined;
}

/** The host checks each message with this before it acts on it. */
export function checkToHost(value: unknown): Checked<ToHost> {
  if (isWellFormedToHost(value)) return { ok: true, message: value };
  return malformed(value, isToHost(value) ? value.kind : undefined);
}

/** The extension checks each message from a host process with this before it acts on it. */
export function checkFromHost(value: unknown): Checked<FromHost> {
  if (isWellFormedFromHost(value)) return { ok: true, message: value };
  return malformed(value, isFromHost(value) ? value.kind : undefined);
}

function malformed<K extends string>(value: unknown, kind: K | undefined): Malformed<K> {
  return { ok: false, kind, id: isRecord(value) && isId(value.id) ? value.id : undefined };
}

function isWellFormedToHost(value: unknown): value is ToHost {
  if (!isToHost(value)) return false;
  switch (value.kind) {
    case "init":
      return isHostConfig(value.config);
    case "infill":
      return isId(value.id) && isInfillParams(value.params);
    case "chat":
      return isId(value.id) && isChatParams(value.params);
    case "guard":
      return isId(value.id) && isGuardParams(value.params);
    case "embed":
      return isId(value.id) && isEmbedParams(value.params);
    case "countTokens":
      return isId(value.id) && isCountTokensParams(value.params);
    case "info":
    case "cancel":
      return isId(value.id);
    case "shutdown":
      return true;
    case "hardware":
      return isId(value.id) && isOneOf(value.gpu, gpuSettings);
  }
}

function isWellFormedFromHost(value: unknown): value is FromHost {
  if (!isFromHost(value)) return false;
  switch (value.kind) {
    case "loading":
      return typeof value.progress === "number" && typeof value.modelPath === "string";
    case "ready":
      return isHostInfo(value.info);
    case "loadFailed":
      return isHostError(value.error);
    case "chunk":
      return isId(value.id) && typeof value.text === "string";
    case "result":
      return isId(value.id) && isGenerationResult(value.result);
    case "embedded":
      return isId(value.id) && isEmbeddingResult(value.result);
    case "info":
      return isId(value.id) && isHostInfo(value.info);
    case "tokenCounts":
      return isId(value.id) && Array.isArray(value.counts) && value.counts.every((count) => isCount(count, 0));
    case "hardware":
      return isId(value.id) && isHardwareReport(value.report);
    case "error":
      return isId(value.id) && isHostError(value.error);
    case "log":
      return isOneOf(value.level, logLevels) && typeof value.message === "string";
  }
}

/** The members of a string union, listed through a record so that a member added to the union fails to compile here. */
function membersOf<T extends string>(members: Record<T, true>): readonly T[] {
  return Object.keys(members).filter((key): key is T => key in members);
}

const gpuSettings = membersOf<GpuSetting>({ auto: true, cuda: true, vulkan: true, metal: true, cpu: true });
const gpuBackends = membersOf<Exclude<GpuInfo["type"], "cpu">>({ cuda: true, vulkan: true, metal: true });
const gpuTypes: readonly GpuInfo["type"][] = [...gpuBackends, "cpu"];
const logLevels = membersOf<LogLevel>({ trace: true, debug: true, info: true, warn: true, error: true });
const stopReasons = membersOf<StopReason>({
  eos: true,
  maxTokens: true,
  stop: true,
  abort: true,
  complete: true,
  timeLimit: true,
});
const hostErrorCodes = membersOf<HostErrorCode>({
  modelNotFound: true,
  notGguf: true,
  corruptModel: true,
  unsupportedArchitecture: true,
  outOfMemory: true,
  contextExceeded: true,
  noFillInTheMiddle: true,
  gpuUnavailable: true,
  cancelled: true,
  notReady: true,
  hostCrashed: true,
  badRequest: true,
  internal: true,
});

function isId(value: unknown): value is number {
  return isCount(value, 0);
}

function isNumber(value: unknown): value is number {
  return typeof value === "number";
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isHostError(value: unknown): value is HostError {
  return isRecord(value) && isOneOf(value.code, hostErrorCodes) && typeof value.message === "string";
}

function isGpuInfo(value: unknown): value is GpuInfo {
  if (!isRecord(value)) return false;
  const fallback = value.fallback;
  return (
    isOneOf(value.type, gpuTypes) &&
    isStrings(value.names) &&
    isNumber(value.vramTotalBytes) &&
    isNumber(value.vramUsedBytes) &&
    (fallback === undefined ||
      (isRecord(fallback) && isOneOf(fallback.requested, gpuBackends) && typeof fallback.reason === "string"))
  );
}

function isModelInfo(value: unknown): value is ModelInfo {
  return (
    isRecord(value) &&
    typeof value.path === "string" &&
    typeof value.name === "string" &&
    (value.description === undefined || typeof value.description === "string") &&
    typeof value.architecture === "string" &&
    isNumber(value.sizeBytes) &&
    (value.parameters === undefined || isNumber(value.parameters)) &&
    isNumber(value.trainContextSize) &&
    isNumber(value.contextSize) &&
    isNumber(value.layers) &&
    isNumber(value.offloadedLayers) &&
    typeof value.fillInTheMiddle === "boolean" &&
    typeof value.chatWrapper === "string"
  );
}

function isHostInfo(value: unknown): value is HostInfo {
  return (
    isRecord(value) &&
    isGpuInfo(value.gpu) &&
    isNumber(value.threads) &&
    isModelInfo(value.completionModel) &&
    isModelInfo(value.chatModel) &&
    (value.guardModel === undefined || isModelInfo(value.guardModel)) &&
    (value.guardFailure === undefined || isHostError(value.guardFailure)) &&
    (value.embeddingModel === undefined || isModelInfo(value.embeddingModel)) &&
    (value.embeddingFailure === undefined || isHostError(value.embeddingFailure))
  );
}

function isGenerationResult(value: unknown): value is GenerationResult {
  if (!isRecord(value)) return false;
  const timings = value.timings;
  return (
    typeof value.text === "string" &&
    isOneOf(value.stopReason, stopReasons) &&
    isNumber(value.tokensEvaluated) &&
    isNumber(value.promptTokens) &&
    isNumber(value.generatedTokens) &&
    (value.fallback === undefined || value.fallback === "prefixOnly") &&
    (value.promptFit === undefined || isStrings(value.promptFit)) &&
    (timings === undefined || (isRecord(timings) && isNumber(timings.promptMs) && isNumber(timings.generationMs)))
  );
}

function isEmbeddingResult(value: unknown): value is EmbeddingResult {
  return (
    isRecord(value) &&
    Array.isArray(value.vectors) &&
    value.vectors.every((vector) => Array.isArray(vector) && vector.every(isNumber)) &&
    isCount(value.truncated, 0)
  );
}

function isHardwareReport(value: unknown): value is HardwareReport {
  return (
    isRecord(value) &&
    isGpuInfo(value.gpu) &&
    isNumber(value.vramFreeBytes) &&
    Array.isArray(value.availableGpuTypes) &&
    value.availableGpuTypes.every((type) => isOneOf(type, gpuBackends)) &&
    isNumber(value.cpuMathCores)
  );
}
