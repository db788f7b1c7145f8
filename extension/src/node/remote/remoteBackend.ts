// Inference on a remote server: llama.cpp's llama-server, any OpenAI-compatible server (vLLM, LM Studio, TGI,
// llama-server's /v1) and Ollama, behind the same InferenceBackend interface as the local host.
import type {
  ChatParams,
  GenerationResult,
  GenerationTimings,
  InfillParams,
  StopReason,
} from "../../core/protocol/host";
import {
  type FimTemplateName,
  HostRequestError,
  type InferenceBackend,
  type RemoteKind,
} from "../../core/protocol/backend";
import { buildFimPrompt, customFimTemplateProblem, fimTemplates } from "../../core/remote/fimTemplates";
import { HttpTransport } from "../http/httpTransport";
import { llamaServerInfillInput } from "../../core/remote/infillExtra";
import { fitInfillContextEstimated } from "../../core/completion/promptFit";
import { streamedError } from "../../core/remote/remoteErrors";
import { StreamStop } from "../../core/remote/earlyStop";
import type { StopDecision } from "../../core/completion/stopPolicy";
import { ServerPromptFitter } from "../../core/remote/serverPromptFit";
import {
  type JsonObject,
  MalformedStreamError,
  NdjsonDecoder,
  SseDecoder,
  parseJsonObject,
} from "../../core/remote/streams";

export interface RemoteBackendOptions {
  kind: RemoteKind;
  baseUrl: string;
  /** "" asks for the server's default model (llama-server serves the one it loaded). */
  model: string;
  /** The `openai` kind writes FIM prompts in this format; the other kinds leave the format to the server. */
  fimTemplate: FimTemplateName;
  /** Used when fimTemplate is "custom": {prefix} and {suffix} mark where the code goes. */
  customFimTemplate: string;
  /** Read before every request, so a key entered after an "unauthorized" error is used by the next request. */
  apiKey: () => Promise<string | undefined>;
  /** PEM texts trusted for https in addition to the system's and Node's roots. */
  extraCaCertificates: string[];
  connectTimeoutMs?: number;
  /** From the request until the response headers: llama-server sends them only once the prompt is evaluated. */
  firstByteTimeoutMs?: number;
}

export type ProbeResult = { reachable: true; model: string } | { reachable: false; error: HostRequestError };

export interface RemoteBackend extends InferenceBackend {
  readonly kind: RemoteKind;
  /** "llama-server at http://10.0.0.5:8080", for the status bar and messages. */
  readonly serverName: string;
  infill(params: InfillParams, signal?: AbortSignal): Promise<GenerationResult>;
  /** Whether the server answers, and which model it serves (the configured one, checked against its list). */
  probe(signal?: AbortSignal): Promise<ProbeResult>;
  /** The prompt's size in the server's tokens; undefined where the server has no tokenizer endpoint. */
  countTokens(text: string, signal?: AbortSignal): Promise<number | undefined>;
  /** Closes kept-alive connections. */
  dispose(): void;
}

const defaultConnectTimeoutMs = 5_000;
const defaultFirstByteTimeoutMs = 60_000;

const serverLabels: Readonly<Record<RemoteKind, string>> = {
  "llama-server": "llama-server",
  openai: "OpenAI-compatible server",
  ollama: "Ollama",
};

export function createRemoteBackend(options: RemoteBackendOptions): RemoteBackend {
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.baseUrl);
  } catch {
    throw new HostRequestError("badRequest", `"${options.baseUrl}" is not a URL.`);
  }
  if (baseUrl.protocol !== "http:" && baseUrl.protocol !== "https:")
    throw new HostRequestError("badRequest", `${options.baseUrl} is not an http or https URL.`);
  const serverName = `${serverLabels[options.kind]} at ${baseUrl.origin}${baseUrl.pathname.replace(/\/+$/, "")}`;
  const transport = new HttpTransport({
    baseUrl,
    serverName,
    extraCaCertificates: options.extraCaCertificates,
    connectTimeoutMs: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
    firstByteTimeoutMs: options.firstByteTimeoutMs ?? defaultFirstByteTimeoutMs,
  });
  const client = new RemoteClient(transport, options);
  switch (options.kind) {
    case "llama-server":
      return new LlamaServerBackend(client);
    case "openai":
      return new OpenAiBackend(client, options);
    case "ollama":
      return new OllamaBackend(client);
  }
}

/** Requests and stream decoding shared by the three kinds. */
class RemoteClient {
  constructor(
    readonly transport: HttpTransport,
    readonly options: RemoteBackendOptions,
  ) {}

  get serverName(): string {
    return this.transport.serverName;
  }

  get model(): string {
    return this.options.model;
  }

  /** POSTs `body` and hands each SSE event's JSON to `onData`; "[DONE]" ends OpenAI streams and is skipped. */
  async postSse(
    path: string,
    body: JsonObject,
    signal: AbortSignal | undefined,
    onData: (data: JsonObject) => void,
  ): Promise<void> {
    const decoder = new SseDecoder((event) => {
      if (event.data === "[DONE]") return;
      const data = parseJsonObject(event.data);
      if (event.event === "error" || data.error !== undefined) throw streamedError(this.serverName, event.data);
      onData(data);
    });
    await this.decode(path, "POST", body, signal, decoder);
  }

  /** POSTs `body` and hands each NDJSON line to `onLine`. */
  async postNdjson(
    path: string,
    body: JsonObject,
    signal: AbortSignal | undefined,
    onLine: (line: JsonObject) => void,
  ): Promise<void> {
    const decoder = new NdjsonDecoder((line) => {
      if (line.error !== undefined) throw streamedError(this.serverName, JSON.stringify(line));
      onLine(line);
    });
    await this.decode(path, "POST", body, signal, decoder);
  }

  async getJson(path: string, signal?: AbortSignal): Promise<JsonObject> {
    return this.requestJson("GET", path, undefined, signal);
  }

  async requestJson(
    method: "GET" | "POST",
    path: string,
    body: JsonObject | undefined,
    signal?: AbortSignal,
  ): Promise<JsonObject> {
    return this.transport.requestJson({
      method,
      path,
      body,
      apiKey: await this.options.apiKey(),
      model: this.model,
      signal,
    });
  }

  malformed(path: string, error: unknown): HostRequestError {
    return this.transport.malformed(path, error);
  }

  incomplete(path: string): HostRequestError {
    return new HostRequestError(
      "malformedResponse",
      `${this.serverName} ended the stream of ${path} without its final message.`,
    );
  }

  private async decode(
    path: string,
    method: "POST",
    body: JsonObject,
    signal: AbortSignal | undefined,
    decoder: SseDecoder | NdjsonDecoder,
  ): Promise<void> {
    const apiKey = await this.options.apiKey();
    if (signal?.aborted) throw new HostRequestError("cancelled", "The request was cancelled.");
    const guarded = (step: () => void): void => {
      try {
        step();
      } catch (error) {
        if (error instanceof MalformedStreamError) throw this.malformed(path, error);
        throw error;
      }
    };
    await this.transport.run({
      method,
      path,
      body,
      apiKey,
      model: this.model,
      signal,
      onData: (chunk) => guarded(() => decoder.push(chunk)),
    });
    guarded(() => decoder.end());
  }
}

/**
 * A stream the stop policy closed: its final message never came. The counts are what the server said while streaming
 * (llama-server sends them with every piece); a server that says nothing until its end leaves them 0.
 */
function stoppedResult(
  { decision, pieces }: { decision: StopDecision; pieces: number },
  counts: Partial<Pick<GenerationResult, "tokensEvaluated" | "promptTokens" | "generatedTokens" | "timings">> = {},
): GenerationResult {
  return {
    text: decision.text,
    stopReason: decision.reason,
    tokensEvaluated: counts.tokensEvaluated ?? 0,
    promptTokens: counts.promptTokens ?? 0,
    generatedTokens: counts.generatedTokens ?? pieces,
    ...(counts.timings === undefined ? {} : { timings: counts.timings }),
  };
}

/** The counts on one of llama-server's /infill messages, streamed or final. */
function llamaServerCounts(data: JsonObject): Pick<GenerationResult, "tokensEvaluated" | "promptTokens"> & {
  generatedTokens?: number;
  timings?: GenerationTimings;
} {
  const timings = recordOf(data.timings);
  const generatedTokens = numberOf(data.tokens_predicted) ?? numberOf(timings?.predicted_n);
  return {
    tokensEvaluated: numberOf(timings?.prompt_n) ?? 0,
    promptTokens: numberOf(data.tokens_evaluated) ?? 0,
    ...(generatedTokens === undefined ? {} : { generatedTokens }),
    ...serverTimings(timings),
  };
}

function numberOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function recordOf(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** llama-server's `timings` (also on its /v1 answers); other servers send none. */
function serverTimings(timings: JsonObject | undefined): { timings: GenerationTimings } | Record<string, never> {
  const promptMs = numberOf(timings?.prompt_ms);
  const generationMs = numberOf(timings?.predicted_ms);
  return promptMs === undefined || generationMs === undefined ? {} : { timings: { promptMs, generationMs } };
}

function firstChoice(data: JsonObject): JsonObject | undefined {
  return Array.isArray(data.choices) ? recordOf(data.choices[0]) : undefined;
}

/** OpenAI finish reasons; vLLM's `stop_reason` tells a matched stop string (a string) from the end-of-sequence token (null). */
function openAiStopReason(finishReason: unknown, stopReason: unknown): StopReason {
  if (finishReason === "length") return "maxTokens";
  return typeof stopReason === "string" ? "stop" : "eos";
}

function withoutEmptyModel(model: string): JsonObject {
  return model === "" ? {} : { model };
}

/** /v1/chat/completions, which llama-server and every OpenAI-compatible server stream alike. */
async function openAiChat(
  client: RemoteClient,
  params: ChatParams,
  onChunk: (text: string) => void,
  signal: AbortSignal | undefined,
): Promise<GenerationResult> {
  const path = "/v1/chat/completions";
  const messages = [
    ...(params.systemPrompt === "" ? [] : [{ role: "system", content: params.systemPrompt }]),
    ...params.turns.map((turn) => ({ role: turn.role, content: turn.text })),
  ];
  let text = "";
  let finish: { reason: unknown; stop: unknown } | undefined;
  let usage: JsonObject | undefined;
  let timings: JsonObject | undefined;
  await client.postSse(
    path,
    {
      ...withoutEmptyModel(client.model),
      messages,
      max_tokens: params.maxTokens,
      temperature: params.temperature,
      stream: true,
      stream_options: { include_usage: true },
    },
    signal,
    (data) => {
      const choice = firstChoice(data);
      const content = recordOf(choice?.delta)?.content;
      if (typeof content === "string" && content !== "") {
        text += content;
        onChunk(content);
      }
      if (choice?.finish_reason !== undefined && choice.finish_reason !== null)
        finish = { reason: choice.finish_reason, stop: choice.stop_reason };
      usage = recordOf(data.usage) ?? usage;
      timings = recordOf(data.timings) ?? timings;
    },
  );
  if (finish === undefined) throw client.incomplete(path);
  return openAiResult(text, openAiStopReason(finish.reason, finish.stop), usage, timings);
}

function openAiResult(
  text: string,
  stopReason: StopReason,
  usage: JsonObject | undefined,
  timings: JsonObject | undefined,
): GenerationResult {
  const promptTokens = numberOf(usage?.prompt_tokens) ?? 0;
  const cached = numberOf(recordOf(usage?.prompt_tokens_details)?.cached_tokens);
  // llama-server says exactly what it evaluated; vLLM with prefix caching reports the cached part.
  const tokensEvaluated = numberOf(timings?.prompt_n) ?? (cached === undefined ? promptTokens : promptTokens - cached);
  return {
    text,
    stopReason,
    tokensEvaluated,
    promptTokens,
    generatedTokens: numberOf(usage?.completion_tokens) ?? numberOf(timings?.predicted_n) ?? 0,
    ...serverTimings(timings),
  };
}

/** The model list of /v1/models; for a configured model that is not in it, modelNotFound naming what is served. */
async function probeOpenAiModels(
  client: RemoteClient,
  signal: AbortSignal | undefined,
  requireListed: boolean,
): Promise<ProbeResult> {
  try {
    const listing = await client.getJson("/v1/models", signal);
    const ids = (Array.isArray(listing.data) ? listing.data : [])
      .map((entry) => recordOf(entry)?.id)
      .filter((id): id is string => typeof id === "string");
    if (client.model === "") {
      if (ids.length === 0)
        return {
          reachable: false,
          error: new HostRequestError("modelNotFound", `${client.serverName} serves no model.`),
        };
      return { reachable: true, model: ids[0] };
    }
    if (requireListed && !ids.includes(client.model)) {
      const served = ids.length === 0 ? "none" : ids.slice(0, 5).join(", ");
      return {
        reachable: false,
        error: new HostRequestError(
          "modelNotFound",
          `${client.serverName} does not serve model "${client.model}" (it serves: ${served}).`,
        ),
      };
    }
    return { reachable: true, model: client.model };
  } catch (error) {
    if (error instanceof HostRequestError) return { reachable: false, error };
    throw error;
  }
}

interface EstimatedPrompt {
  prefix: string;
  suffix: string;
  /** For the result: the fit's trace, where there was a fit. */
  fit: Pick<GenerationResult, "promptFit">;
}

/**
 * The prompt for a server without a tokenizer endpoint: with InfillParams.context, fitted by the character estimate,
 * and the trace says why; without it, the prefix and suffix as they are.
 */
function estimatedPrompt(params: InfillParams, why: string): EstimatedPrompt {
  const { context } = params;
  if (context === undefined) return { prefix: params.prefix, suffix: params.suffix, fit: {} };
  const fitted = fitInfillContextEstimated({ ...params, context }, `estimated from characters: ${why}`);
  return { prefix: fitted.text.prefix, suffix: fitted.text.suffix, fit: { promptFit: fitted.included } };
}

class LlamaServerBackend implements RemoteBackend {
  readonly kind = "llama-server";
  private readonly promptFitter: ServerPromptFitter;
  /** The model the last answer named: the token counts kept belong to it. */
  private servedModel: string | undefined;

  constructor(private readonly client: RemoteClient) {
    this.promptFitter = new ServerPromptFitter({
      tokenizerName: "llama-server's tokenizer (/tokenize)",
      countOnServer: (text, signal) => this.countTokens(text, signal),
    });
  }

  get serverName(): string {
    return this.client.serverName;
  }

  /**
   * With InfillParams.context, the prompt is fitted to its budget with the server's own tokenizer (by the character
   * estimate where /tokenize fails, and the trace says so); without it, the prefix and suffix go as they are.
   */
  async infill(params: InfillParams, signal?: AbortSignal): Promise<GenerationResult> {
    const path = "/infill";
    let text = "";
    let final: JsonObject | undefined;
    /** The last message streamed: the counts so far. */
    let latest: JsonObject | undefined;
    const { context } = params;
    const fitted = context === undefined ? undefined : await this.promptFitter.fit({ ...params, context }, signal);
    const input = llamaServerInfillInput(params, fitted?.text);
    const stream = new StreamStop(params.stopPolicy, signal);
    const timeCapMs = params.stopPolicy?.timeCapMs ?? 0;
    const stopped = await stream.run((requestSignal) =>
      this.client.postSse(
        path,
        {
          input_prefix: input.prefix,
          input_suffix: input.suffix,
          input_extra: input.extra,
          n_predict: params.maxTokens,
          stop: params.stop,
          temperature: params.temperature,
          // Keeps the evaluated prompt in the slot, so the next keystroke's request evaluates only what changed.
          cache_prompt: true,
          // The server's own time cap, with the policy's meaning: from the first token, once a line break exists.
          ...(timeCapMs > 0 ? { t_max_predict_ms: timeCapMs } : {}),
          stream: true,
          // Every streamed piece then carries the prompt's timings, which a stream the stop policy closes still has.
          timings_per_token: true,
        },
        requestSignal,
        (data) => {
          latest = data;
          if (typeof data.content === "string") {
            text += data.content;
            stream.push(text);
          }
          if (data.stop === true) final = data;
        },
      ),
    );
    if (stopped !== undefined)
      return {
        ...stoppedResult(stopped, latest === undefined ? {} : llamaServerCounts(latest)),
        ...(fitted === undefined ? {} : { promptFit: fitted.promptFit }),
      };
    if (final === undefined) throw this.client.incomplete(path);
    this.noteServedModel(final.model);
    const stopType = final.stop_type;
    const counts = llamaServerCounts(final);
    const generatedTokens = counts.generatedTokens ?? 0;
    // "limit" before n_predict is t_max_predict_ms: the full lines are kept, as with the policy's own cap.
    if (stopType === "limit" && timeCapMs > 0 && generatedTokens < params.maxTokens) {
      return stoppedResult(
        {
          decision: { reason: "timeLimit", text: text.slice(0, Math.max(0, text.lastIndexOf("\n"))) },
          pieces: generatedTokens,
        },
        counts,
      );
    }
    return {
      text,
      stopReason: stopType === "limit" ? "maxTokens" : stopType === "word" ? "stop" : "eos",
      ...counts,
      generatedTokens,
      ...(fitted === undefined ? {} : { promptFit: fitted.promptFit }),
    };
  }

  /** A server restarted with another model behind the same URL tokenizes differently. */
  private noteServedModel(model: unknown): void {
    if (typeof model !== "string") return;
    if (this.servedModel !== undefined && this.servedModel !== model) this.promptFitter.forgetCounts();
    this.servedModel = model;
  }

  chat(params: ChatParams, onChunk: (text: string) => void, signal?: AbortSignal): Promise<GenerationResult> {
    return openAiChat(this.client, params, onChunk, signal);
  }

  probe(signal?: AbortSignal): Promise<ProbeResult> {
    // llama-server serves the model it was started with whatever a request names.
    return probeOpenAiModels(this.client, signal, false);
  }

  async countTokens(text: string, signal?: AbortSignal): Promise<number> {
    // /infill reads its input as plain text: text that looks like a control token is counted as such text too.
    const answer = await this.client.requestJson("POST", "/tokenize", { content: text, parse_special: false }, signal);
    if (!Array.isArray(answer.tokens)) throw this.client.malformed("/tokenize", new Error("no tokens array"));
    return answer.tokens.length;
  }

  dispose(): void {
    this.client.transport.dispose();
  }
}

class OpenAiBackend implements RemoteBackend {
  readonly kind = "openai";
  private readonly template: string;

  constructor(
    private readonly client: RemoteClient,
    options: RemoteBackendOptions,
  ) {
    if (options.fimTemplate === "custom") {
      const problem = customFimTemplateProblem(options.customFimTemplate);
      if (problem !== undefined) throw new HostRequestError("badRequest", problem);
      this.template = options.customFimTemplate;
    } else {
      this.template = fimTemplates[options.fimTemplate];
    }
  }

  get serverName(): string {
    return this.client.serverName;
  }

  async infill(params: InfillParams, signal?: AbortSignal): Promise<GenerationResult> {
    const path = "/v1/completions";
    const prompt = estimatedPrompt(params, "the OpenAI completions API has no tokenizer endpoint");
    let text = "";
    let finish: { reason: unknown; stop: unknown } | undefined;
    let usage: JsonObject | undefined;
    let timings: JsonObject | undefined;
    const stream = new StreamStop(params.stopPolicy, signal);
    const stopped = await stream.run((requestSignal) =>
      this.client.postSse(
        path,
        {
          ...withoutEmptyModel(this.client.model),
          prompt: buildFimPrompt(this.template, prompt.prefix, prompt.suffix),
          max_tokens: params.maxTokens,
          temperature: params.temperature,
          ...(params.stop.length > 0 ? { stop: params.stop } : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        requestSignal,
        (data) => {
          const choice = firstChoice(data);
          if (typeof choice?.text === "string") {
            text += choice.text;
            stream.push(text);
          }
          if (choice?.finish_reason !== undefined && choice.finish_reason !== null)
            finish = { reason: choice.finish_reason, stop: choice.stop_reason };
          usage = recordOf(data.usage) ?? usage;
          timings = recordOf(data.timings) ?? timings;
        },
      ),
    );
    if (stopped !== undefined) return stoppedResult(stopped);
    if (finish === undefined) throw this.client.incomplete(path);
    return { ...openAiResult(text, openAiStopReason(finish.reason, finish.stop), usage, timings), ...prompt.fit };
  }

  chat(params: ChatParams, onChunk: (text: string) => void, signal?: AbortSignal): Promise<GenerationResult> {
    return openAiChat(this.client, params, onChunk, signal);
  }

  probe(signal?: AbortSignal): Promise<ProbeResult> {
    return probeOpenAiModels(this.client, signal, true);
  }

  // The OpenAI completions API has no tokenizer endpoint (vLLM's /tokenize is vLLM's own, not shared by LM Studio or
  // TGI), so infill fits the prompt by the character estimate, and the trace says so.
  async countTokens(): Promise<undefined> {
    return undefined;
  }

  dispose(): void {
    this.client.transport.dispose();
  }
}

/** Ollama's done_reason: "length" at num_predict, "stop" at the end-of-sequence token or a stop string. */
function ollamaStopReason(doneReason: unknown): StopReason {
  return doneReason === "length" ? "maxTokens" : "eos";
}

function ollamaResult(text: string, final: JsonObject): GenerationResult {
  const promptTokens = numberOf(final.prompt_eval_count) ?? 0;
  // Ollama reuses a cached prompt prefix and then counts only what it evaluated.
  return {
    text,
    stopReason: ollamaStopReason(final.done_reason),
    tokensEvaluated: promptTokens,
    promptTokens,
    generatedTokens: numberOf(final.eval_count) ?? 0,
  };
}

class OllamaBackend implements RemoteBackend {
  readonly kind = "ollama";

  constructor(private readonly client: RemoteClient) {}

  get serverName(): string {
    return this.client.serverName;
  }

  async infill(params: InfillParams, signal?: AbortSignal): Promise<GenerationResult> {
    const path = "/api/generate";
    const prompt = estimatedPrompt(params, "Ollama's API has no tokenizer endpoint");
    let text = "";
    let final: JsonObject | undefined;
    const stream = new StreamStop(params.stopPolicy, signal);
    const stopped = await stream.run((requestSignal) =>
      this.client.postNdjson(
        path,
        {
          model: this.client.model,
          prompt: prompt.prefix,
          suffix: prompt.suffix,
          stream: true,
          options: { num_predict: params.maxTokens, temperature: params.temperature, stop: params.stop },
        },
        requestSignal,
        (line) => {
          if (typeof line.response === "string") {
            text += line.response;
            stream.push(text);
          }
          if (line.done === true) final = line;
        },
      ),
    );
    if (stopped !== undefined) return stoppedResult(stopped);
    if (final === undefined) throw this.client.incomplete(path);
    return { ...ollamaResult(text, final), ...prompt.fit };
  }

  async chat(params: ChatParams, onChunk: (text: string) => void, signal?: AbortSignal): Promise<GenerationResult> {
    const path = "/api/chat";
    const messages = [
      ...(params.systemPrompt === "" ? [] : [{ role: "system", content: params.systemPrompt }]),
      ...params.turns.map((turn) => ({ role: turn.role, content: turn.text })),
    ];
    let text = "";
    let final: JsonObject | undefined;
    await this.client.postNdjson(
      path,
      {
        model: this.client.model,
        messages,
        stream: true,
        options: { num_predict: params.maxTokens, temperature: params.temperature },
      },
      signal,
      (line) => {
        const content = recordOf(line.message)?.content;
        if (typeof content === "string" && content !== "") {
          text += content;
          onChunk(content);
        }
        if (line.done === true) final = line;
      },
    );
    if (final === undefined) throw this.client.incomplete(path);
    return ollamaResult(text, final);
  }

  async probe(signal?: AbortSignal): Promise<ProbeResult> {
    try {
      const listing = await this.client.getJson("/api/tags", signal);
      const names = (Array.isArray(listing.models) ? listing.models : [])
        .map((entry) => recordOf(entry)?.name)
        .filter((name): name is string => typeof name === "string");
      const wanted = this.client.model;
      // "qwen2.5-coder" means "qwen2.5-coder:latest" to Ollama.
      const found = names.find((name) => name === wanted || name === `${wanted}:latest`);
      if (found !== undefined) return { reachable: true, model: found };
      const hint = wanted === "" ? "no model is configured" : `it has no model "${wanted}": ollama pull ${wanted}`;
      return {
        reachable: false,
        error: new HostRequestError("modelNotFound", `${this.client.serverName} is reachable, but ${hint}.`),
      };
    } catch (error) {
      if (error instanceof HostRequestError) return { reachable: false, error };
      throw error;
    }
  }

  // Ollama's documented API (docs/api.md) has no tokenizer endpoint: infill fits the prompt by the character estimate,
  // and the trace says so.
  async countTokens(): Promise<undefined> {
    return undefined;
  }

  dispose(): void {
    this.client.transport.dispose();
  }
}
