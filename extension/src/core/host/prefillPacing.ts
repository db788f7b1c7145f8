/**
 * Prompt tokens are evaluated in chunks with an abort check between them (llama.cpp cannot abort a running
 * evaluation), so a cancel waits for the chunk in flight. Small chunks cancel fast but each evaluation has a fixed
 * cost: on 2 CPU cores a 0.5B model ran 16-token chunks at 0.58 of an unchunked evaluation's speed, 64-token chunks
 * at 0.94 (bench:host). A GPU evaluates a whole batch in a few milliseconds, where 64-token chunks would waste most of
 * its speed. So the chunk grows, in powers of two between `minTokens` and the context's batch size, while a chunk
 * stays within `targetMs` at the measured speed; it never shrinks below `minTokens`, which is the CPU's best trade.
 */
export interface PrefillPacing {
  readonly minTokens: number;
  readonly maxTokens: number;
  readonly targetMs: number;
}

export const defaultPrefillPacing = { minTokens: 64, targetMs: 50 } as const;

export function prefillChunkTokens(msPerToken: number | undefined, pacing: PrefillPacing): number {
  if (msPerToken === undefined || !(msPerToken > 0)) return pacing.minTokens;
  let tokens = pacing.minTokens;
  while (tokens * 2 <= pacing.maxTokens && tokens * 2 * msPerToken <= pacing.targetMs) tokens *= 2;
  return tokens;
}

/**
 * The evaluation speed seen so far. A faster chunk is believed at once: slow ones are the exceptions (a GPU compiling
 * its kernels for a batch shape it has not run yet, which took seconds on a fresh machine; a page fault; a busy
 * machine). A slower chunk is averaged in, so one outlier halves the chunk size at most, while a lasting slowdown (the
 * GPU shared with a game) is followed within a few chunks.
 */
export class PrefillSpeed {
  private msPerToken: number | undefined;

  constructor(private readonly pacing: PrefillPacing) {}

  nextChunkTokens(): number {
    return prefillChunkTokens(this.msPerToken, this.pacing);
  }

  record(tokens: number, elapsedMs: number): void {
    if (tokens <= 0) return;
    const measured = elapsedMs / tokens;
    this.msPerToken =
      this.msPerToken === undefined || measured < this.msPerToken ? measured : this.msPerToken * 0.5 + measured * 0.5;
  }
}
