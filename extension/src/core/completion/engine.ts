import type { GenerationResult, GenerationTimings, InfillParams } from "../protocol/host";
import type { ShieldVerdict, SuggestionInContext } from "../shield/gate";
import type { CompletionSyntax } from "../syntax/insertionParser";
import { CompletionCache } from "./completionCache";
import { AdaptiveDebounce, type DebounceMode } from "./debounce";
import type { IndentationStyle } from "./indentation";
import { decideMode, type CompletionMode } from "./mode";
import { postProcess, type DropReason } from "./postProcess";
import {
  buildPromptPieces,
  generationLimits,
  type ContextSnippet,
  type PromptBudget,
  type ScopeHeader,
} from "./prompt";
import type { PromptPieces } from "./promptFit";
import { stopPolicySpec } from "./stopPolicy";
import type { Insertion } from "./suffixOverlap";
import { decideTrigger, type TriggerKind } from "./trigger";

/** The one place where a suggestion meets the Shield; the composition root backs it with gateSuggestion. */
export type SuggestionGate = (input: SuggestionInContext) => ShieldVerdict;

export type Generate = (params: InfillParams, signal: AbortSignal) => Promise<GenerationResult>;

export interface CompletionEngineOptions {
  generate: Generate;
  gate: SuggestionGate;
  debounce: DebounceMode;
  budget: PromptBudget;
  maxLines: number;
  now: () => number;
  /** Resolves after `ms`, or rejects once `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Generation stops this long after its first token once a full line exists; 0 or absent: no cap. */
  generationTimeCapMs?: number;
}

export interface CompletionRequest {
  languageId: string;
  path: string;
  /** The text before and after the cursor: the whole document, or a window around the cursor that syntax() knows the place of. */
  prefix: string;
  suffix: string;
  /** The document line of the cursor, 0-based: the prompt's blocks are aligned to document lines. */
  cursorLine: number;
  trigger: TriggerKind;
  /**
   * When the keystroke behind an automatic request changed the document, on the clock of `now`: the editor waits a
   * while of its own before it asks, and the debounce counts from the keystroke, not from the asking.
   */
  typedAt?: number;
  style: IndentationStyle;
  /**
   * The document's syntax, asked (and the document re-parsed) only once the debounce has passed, so keystrokes the
   * next one supersedes cost no parse. Absent, or undefined, without a grammar or for a document over the size limit.
   */
  syntax?: () => CompletionSyntax | undefined;
  /** Context from other files; asked only once the debounce has passed, so skipped keystrokes cost nothing. */
  snippets: () => Promise<readonly ContextSnippet[]>;
  /** Functions and classes around the cursor, for when the prompt window starts inside them; asked after syntax(). */
  scopeHeaders?: () => readonly ScopeHeader[];
}

/**
 * Where a shown suggestion's time went, in milliseconds from the engine's call, so a trace can tell the debounce and
 * the model from the pipeline around them. The model's fields are absent for a suggestion from the cache.
 */
export interface CompletionPhases {
  debounceMs: number;
  /** The debounce's end to the first generate call: syntax, context, prompt. */
  prepareMs?: number;
  /** Generate calls, from call to return, the host's round trip included. */
  generateMs?: number;
  /** The host's own clock for the first generation. */
  host?: GenerationTimings;
  shieldMs: number;
}

/** One suggestion as shown: the text and where it goes, and what the Shield said about it. */
export interface ShownSuggestion {
  insertion: Insertion;
  verdict: ShieldVerdict;
}

export type CompletionOutcome =
  | {
      kind: "shown";
      insertion: Insertion;
      source: "model" | "cache";
      verdict: ShieldVerdict;
      /** On a manual trigger: other, different suggestions to cycle through (Alt+] / Alt+[). */
      alternatives: readonly ShownSuggestion[];
      latencyMs: number;
      phases: CompletionPhases;
      trace: string[];
    }
  | {
      kind: "skipped";
      reason: "noTrigger" | "cancelled" | DropReason | "withheld";
      detail?: string;
      verdict?: ShieldVerdict;
    };

/** Suggestions asked for on a manual trigger: the greedy one and sampled alternatives. */
const manualCandidates = 3;
/** Warm enough to vary the alternatives, cool enough to stay plausible code. */
const alternativeTemperature = 0.7;

function limitLines(insertion: Insertion, maxLines: number): Insertion {
  const lines = insertion.text.split("\n");
  return lines.length <= maxLines
    ? insertion
    : { text: lines.slice(0, maxLines).join("\n"), replaceRight: insertion.replaceRight };
}

interface PreparedPrompt {
  mode: CompletionMode;
  syntax: CompletionSyntax | undefined;
  /** Fitted by the backend, with its own token counts. */
  pieces: PromptPieces;
}

type Candidate =
  | { kind: "insertion"; insertion: Insertion; trace: string[]; generateMs: number; host?: GenerationTimings }
  | { kind: "dropped"; reason: DropReason }
  | { kind: "cancelled" };

interface Precompute {
  prefix: string;
  suffix: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The ghost-text pipeline without the editor: trigger, cache, debounce, prompt, model,
 * post-processing, Shield. Each stage is a pure function tested on its own; this class only
 * holds the state that spans keystrokes (typing pace, cache, a precompute in flight).
 */
export class CompletionEngine {
  private readonly debounce: AdaptiveDebounce;
  private readonly cache = new CompletionCache(64);
  private precomputing: Precompute | undefined;
  /** The suggestions of the last manual trigger: cycling with Alt+] asks again at the same place and must get the same list. */
  private lastManual: { prefix: string; suffix: string; insertions: Insertion[] } | undefined;

  constructor(private readonly options: CompletionEngineOptions) {
    this.debounce = new AdaptiveDebounce(options.debounce);
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome> {
    const startedAt = this.options.now();
    const { prefix, suffix } = request;
    const typedAt = Math.min(request.typedAt ?? startedAt, startedAt);
    if (request.trigger === "automatic") this.debounce.recordKeystroke(typedAt);
    const decision = decideTrigger(prefix, suffix, request.trigger);
    if (!decision.trigger) return { kind: "skipped", reason: "noTrigger", detail: decision.reason };

    if (request.trigger === "automatic") {
      await this.awaitPrecompute(prefix, suffix, signal);
      const cached = this.cache.lookup(prefix, suffix);
      if (cached)
        return this.shown(request, [cached], "cache", startedAt, ["served from the cache"], { debounceMs: 0 });
      try {
        const waited = this.options.now() - typedAt;
        if (waited < this.debounce.delayMs()) await this.options.sleep(this.debounce.delayMs() - waited, signal);
      } catch {
        return { kind: "skipped", reason: "cancelled" };
      }
      // A precompute may have started during the wait (the accept's command runs after its edit).
      await this.awaitPrecompute(prefix, suffix, signal);
      const precomputed = this.cache.lookup(prefix, suffix);
      const debounceMs = this.options.now() - startedAt;
      if (precomputed)
        return this.shown(request, [precomputed], "cache", startedAt, ["served from the cache"], { debounceMs });
    } else {
      this.cancelPrecompute();
      const last = this.lastManual;
      if (last && last.prefix === prefix && last.suffix === suffix)
        return this.shown(request, last.insertions, "cache", startedAt, ["manual suggestions served again"], {
          debounceMs: 0,
        });
    }
    if (signal.aborted) return { kind: "skipped", reason: "cancelled" };

    const debouncedAt = this.options.now();
    const prepared = await this.preparePrompt(request, signal);
    const preparedAt = this.options.now();
    if (!prepared) return { kind: "skipped", reason: "cancelled" };
    const attempts = request.trigger === "manual" ? manualCandidates : 1;
    const insertions: Insertion[] = [];
    let trace: string[] = [];
    let host: GenerationTimings | undefined;
    let generateMs = 0;
    let dropped: DropReason | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const candidate = await this.generateCandidate(
        request,
        prepared,
        signal,
        attempt === 0 ? 0 : alternativeTemperature,
      );
      if (candidate.kind === "cancelled") return { kind: "skipped", reason: "cancelled" };
      if (candidate.kind === "insertion") generateMs += candidate.generateMs;
      if (candidate.kind === "dropped") {
        dropped ??= candidate.reason;
        continue;
      }
      if (insertions.length === 0) ({ trace, host } = candidate);
      if (
        !insertions.some(
          (other) => other.text === candidate.insertion.text && other.replaceRight === candidate.insertion.replaceRight,
        )
      )
        insertions.push(candidate.insertion);
    }
    if (insertions.length === 0) return { kind: "skipped", reason: dropped ?? "empty" };
    if (request.trigger === "manual") this.lastManual = { prefix, suffix, insertions };
    const phases = { debounceMs: debouncedAt - startedAt, prepareMs: preparedAt - debouncedAt, generateMs, host };
    const outcome = this.shown(request, insertions, "model", startedAt, trace, phases);
    if (outcome.kind === "shown") this.cache.store(prefix, suffix, outcome.insertion);
    return outcome;
  }

  /**
   * Computes the completion at a position the user is about to reach, typically the end of a
   * suggestion just accepted, and keeps it in the cache: the next automatic request there is
   * answered at once. A request elsewhere cancels it. Settles when it is stored or given up, so
   * the caller knows when the request's syntax tree is free to delete.
   */
  precompute(request: CompletionRequest): Promise<void> {
    this.cancelPrecompute();
    if (!decideTrigger(request.prefix, request.suffix, "automatic").trigger) return Promise.resolve();
    if (this.cache.lookup(request.prefix, request.suffix)) return Promise.resolve();
    const controller = new AbortController();
    const done = this.preparePrompt(request, controller.signal)
      .then((prepared) => (prepared ? this.generateCandidate(request, prepared, controller.signal, 0) : undefined))
      .then(
        (candidate) => {
          if (candidate?.kind === "insertion" && !controller.signal.aborted)
            this.cache.store(request.prefix, request.suffix, candidate.insertion);
        },
        // A failed precompute only means that the next request asks the model itself.
        () => undefined,
      );
    const entry: Precompute = { prefix: request.prefix, suffix: request.suffix, controller, done };
    this.precomputing = entry;
    return done.finally(() => {
      if (this.precomputing === entry) this.precomputing = undefined;
    });
  }

  /** Forget cached completions, e.g. when the model or the settings change. */
  clearCache(): void {
    this.cancelPrecompute();
    this.lastManual = undefined;
    this.cache.clear();
  }

  /** A request where the precompute is heading waits for it; one anywhere else makes it worthless. */
  private async awaitPrecompute(prefix: string, suffix: string, signal: AbortSignal): Promise<void> {
    const pending = this.precomputing;
    if (!pending) return;
    if (pending.prefix !== prefix || pending.suffix !== suffix) {
      this.cancelPrecompute();
      return;
    }
    const aborted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    await Promise.race([pending.done, aborted]);
  }

  private cancelPrecompute(): void {
    this.precomputing?.controller.abort();
    this.precomputing = undefined;
  }

  private async preparePrompt(request: CompletionRequest, signal: AbortSignal): Promise<PreparedPrompt | undefined> {
    const { prefix, suffix } = request;
    const syntax = request.syntax?.();
    const mode = decideMode(prefix, suffix, syntax?.documentTree, request.style.tabSize, syntax?.cursor);
    const scopeHeaders = request.scopeHeaders?.();
    const snippets = await request.snippets();
    if (signal.aborted) return undefined;
    const pieces = buildPromptPieces({
      prefix,
      suffix,
      cursorLine: request.cursorLine,
      languageId: request.languageId,
      path: request.path,
      snippets,
      scopeHeaders,
      budget: this.options.budget,
    });
    return { mode, syntax, pieces };
  }

  private async generateCandidate(
    request: CompletionRequest,
    prepared: PreparedPrompt,
    signal: AbortSignal,
    temperature: number,
  ): Promise<Candidate> {
    const { mode, syntax, pieces } = prepared;
    const limits = generationLimits(mode, this.options.maxLines);
    let result: GenerationResult;
    let calledAt: number;
    try {
      const stopPolicy = stopPolicySpec({
        prefix: request.prefix,
        suffix: request.suffix,
        mode,
        maxLines: this.options.maxLines,
        tabSize: request.style.tabSize,
        checksSyntax: syntax !== undefined && !syntax.documentTree.rootNode.hasError,
        timeCapMs: this.options.generationTimeCapMs ?? 0,
      });
      calledAt = this.options.now();
      result = await this.options.generate({ ...pieces, ...limits, temperature, stopPolicy }, signal);
    } catch (error) {
      if (signal.aborted) return { kind: "cancelled" };
      throw error;
    }
    const generateMs = this.options.now() - calledAt;
    if (signal.aborted || result.stopReason === "abort") return { kind: "cancelled" };
    this.debounce.recordModelTime(generateMs);
    const processed = postProcess({
      raw: result.text,
      prefix: request.prefix,
      suffix: request.suffix,
      mode,
      style: request.style,
      syntax,
    });
    if (!processed.show) return { kind: "dropped", reason: processed.reason };
    const trace = [
      `mode: ${mode}`,
      ...(result.promptFit ?? []),
      ...(result.redactedSecrets === undefined ? [] : [`redacted: ${result.redactedSecrets} secrets before sending`]),
      `model: ${result.generatedTokens} tokens, ${result.tokensEvaluated} evaluated, ${result.stopReason}`,
    ];
    const insertion = limitLines(processed.insertion, this.options.maxLines);
    return { kind: "insertion", insertion, trace, generateMs, host: result.timings };
  }

  /** Scans each suggestion; the first the Shield lets through leads, the others become alternatives. */
  private shown(
    request: CompletionRequest,
    insertions: readonly Insertion[],
    source: "model" | "cache",
    startedAt: number,
    trace: string[],
    phases: Omit<CompletionPhases, "shieldMs">,
  ): CompletionOutcome {
    const gatedAt = this.options.now();
    const shown: ShownSuggestion[] = [];
    let withheld: ShieldVerdict | undefined;
    for (const insertion of insertions) {
      const text = {
        prefix: request.prefix,
        suggestion: insertion.text,
        suffix: request.suffix.slice(insertion.replaceRight),
        languageId: request.languageId,
      };
      // The request's tree with the suggestion put in by an incremental re-parse: the Shield parses nothing afresh.
      const inDocument = request.syntax
        ? () => {
            const syntax = request.syntax?.();
            return (
              syntax && {
                tree: syntax.parseWithInsertion(insertion.text, insertion.replaceRight),
                prefixStart: syntax.cursor - request.prefix.length,
              }
            );
          }
        : undefined;
      const verdict = this.options.gate(inDocument ? { ...text, inDocument } : text);
      if (verdict.action === "withhold") withheld ??= verdict;
      else shown.push({ insertion, verdict });
    }
    const [first, ...alternatives] = shown;
    if (!first) return { kind: "skipped", reason: "withheld", verdict: withheld, detail: withheld?.failure };
    const now = this.options.now();
    const { insertion, verdict } = first;
    return {
      kind: "shown",
      insertion,
      verdict,
      source,
      alternatives,
      latencyMs: now - startedAt,
      phases: { ...phases, shieldMs: now - gatedAt },
      trace,
    };
  }
}
