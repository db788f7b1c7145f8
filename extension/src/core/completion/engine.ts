import type { GenerationResult, InfillParams } from "../protocol/host";
import type { ShieldVerdict, SuggestionInContext } from "../shieldGate";
import type { CompletionSyntax } from "../syntax/insertionParser";
import { CompletionCache } from "./completionCache";
import { AdaptiveDebounce, type DebounceMode } from "./debounce";
import type { IndentationStyle } from "./indentation";
import { decideMode } from "./mode";
import { postProcess, type DropReason } from "./postProcess";
import { buildInfillPrompt, generationLimits, type ContextSnippet, type PromptBudget, type ScopeHeader, type TokenCounter } from "./prompt";
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
  countTokens: TokenCounter;
  now: () => number;
  /** Resolves after `ms`, or rejects once `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface CompletionRequest {
  languageId: string;
  path: string;
  prefix: string;
  suffix: string;
  trigger: TriggerKind;
  style: IndentationStyle;
  /** Absent without a grammar or for a document over the size limit. */
  syntax?: CompletionSyntax;
  /** Context from other files; asked only once the debounce has passed, so skipped keystrokes cost nothing. */
  snippets: () => Promise<readonly ContextSnippet[]>;
  /** Functions and classes around the cursor, for when the prompt window starts inside them. */
  scopeHeaders?: readonly ScopeHeader[];
}

export type CompletionOutcome =
  | { kind: "shown"; insertion: Insertion; source: "model" | "cache"; verdict: ShieldVerdict; latencyMs: number; trace: string[] }
  | { kind: "skipped"; reason: "noTrigger" | "cancelled" | DropReason | "withheld"; detail?: string; verdict?: ShieldVerdict };

function limitLines(insertion: Insertion, maxLines: number): Insertion {
  const lines = insertion.text.split("\n");
  return lines.length <= maxLines ? insertion : { text: lines.slice(0, maxLines).join("\n"), replaceRight: insertion.replaceRight };
}

/**
 * The ghost-text pipeline without the editor: trigger, cache, debounce, prompt, model,
 * post-processing, Shield. Each stage is a pure function tested on its own; this class only
 * holds the state that spans keystrokes (typing pace, cache).
 */
export class CompletionEngine {
  private readonly debounce: AdaptiveDebounce;
  private readonly cache = new CompletionCache(64);

  constructor(private readonly options: CompletionEngineOptions) {
    this.debounce = new AdaptiveDebounce(options.debounce);
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<CompletionOutcome> {
    const startedAt = this.options.now();
    const { prefix, suffix } = request;
    if (request.trigger === "automatic") this.debounce.recordKeystroke(startedAt);
    const decision = decideTrigger(prefix, suffix, request.trigger);
    if (!decision.trigger) return { kind: "skipped", reason: "noTrigger", detail: decision.reason };

    const cached = request.trigger === "automatic" ? this.cache.lookup(prefix, suffix) : undefined;
    if (cached) return this.gated(request, cached, "cache", startedAt, ["served from the cache"]);

    if (request.trigger === "automatic") {
      try {
        await this.options.sleep(this.debounce.delayMs(), signal);
      } catch {
        return { kind: "skipped", reason: "cancelled" };
      }
    }
    if (signal.aborted) return { kind: "skipped", reason: "cancelled" };

    const mode = decideMode(prefix, suffix, request.syntax?.documentTree, request.style.tabSize);
    const snippets = await request.snippets();
    if (signal.aborted) return { kind: "skipped", reason: "cancelled" };
    const prompt = buildInfillPrompt({
      prefix,
      suffix,
      languageId: request.languageId,
      path: request.path,
      snippets,
      scopeHeaders: request.scopeHeaders,
      budget: this.options.budget,
      countTokens: this.options.countTokens,
    });
    const limits = generationLimits(mode, this.options.maxLines);
    let result: GenerationResult;
    try {
      result = await this.options.generate({ prefix: prompt.prefix, suffix: prompt.suffix, ...limits, temperature: 0 }, signal);
    } catch (error) {
      if (signal.aborted) return { kind: "skipped", reason: "cancelled" };
      throw error;
    }
    if (signal.aborted || result.stopReason === "abort") return { kind: "skipped", reason: "cancelled" };

    const processed = postProcess({ raw: result.text, prefix, suffix, mode, style: request.style, syntax: request.syntax });
    if (!processed.show) return { kind: "skipped", reason: processed.reason };
    const insertion = limitLines(processed.insertion, this.options.maxLines);
    const trace = [`mode: ${mode}`, ...prompt.included, `model: ${result.generatedTokens} tokens, ${result.tokensEvaluated} evaluated, ${result.stopReason}`];
    const outcome = this.gated(request, insertion, "model", startedAt, trace);
    if (outcome.kind === "shown") this.cache.store(prefix, suffix, insertion);
    return outcome;
  }

  /** Forget cached completions, e.g. when the model or the settings change. */
  clearCache(): void {
    this.cache.clear();
  }

  private gated(request: CompletionRequest, insertion: Insertion, source: "model" | "cache", startedAt: number, trace: string[]): CompletionOutcome {
    const verdict = this.options.gate({
      prefix: request.prefix,
      suggestion: insertion.text,
      suffix: request.suffix.slice(insertion.replaceRight),
      languageId: request.languageId,
    });
    if (verdict.action === "withhold") return { kind: "skipped", reason: "withheld", verdict, detail: verdict.failure };
    return { kind: "shown", insertion, source, verdict, latencyMs: this.options.now() - startedAt, trace };
  }
}
