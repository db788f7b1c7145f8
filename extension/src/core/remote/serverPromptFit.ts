// The completion prompt fitted to its token budget with a remote server's own tokenizer (llama-server's /tokenize),
// by the same block-wise fit as the local host (completion/promptFit.ts). Counting costs a round trip per text, so the
// counts of the texts seen are kept: the blocks above the cursor stay the same while the user types, and a keystroke
// usually costs one short /tokenize, for the block that holds the cursor.
import {
  type FittedText,
  type PromptPieces,
  fitInfillContextCounted,
  fitInfillContextEstimated,
  lowTokenEstimate,
} from "../completion/promptFit";
import { HostRequestError, cancelledError } from "../protocol/backend";

/** Text → token count, forgetting the least recently used beyond `capacity` entries. */
export class TokenCountCache {
  private readonly counts = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  get(text: string): number | undefined {
    const count = this.counts.get(text);
    if (count !== undefined) {
      // A Map iterates in insertion order: inserting again makes this the most recently used.
      this.counts.delete(text);
      this.counts.set(text, count);
    }
    return count;
  }

  set(text: string, count: number): void {
    this.counts.delete(text);
    this.counts.set(text, count);
    const oldest = this.counts.keys().next();
    if (this.counts.size > this.capacity && oldest.done !== true) this.counts.delete(oldest.value);
  }

  clear(): void {
    this.counts.clear();
  }
}

/** One text's tokens on the server; rejects on failure, with HostRequestError "cancelled" once `signal` aborts. */
export type CountOnServer = (text: string, signal: AbortSignal) => Promise<number>;

export interface ServerFittedPrompt {
  text: FittedText;
  /** What the fit kept and what it cost, for the trace: its last line says where the counts came from. */
  promptFit: string[];
}

export interface ServerPromptFitterOptions {
  /** "llama-server's tokenizer (/tokenize)", for the trace. */
  tokenizerName: string;
  countOnServer: CountOnServer;
  /** Enough for the blocks of the prompt windows of a few files (a 1,536-token budget has about 60). */
  cacheCapacity?: number;
  /** /tokenize requests in flight at once while a cold prompt is counted. */
  concurrency?: number;
}

const defaultCacheCapacity = 1024;
const defaultConcurrency = 4;
/**
 * The stand-in for an uncounted text is this share of what the server's average tokens per character predicts: blocks
 * denser than the average are common, and a stand-in above the count costs another round of requests.
 */
const standInShare = 0.75;

/**
 * Failures that say the server has no usable tokenizer endpoint (404 from an older server or a proxy in front of it,
 * 400, an answer without tokens): asking again on every keystroke would only add a round trip.
 */
const permanentFailures: ReadonlySet<string> = new Set(["modelNotFound", "badRequest", "malformedResponse"]);

export class ServerPromptFitter {
  private readonly counts: TokenCountCache;
  private readonly concurrency: number;
  /** Why the server's tokenizer is not used any more, once it failed for good. */
  private unusable: string | undefined;
  /** What the server has counted so far, for a stand-in close to its vocabulary (code models' differ widely). */
  private countedChars = 0;
  private countedTokens = 0;

  constructor(private readonly options: ServerPromptFitterOptions) {
    this.counts = new TokenCountCache(options.cacheCapacity ?? defaultCacheCapacity);
    this.concurrency = options.concurrency ?? defaultConcurrency;
  }

  /**
   * The prompt within its budget, counted by the server; if the server cannot count, by the character estimate, and
   * the trace says so. Rejects only when `signal` aborts.
   */
  async fit(prompt: PromptPieces, signal?: AbortSignal): Promise<ServerFittedPrompt> {
    let fallbackReason = this.unusable;
    if (fallbackReason === undefined) {
      try {
        const fitted = await fitInfillContextCounted(
          prompt,
          (text) => this.counts.get(text),
          (texts) => this.countAll(texts, signal),
          `counted with ${this.options.tokenizerName}`,
          (text) => this.standIn(text),
        );
        return { text: fitted.text, promptFit: fitted.included };
      } catch (error) {
        if (signal?.aborted === true) throw cancelledError();
        fallbackReason = errorMessage(error);
        if (error instanceof HostRequestError && permanentFailures.has(error.code)) this.unusable = fallbackReason;
      }
    }
    const estimated = fitInfillContextEstimated(
      prompt,
      `estimated from characters, since ${this.options.tokenizerName} failed: ${fallbackReason}`,
    );
    return { text: estimated.text, promptFit: estimated.included };
  }

  /** The counts depend on the model: another model behind the same server starts afresh. */
  forgetCounts(): void {
    this.counts.clear();
    this.countedChars = 0;
    this.countedTokens = 0;
  }

  private standIn(text: string): number {
    if (this.countedChars === 0) return lowTokenEstimate(text);
    return Math.floor((text.length * this.countedTokens * standInShare) / this.countedChars);
  }

  /** Counts `texts` with at most `concurrency` requests in flight; the first failure cancels the others. */
  private async countAll(texts: readonly string[], signal: AbortSignal | undefined): Promise<number[]> {
    const siblings = new AbortController();
    const stopSiblings = (): void => siblings.abort();
    signal?.addEventListener("abort", stopSiblings, { once: true });
    if (signal?.aborted === true) siblings.abort();
    const counts = new Array<number>(texts.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < texts.length) {
        const index = next++;
        counts[index] = await this.options.countOnServer(texts[index], siblings.signal);
        this.counts.set(texts[index], counts[index]);
        this.countedChars += texts[index].length;
        this.countedTokens += counts[index];
      }
    };
    const failFast = (error: unknown): never => {
      siblings.abort();
      throw error;
    };
    try {
      await Promise.all(
        Array.from({ length: Math.min(this.concurrency, texts.length) }, () => worker().catch(failFast)),
      );
      return counts;
    } finally {
      signal?.removeEventListener("abort", stopSiblings);
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
