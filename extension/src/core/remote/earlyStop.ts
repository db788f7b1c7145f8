import { StopPolicy, type StopDecision, type StopPolicySpec } from "../completion/stopPolicy";

/**
 * Early stop for a streamed remote completion: feeds the streamed text to the stop policy and, the moment the final
 * text is known, aborts the request, which closes the connection; a server stops generating when its client goes.
 */
export class StreamStop {
  private readonly policy: StopPolicy | undefined;
  private readonly controller = new AbortController();
  private firstPieceAt: number | undefined;
  private pieces = 0;
  private decision: StopDecision | undefined;
  /** For the request: aborts on the caller's signal, and when the policy stops. */
  readonly signal: AbortSignal;

  constructor(
    spec: StopPolicySpec | undefined,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.policy = spec === undefined ? undefined : new StopPolicy(spec);
    this.signal = outer === undefined ? this.controller.signal : AbortSignal.any([outer, this.controller.signal]);
  }

  /** After each streamed piece, with all the text streamed so far. */
  push(text: string): void {
    if (this.policy === undefined || this.decision !== undefined) return;
    this.pieces++;
    this.firstPieceAt ??= performance.now();
    this.decision = this.policy.update(text, performance.now() - this.firstPieceAt);
    if (this.decision !== undefined) this.controller.abort();
  }

  /**
   * Runs the streaming request. Returns the policy's decision when it stopped the request, with the pieces streamed
   * (each a token, for the servers that stream one per event), or undefined when the server ended it.
   */
  async run(
    request: (signal: AbortSignal) => Promise<void>,
  ): Promise<{ decision: StopDecision; pieces: number } | undefined> {
    try {
      await request(this.signal);
    } catch (error) {
      if (this.decision === undefined || this.outer?.aborted === true) throw error;
    }
    return this.decision === undefined ? undefined : { decision: this.decision, pieces: this.pieces };
  }
}
