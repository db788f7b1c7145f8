// llama.cpp cannot abort an evaluation once it runs, so a cancel during prompt evaluation waits for the chunk in
// flight. A fixed chunk size is wrong on every machine but one: a GPU evaluates 512 tokens in a few milliseconds, a
// 2-core CPU needs a quarter of a second for 64. The pacer sizes each chunk from the speed it measured, so that a
// chunk takes about `targetMs` wherever it runs, and the largest chunk the hardware allows within that is used.

export interface PrefillPacingOptions {
  /** How long one chunk should take: the longest a cancel waits. */
  targetMs: number;
  /** The context's batch size: llama.cpp evaluates no more tokens at once. */
  maxChunkTokens: number;
  /** A floor, so that a momentarily slow chunk (another lane evaluating at once) does not shrink the next to nothing. */
  minChunkTokens: number;
  /** The first chunk, before anything was measured: small enough to be safe on slow hardware. */
  firstChunkTokens: number;
}

export class PrefillPacer {
  private msPerToken: number | undefined;

  constructor(private readonly options: PrefillPacingOptions) {}

  /** The size of the next chunk, given how many tokens are left to evaluate. */
  nextChunkTokens(remaining: number): number {
    const { targetMs, maxChunkTokens, minChunkTokens, firstChunkTokens } = this.options;
    const paced = this.msPerToken === undefined ? firstChunkTokens : Math.floor(targetMs / this.msPerToken);
    return Math.min(remaining, Math.max(minChunkTokens, Math.min(maxChunkTokens, paced)));
  }

  /**
   * Records how long a chunk took. The per-token cost includes each evaluation's fixed cost, so it is pessimistic for
   * small chunks; sizing from it converges on the chunk that takes `targetMs`. The newest measurement weighs most:
   * the machine's load changes.
   */
  record(tokens: number, elapsedMs: number): void {
    if (tokens <= 0 || !(elapsedMs >= 0)) return;
    const measured = Math.max(elapsedMs, 0.01) / tokens;
    this.msPerToken = this.msPerToken === undefined ? measured : 0.5 * this.msPerToken + 0.5 * measured;
  }
}
