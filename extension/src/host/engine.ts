// The inference engine inside the host process: loads the models once and serves infill and chat requests,
// each on its own context sequence so that a long chat never delays ghost text.
import path from "node:path";
import {
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  LlamaChat,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaEmbeddingContext,
  LlamaLogLevel,
  type LlamaModel,
  type Token,
  getLlama,
  getLlamaGpuTypes,
  resolveChatWrapper,
} from "node-llama-cpp";
import { fitInfillContext } from "../core/completion/promptFit";
import { FimBudgetError, cutAtStopStrings, layoutFimPrompt } from "../core/completion/fimLayout";
import { StopPolicy } from "../core/completion/stopPolicy";
import { PrefillSpeed, defaultPrefillPacing } from "../core/host/prefillPacing";
import { gpuRuntimeDownloadHint, runtimePlatform } from "../core/models/gpuRuntimePackages";
import { embeddingPrefix } from "../core/retrieval/embeddingInput";
import type {
  ChatParams,
  EmbedParams,
  EmbeddingResult,
  CountTokensParams,
  GenerationResult,
  GpuInfo,
  GuardParams,
  GuardRole,
  HostConfig,
  HostError,
  HostInfo,
  InfillParams,
  LogLevel,
  ModelInfo,
  StopReason,
} from "../core/protocol/host";
import { HostFailure, cancelledFailure, errorText } from "./failure";
import { checkModelFile, classifyLoadError } from "./modelFile";

/** The range a context of size "auto" is chosen from. */
const autoContextMin = 2048;
const autoContextMax = 32768;
/**
 * The guard's context: a user message with its attachments, or an answer so far with its question, plus ~300 tokens of
 * policy. Two sequences (one per role) of this size; a longer conversation is not checked (and so not shown).
 */
const guardContextMax = 8192;
/**
 * The embedding context, and so the longest text embedded whole. A chunk's first 512 tokens (about 40 lines) say what
 * it is about, and attention's cost grows with the square of the length: 2,048 tokens cost 9x what 512 do (measured
 * on the fixture model). BERT-family models evaluate a text in one batch, so the batch is this large too.
 */
const embeddingContextMax = 512;
/** The suffix never takes more than this share of an infill prompt; the prefix matters more to the answer. */
const maxSuffixTokens = 512;
/** Cutting the prefix start in whole steps keeps it stable (and cached) while the user types. */
const prefixTrimStep = 256;

export type EngineLog = (level: LogLevel, message: string) => void;

interface LoadedModel {
  model: LlamaModel;
  path: string;
  sizeBytes: number;
  architecture: string;
  chatWrapper: ChatWrapper;
}

interface EvaluationLane {
  sequence: LlamaContextSequence;
  prefillSpeed: PrefillSpeed;
}

interface Lanes {
  infill: EvaluationLane;
  chat: EvaluationLane;
}

/** The guard and a sequence per role, each keeping its role's policy prefix in its KV cache between checks. */
interface GuardLanes {
  model: LoadedModel;
  roles: Record<GuardRole, EvaluationLane>;
}

/** The embedding model, with one context whose single sequence every text goes through in turn. */
interface EmbeddingLane {
  model: LoadedModel;
  context: LlamaEmbeddingContext;
  contextSize: number;
}

/**
 * Serialises the requests of one context sequence. A new request cancels every older one on a superseding lane: a
 * newer keystroke makes an older completion worthless, and a newer chat message supersedes the older answer. The
 * guard's lane never supersedes: every check that was asked for is answered.
 */
class Lane {
  private readonly controllers = new Map<number, AbortController>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly supersedes = true) {}

  run<T>(id: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.supersedes) for (const controller of this.controllers.values()) controller.abort();
    const controller = new AbortController();
    this.controllers.set(id, controller);
    const result = this.tail.then(() => {
      if (controller.signal.aborted) throw cancelledFailure();
      return task(controller.signal);
    });
    this.tail = result.catch(() => undefined);
    return result.finally(() => this.controllers.delete(id));
  }

  cancel(id: number): boolean {
    const controller = this.controllers.get(id);
    controller?.abort();
    return controller !== undefined;
  }

  cancelAll(): void {
    for (const controller of this.controllers.values()) controller.abort();
  }
}

export class InferenceEngine {
  private llama: Llama | undefined;
  private completionModel: LoadedModel | undefined;
  private chatModel: LoadedModel | undefined;
  private readonly contexts: LlamaContext[] = [];
  private lanes: Lanes | undefined;
  private threads = 1;
  private readonly infillLane = new Lane();
  private readonly chatLane = new Lane();
  private readonly guardLane = new Lane(false);
  private guard: GuardLanes | undefined;
  private guardFailure: HostError | undefined;
  /** Chunks for the index and questions have lanes of their own: a question waits for one chunk, not a batch. */
  private readonly documentEmbeddingLane = new Lane(false);
  private readonly queryEmbeddingLane = new Lane(false);
  private embedding: EmbeddingLane | undefined;
  private embeddingFailure: HostError | undefined;
  private warnedNoFim = false;
  private gpuFallback: GpuInfo["fallback"];
  /** llama.cpp explains a failed load only in its log ("Failed to load model" is all the error says). */
  private readonly recentNativeErrors: string[] = [];

  constructor(private readonly log: EngineLog) {}

  get ready(): boolean {
    return this.lanes !== undefined;
  }

  /** Loads everything the config names; throws a HostFailure with a specific code. */
  async load(config: HostConfig, onProgress: (progress: number, modelPath: string) => void): Promise<HostInfo> {
    const completionPath = path.resolve(config.completionModelPath);
    const chatPath = config.chatModelPath === "" ? completionPath : path.resolve(config.chatModelPath);
    const sharedModel = chatPath === completionPath;
    const completionFile = await checkModelFile(completionPath);
    const chatFile = sharedModel ? completionFile : await checkModelFile(chatPath);

    const llama = await this.createLlama(config);
    this.llama = llama;
    this.threads = config.threads > 0 ? Math.min(config.threads, llama.cpuMathCores) : llama.cpuMathCores;
    // The default is at least 4 threads; on a 2-core machine that makes generation collapse (see the notes).
    llama.maxThreads = this.threads;

    const modelCount = sharedModel ? 1 : 2;
    const loadOne = async (
      modelPath: string,
      index: number,
      file: { sizeBytes: number; architecture: string },
    ): Promise<LoadedModel> => {
      let lastReported = -1;
      this.recentNativeErrors.length = 0;
      const model = await llama
        .loadModel({
          modelPath,
          gpuLayers: config.gpuLayers,
          onLoadProgress: (progress) => {
            // llama.cpp reports hundreds of steps; a few are enough for a status bar.
            if (progress - lastReported < 0.05 && progress < 1) return;
            lastReported = progress;
            onProgress((index + progress) / modelCount, modelPath);
          },
        })
        .catch((error: unknown) => {
          throw classifyLoadError(modelPath, file.architecture, error, this.recentNativeErrors.join("\n"));
        });
      return { model, path: modelPath, ...file, chatWrapper: resolveChatWrapper(model) };
    };
    this.completionModel = await loadOne(completionPath, 0, completionFile);
    this.chatModel = sharedModel ? this.completionModel : await loadOne(chatPath, 1, chatFile);

    const batchSize = llama.gpu === false ? 128 : 512;
    const createContext = async (model: LlamaModel, sequences: number): Promise<LlamaContext> => {
      if (config.contextSize !== "auto" && config.contextSize > model.trainContextSize) {
        this.log(
          "warn",
          `The context size ${config.contextSize} exceeds the model's training context ${model.trainContextSize}.`,
        );
      }
      // "auto": node-llama-cpp's estimate picks the largest context the free memory holds; a long training context
      // (128k) is capped, since code prompts never need it and the KV cache would take the memory from everything else.
      const contextSize =
        config.contextSize === "auto"
          ? { min: autoContextMin, max: Math.min(model.trainContextSize, autoContextMax) }
          : config.contextSize;
      try {
        const context = await model.createContext({ contextSize, sequences, threads: this.threads, batchSize });
        this.contexts.push(context);
        return context;
      } catch (error) {
        const modelPath = model === this.chatModel?.model ? chatPath : completionPath;
        throw new HostFailure(
          "outOfMemory",
          config.contextSize === "auto"
            ? `Not enough memory for ${modelPath} with even a ${autoContextMin}-token context (${errorText(error)}). Choose a smaller model, or fewer GPU layers (llamaAssist.gpuLayers).`
            : `Not enough memory for ${modelPath} with a context of ${config.contextSize} tokens (${errorText(error)}). Choose a smaller context size (llamaAssist.contextSize; 0 fits it to the free memory) or a smaller model.`,
        );
      }
    };
    const lane = (sequence: LlamaContextSequence): EvaluationLane => ({
      sequence,
      prefillSpeed: new PrefillSpeed({ ...defaultPrefillPacing, maxTokens: batchSize }),
    });
    if (sharedModel) {
      const context = await createContext(this.completionModel.model, 2);
      this.lanes = { infill: lane(context.getSequence()), chat: lane(context.getSequence()) };
    } else {
      const completionContext = await createContext(this.completionModel.model, 1);
      const chatContext = await createContext(this.chatModel.model, 1);
      this.lanes = { infill: lane(completionContext.getSequence()), chat: lane(chatContext.getSequence()) };
    }
    if (config.guardModelPath !== undefined && config.guardModelPath !== "") {
      await this.loadGuard(path.resolve(config.guardModelPath), config, llama, batchSize);
    }
    if (config.embeddingModelPath !== undefined && config.embeddingModelPath !== "") {
      await this.loadEmbedding(path.resolve(config.embeddingModelPath), config, llama);
    }
    if (!this.fimTokens(this.completionModel.model)) {
      this.log(
        "warn",
        `This model cannot fill in the middle (it has no FIM tokens): ${completionPath}. Completions use the text before the cursor only.`,
      );
    }
    return this.info();
  }

  /**
   * The guard loads after the other models and its failure is not the host's: completions and chat go on, and every
   * check answers "not checked" with this reason.
   */
  private async loadGuard(guardPath: string, config: HostConfig, llama: Llama, batchSize: number): Promise<void> {
    try {
      const file = await checkModelFile(guardPath);
      this.recentNativeErrors.length = 0;
      const model = await llama
        .loadModel({ modelPath: guardPath, gpuLayers: config.gpuLayers })
        .catch((error: unknown) => {
          throw classifyLoadError(guardPath, file.architecture, error, this.recentNativeErrors.join("\n"));
        });
      const contextSize =
        config.contextSize === "auto"
          ? { min: autoContextMin, max: Math.min(model.trainContextSize, guardContextMax) }
          : Math.min(config.contextSize, guardContextMax);
      const context = await model.createContext({ contextSize, sequences: 2, threads: this.threads, batchSize });
      this.contexts.push(context);
      const lane = (): EvaluationLane => ({
        sequence: context.getSequence(),
        prefillSpeed: new PrefillSpeed({ ...defaultPrefillPacing, maxTokens: batchSize }),
      });
      this.guard = {
        model: { model, path: guardPath, ...file, chatWrapper: resolveChatWrapper(model) },
        roles: { User: lane(), Agent: lane() },
      };
    } catch (error) {
      const failure = error instanceof HostFailure ? error : new HostFailure("internal", errorText(error));
      this.guardFailure = { code: failure.code, message: `The guard model did not load: ${failure.message}` };
      this.log("error", this.guardFailure.message);
    }
  }

  /**
   * As the guard: the embedding model loads last, and its failure leaves retrieval ranking by keywords alone. Its
   * context gets half the threads, since it embeds the workspace in the background while completions run.
   */
  private async loadEmbedding(embeddingPath: string, config: HostConfig, llama: Llama): Promise<void> {
    try {
      const file = await checkModelFile(embeddingPath);
      this.recentNativeErrors.length = 0;
      const model = await llama
        .loadModel({ modelPath: embeddingPath, gpuLayers: config.gpuLayers })
        .catch((error: unknown) => {
          throw classifyLoadError(embeddingPath, file.architecture, error, this.recentNativeErrors.join("\n"));
        });
      const contextSize = Math.min(model.trainContextSize, embeddingContextMax);
      const context = await model.createEmbeddingContext({
        contextSize,
        batchSize: contextSize,
        threads: Math.max(1, Math.floor(this.threads / 2)),
      });
      const loaded = { model, path: embeddingPath, ...file, chatWrapper: resolveChatWrapper(model) };
      this.embedding = { model: loaded, context, contextSize };
    } catch (error) {
      const failure = error instanceof HostFailure ? error : new HostFailure("internal", errorText(error));
      this.embeddingFailure = { code: failure.code, message: `The embedding model did not load: ${failure.message}` };
      this.log("error", this.embeddingFailure.message);
    }
  }

  /**
   * A GPU backend named in the settings that cannot load (missing binaries, no driver) falls back to the best one
   * that can, and the reason is kept for the status bar: a working CPU host beats a dead CUDA one.
   */
  private async createLlama(config: HostConfig): Promise<Llama> {
    try {
      const llama = await this.getLlama(config.gpu);
      // node-llama-cpp quietly gives the CPU for a backend that does not exist on the platform (Metal off macOS).
      if (config.gpu !== "auto" && config.gpu !== "cpu" && llama.gpu !== config.gpu) {
        const reason = `The "${config.gpu}" backend does not exist on ${process.platform}`;
        this.log("warn", `${reason}. Running on ${llama.gpu === false ? "the CPU" : llama.gpu} instead.`);
        this.gpuFallback = { requested: config.gpu, reason };
      }
      if (config.gpu === "auto" && llama.gpu === false) await this.logMissingGpuRuntime();
      return llama;
    } catch (error) {
      const reason = `The "${config.gpu}" backend cannot be used on this machine: ${describeBackendError(error, config.gpu)}`;
      if (config.gpu === "auto" || config.gpu === "cpu") throw new HostFailure("gpuUnavailable", reason);
      this.log("warn", `${reason}. Falling back to the best backend that loads.`);
      try {
        const llama = await this.getLlama("auto");
        this.gpuFallback = { requested: config.gpu, reason };
        return llama;
      } catch (fallbackError) {
        throw new HostFailure(
          "gpuUnavailable",
          `${reason}, and no other backend loads either: ${describeBackendError(fallbackError, "auto")}`,
        );
      }
    }
  }

  /**
   * "auto" settles on the CPU without an error when a GPU's build is not installed (no .vsix carries CUDA or Vulkan),
   * so the log says which download would put the GPU to use.
   */
  private async logMissingGpuRuntime(): Promise<void> {
    const platform = runtimePlatform(process.platform, process.arch);
    for (const backend of await getLlamaGpuTypes("supported")) {
      const hint = backend === false ? undefined : gpuRuntimeDownloadHint(backend, platform);
      if (hint === undefined) continue;
      this.log("warn", `A ${backend} driver is present but the host runs on the CPU; ${hint}.`);
      return;
    }
  }

  private getLlama(gpu: HostConfig["gpu"]): Promise<Llama> {
    return getLlama({
      gpu: gpu === "cpu" ? false : gpu,
      build: "never",
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trim();
        if (text === "") return;
        const isError = level === LlamaLogLevel.error || level === LlamaLogLevel.fatal;
        if (isError) {
          this.recentNativeErrors.push(text);
          if (this.recentNativeErrors.length > 10) this.recentNativeErrors.shift();
        }
        this.log(isError ? "error" : "warn", `llama.cpp: ${text}`);
      },
    });
  }

  async info(): Promise<HostInfo> {
    const { llama, completionModel, chatModel, lanes } = this.loaded();
    const vram = await llama.getVramState();
    const gpu: GpuInfo = {
      type: llama.gpu === false ? "cpu" : llama.gpu,
      names: llama.gpu === false ? [] : await llama.getGpuDeviceNames(),
      vramTotalBytes: vram.total,
      vramUsedBytes: vram.used,
      ...(this.gpuFallback === undefined ? {} : { fallback: this.gpuFallback }),
    };
    return {
      gpu,
      threads: this.threads,
      completionModel: this.modelInfo(completionModel, lanes.infill.sequence.contextSize),
      chatModel: this.modelInfo(chatModel, lanes.chat.sequence.contextSize),
      ...(this.guard === undefined
        ? {}
        : { guardModel: this.modelInfo(this.guard.model, this.guard.roles.User.sequence.contextSize) }),
      ...(this.guardFailure === undefined ? {} : { guardFailure: this.guardFailure }),
      ...(this.embedding === undefined
        ? {}
        : { embeddingModel: this.modelInfo(this.embedding.model, this.embedding.contextSize) }),
      ...(this.embeddingFailure === undefined ? {} : { embeddingFailure: this.embeddingFailure }),
    };
  }

  /** Tokenizing needs no context: it answers at once, beside whatever the lanes are generating. */
  countTokens(params: CountTokensParams): number[] {
    const { chatModel } = this.loaded();
    return params.texts.map((text) => chatModel.model.tokenize(text).length);
  }

  infill(id: number, params: InfillParams): Promise<GenerationResult> {
    return this.infillLane.run(id, (signal) => this.runInfill(params, signal));
  }

  chat(id: number, params: ChatParams, onChunk: (text: string) => void): Promise<GenerationResult> {
    return this.chatLane.run(id, (signal) => this.runChat(params, onChunk, signal));
  }

  /** One Llama Guard check on its own model and lane: it never waits for, nor delays, a completion or an answer. */
  guardCheck(id: number, params: GuardParams): Promise<GenerationResult> {
    return this.guardLane.run(id, (signal) => this.runGuard(params, signal));
  }

  /** Embeds texts on the embedding model's own context: completions and chat never wait for it. */
  embed(id: number, params: EmbedParams): Promise<EmbeddingResult> {
    const lane = params.purpose === "query" ? this.queryEmbeddingLane : this.documentEmbeddingLane;
    return lane.run(id, (signal) => this.runEmbed(params, signal));
  }

  cancel(id: number): void {
    const lanes = [this.infillLane, this.chatLane, this.guardLane, this.documentEmbeddingLane, this.queryEmbeddingLane];
    lanes.some((lane) => lane.cancel(id));
  }

  async dispose(): Promise<void> {
    this.infillLane.cancelAll();
    this.chatLane.cancelAll();
    this.guardLane.cancelAll();
    this.documentEmbeddingLane.cancelAll();
    this.queryEmbeddingLane.cancelAll();
    await this.llama?.dispose();
  }

  private loaded(): { llama: Llama; completionModel: LoadedModel; chatModel: LoadedModel; lanes: Lanes } {
    const { llama, completionModel, chatModel, lanes } = this;
    if (llama === undefined || completionModel === undefined || chatModel === undefined || lanes === undefined) {
      throw new HostFailure("notReady", "The models are not loaded yet.");
    }
    return { llama, completionModel, chatModel, lanes };
  }

  private fimTokens(model: LlamaModel): { prefix: Token; suffix: Token; middle: Token } | undefined {
    const { prefix, suffix, middle } = model.tokens.infill;
    return prefix === null || suffix === null || middle === null ? undefined : { prefix, suffix, middle };
  }

  private modelInfo(loaded: LoadedModel, contextSize: number): ModelInfo {
    const { model } = loaded;
    const name = model.fileInfo.metadata.general?.name;
    const description = model.fileInfo.metadata.general?.description;
    let parameters = 0;
    for (const tensor of model.fileInfo.tensorInfo ?? []) {
      parameters += tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1);
    }
    return {
      path: loaded.path,
      name: typeof name === "string" && name !== "" ? name : path.basename(loaded.path),
      description: typeof description === "string" && description.trim() !== "" ? description.trim() : undefined,
      architecture: loaded.architecture,
      sizeBytes: loaded.sizeBytes,
      parameters: parameters > 0 ? parameters : undefined,
      trainContextSize: model.trainContextSize,
      contextSize,
      layers: model.fileInsights.totalLayers,
      offloadedLayers: model.gpuLayers,
      fillInTheMiddle: this.fimTokens(model) !== undefined,
      chatWrapper: loaded.chatWrapper.wrapperName,
    };
  }

  private async runInfill(params: InfillParams, signal: AbortSignal): Promise<GenerationResult> {
    const { completionModel, lanes } = this.loaded();
    const { model } = completionModel;
    const { sequence, prefillSpeed } = lanes.infill;
    const fim = this.fimTokens(model);
    if (fim === undefined && !this.warnedNoFim) {
      this.warnedNoFim = true;
      this.log("info", "This model cannot fill in the middle: completing from the text before the cursor only.");
    }
    const bos = model.tokens.bos;
    const leading = model.tokens.shouldPrependBosToken && bos !== null ? [bos] : [];
    // With the prompt's pieces, the budget is counted in this model's tokens; the units are tokenized one by one.
    const { context } = params;
    const fitted =
      context === undefined ? undefined : fitInfillContext({ ...params, context }, (text) => model.tokenize(text));
    let tokens: Token[];
    try {
      const prefix = fitted?.prefix ?? model.tokenize(params.prefix);
      const suffix = fitted?.suffix ?? model.tokenize(params.suffix);
      tokens = layoutFimPrompt(prefix, suffix, fim, leading, {
        maxPromptTokens: sequence.contextSize - params.maxTokens,
        maxSuffixTokens,
        prefixTrimStep,
      }).tokens;
    } catch (error) {
      if (error instanceof FimBudgetError) {
        throw new HostFailure(
          "contextExceeded",
          `maxTokens ${params.maxTokens} leaves no room for a prompt in a context of ${sequence.contextSize} tokens.`,
        );
      }
      throw error;
    }
    const started = performance.now();
    const tokensEvaluated = await prefill(sequence, prefillSpeed, tokens, signal);
    const { firstTokenAt, ...generation } = await generate(sequence, tokens, params, signal);
    // As llama-server counts: the prompt until the first token is sampled, the generation after it.
    const finished = performance.now();
    const timings = {
      promptMs: (firstTokenAt ?? finished) - started,
      generationMs: finished - (firstTokenAt ?? finished),
    };
    const summary = `infill: ${tokens.length} prompt tokens, ${tokensEvaluated} evaluated, ${generation.generatedTokens} generated, ${Math.round(timings.promptMs)} ms prompt, ${Math.round(timings.generationMs)} ms generation`;
    // After the result has been sent: the extension reads the host's messages in order, and the suggestion waits.
    setImmediate(() => this.log("debug", summary));
    return {
      ...generation,
      promptTokens: tokens.length,
      tokensEvaluated,
      timings,
      ...(fim === undefined ? { fallback: "prefixOnly" as const } : {}),
      ...(fitted === undefined ? {} : { promptFit: fitted.included }),
    };
  }

  /** Evaluates the guard prompt (its policy part is cached after the role's first check) and reads the verdict greedily. */
  private async runGuard(params: GuardParams, signal: AbortSignal): Promise<GenerationResult> {
    this.loaded();
    const guard = this.guard;
    if (guard === undefined) {
      throw this.guardFailure === undefined
        ? new HostFailure("notReady", "No guard model is loaded: set llamaAssist.guard.model.")
        : new HostFailure(this.guardFailure.code, this.guardFailure.message);
    }
    const { model } = guard.model;
    const { sequence, prefillSpeed } = guard.roles[params.role];
    // The prompt carries Llama 3's header tokens as text: they must become the special tokens, not their spelling.
    const tokens = [...model.tokenize(params.policy, true), ...model.tokenize(params.conversation, true)];
    if (tokens.length + params.maxTokens > sequence.contextSize) {
      throw new HostFailure(
        "contextExceeded",
        `the guard's context holds ${sequence.contextSize} tokens and this check needs ${tokens.length + params.maxTokens}`,
      );
    }
    const started = performance.now();
    const tokensEvaluated = await prefill(sequence, prefillSpeed, tokens, signal);
    const { firstTokenAt, ...generation } = await generate(
      sequence,
      tokens,
      { maxTokens: params.maxTokens, stop: [], temperature: 0 },
      signal,
    );
    const finished = performance.now();
    const timings = {
      promptMs: (firstTokenAt ?? finished) - started,
      generationMs: finished - (firstTokenAt ?? finished),
    };
    this.log(
      "debug",
      `guard (${params.role}): ${tokens.length} prompt tokens, ${tokensEvaluated} evaluated, ${generation.generatedTokens} generated, ${Math.round(finished - started)} ms`,
    );
    return { ...generation, promptTokens: tokens.length, tokensEvaluated, timings };
  }

  /**
   * One text at a time through the context's lock, so a question's embedding waits for at most the chunk being
   * embedded, not the rest of a batch.
   */
  private async runEmbed(params: EmbedParams, signal: AbortSignal): Promise<EmbeddingResult> {
    this.loaded();
    const embedding = this.embedding;
    if (embedding === undefined) {
      throw this.embeddingFailure === undefined
        ? new HostFailure("notReady", "No embedding model is loaded: set llamaAssist.embeddingModel.path.")
        : new HostFailure(this.embeddingFailure.code, this.embeddingFailure.message);
    }
    const { model } = embedding.model;
    const prefix = embeddingPrefix(embedding.model.architecture, params.purpose);
    // The context adds the model's start and end tokens, and needs one token to spare; the rest is the text's.
    const maxTokens = embedding.contextSize - 3;
    const vectors: number[][] = [];
    let truncated = 0;
    const started = performance.now();
    for (const text of params.texts) {
      if (signal.aborted) throw cancelledFailure();
      let tokens = model.tokenize(prefix + text);
      if (tokens.length > maxTokens) {
        tokens = tokens.slice(0, maxTokens);
        truncated++;
      }
      const result = await embedding.context.getEmbeddingFor(tokens);
      vectors.push([...result.vector]);
    }
    if (signal.aborted) throw cancelledFailure();
    this.log(
      "debug",
      `embed (${params.purpose}): ${params.texts.length} texts, ${truncated} cut, ${Math.round(performance.now() - started)} ms`,
    );
    return { vectors, truncated };
  }

  private async runChat(
    params: ChatParams,
    onChunk: (text: string) => void,
    signal: AbortSignal,
  ): Promise<GenerationResult> {
    const { chatModel, lanes } = this.loaded();
    const { sequence, prefillSpeed } = lanes.chat;
    const history: ChatHistoryItem[] = [
      { type: "system", text: params.systemPrompt },
      ...params.turns.map((turn): ChatHistoryItem =>
        turn.role === "user" ? { type: "user", text: turn.text } : { type: "model", response: [turn.text] },
      ),
      { type: "model", response: [] },
    ];
    const tokens = chatModel.chatWrapper
      .generateContextState({ chatHistory: history })
      .contextText.tokenize(chatModel.model.tokenizer);
    if (tokens.length >= sequence.contextSize) {
      throw new HostFailure(
        "contextExceeded",
        `The conversation needs ${tokens.length} tokens but the context holds ${sequence.contextSize}: start a new chat or raise the context size.`,
      );
    }
    const started = performance.now();
    const tokensEvaluated = await prefill(sequence, prefillSpeed, tokens, signal);
    let generatedTokens = 0;
    const chat = new LlamaChat({
      contextSequence: sequence,
      chatWrapper: chatModel.chatWrapper,
      autoDisposeSequence: false,
    });
    try {
      const response = await chat.generateResponse(history, {
        signal,
        maxTokens: Math.min(params.maxTokens, sequence.contextSize - tokens.length),
        temperature: params.temperature,
        // Off, as for infill: answers are mostly code, where repeated tokens (indentation, brackets, names) are right.
        repeatPenalty: false,
        onTextChunk: (text) => {
          if (text !== "") onChunk(text);
        },
        onToken: (generated) => {
          generatedTokens += generated.length;
        },
      });
      const stopReasons: Record<typeof response.metadata.stopReason, StopReason> = {
        eogToken: "eos",
        stopGenerationTrigger: "eos",
        functionCalls: "eos",
        maxTokens: "maxTokens",
        customStopTrigger: "stop",
        abort: "abort",
      };
      this.log(
        "debug",
        `chat: ${tokens.length} prompt tokens, ${tokensEvaluated} evaluated, ${generatedTokens} generated, ${Math.round(performance.now() - started)} ms`,
      );
      return {
        text: response.response,
        stopReason: stopReasons[response.metadata.stopReason],
        tokensEvaluated,
        promptTokens: tokens.length,
        generatedTokens,
      };
    } catch (error) {
      if (signal.aborted) throw cancelledFailure();
      throw error;
    } finally {
      chat.dispose();
    }
  }
}

/**
 * Brings the sequence's KV cache to `tokens` minus the last one, reusing the longest common start and evaluating
 * the rest in chunks paced by `speed`, with an abort check between them.
 * Returns how many prompt tokens this request evaluates, the last one (evaluated by the generation) included.
 */
async function prefill(
  sequence: LlamaContextSequence,
  speed: PrefillSpeed,
  tokens: readonly Token[],
  signal: AbortSignal,
): Promise<number> {
  const body = tokens.slice(0, -1);
  await sequence.adaptStateToTokens(body, false);
  const reused = sequence.nextTokenIndex;
  for (let index = reused; index < body.length;) {
    if (signal.aborted) throw cancelledFailure();
    const size = speed.nextChunkTokens();
    const chunk = body.slice(index, index + size);
    const started = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(chunk);
    // A short last chunk is mostly the evaluation's fixed cost: it would understate the speed.
    if (chunk.length === size) speed.record(size, performance.now() - started);
    index += chunk.length;
  }
  if (signal.aborted) throw cancelledFailure();
  return body.length - reused + 1;
}

/** Evaluates the prompt's last token and generates; `firstTokenAt` is when the first token came (performance.now()). */
async function generate(
  sequence: LlamaContextSequence,
  prompt: readonly Token[],
  params: Pick<InfillParams, "maxTokens" | "stop" | "temperature" | "stopPolicy">,
  signal: AbortSignal,
): Promise<Pick<GenerationResult, "text" | "stopReason" | "generatedTokens"> & { firstTokenAt: number | undefined }> {
  const { model } = sequence;
  const generated: Token[] = [];
  const contextTail = prompt.slice(-8);
  let text = "";
  let stopReason: StopReason = "maxTokens";
  let firstTokenAt: number | undefined;
  const policy = params.stopPolicy === undefined ? undefined : new StopPolicy(params.stopPolicy);
  // No repeat penalty: code legitimately repeats tokens (indentation, brackets), and FIM answers are short.
  const evaluation = sequence.evaluate([prompt[prompt.length - 1]], {
    temperature: params.temperature,
    yieldEogToken: true,
  });
  for await (const token of evaluation) {
    firstTokenAt ??= performance.now();
    if (signal.aborted) throw cancelledFailure();
    if (model.isEogToken(token)) {
      stopReason = "eos";
      break;
    }
    generated.push(token);
    const cut = cutAtStopStrings(model.detokenize(generated, false, contextTail), params.stop);
    text = cut.text;
    if (cut.stopped) {
      stopReason = "stop";
      break;
    }
    const decision = policy?.update(text, performance.now() - firstTokenAt);
    if (decision !== undefined) {
      text = decision.text;
      stopReason = decision.reason;
      break;
    }
    if (generated.length >= params.maxTokens || sequence.nextTokenIndex >= sequence.contextSize - 1) break;
  }
  if (signal.aborted) throw cancelledFailure();
  return { text, stopReason, generatedTokens: generated.length, firstTokenAt };
}

/** node-llama-cpp names a backend without loadable binaries only by its error class. */
function describeBackendError(error: unknown, backend: HostConfig["gpu"]): string {
  const text = errorText(error);
  if (!/NoBinaryFoundError/.test(text)) return text;
  // No .vsix carries the CUDA or Vulkan build: missing binaries there usually mean the download was never run.
  const hint = gpuRuntimeDownloadHint(backend, runtimePlatform(process.platform, process.arch));
  return `its llama.cpp binaries are missing or do not load on this system (no driver?)${hint === undefined ? "" : `; ${hint}`}`;
}
