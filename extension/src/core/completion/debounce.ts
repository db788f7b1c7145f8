export type DebounceMode = { kind: "adaptive" } | { kind: "fixed"; milliseconds: number };

const smoothing = 0.3;
const minimumMs = 25;
const maximumMs = 350;
/**
 * Gaps longer than the longest wait are pauses, not typing pace: the request goes out within them anyway, so counting
 * them would only lengthen every later wait without saving a single cancelled request.
 */
const pauseMs = maximumMs;
/** Until the first gaps are seen, assume an ordinary typist (~ 6 keystrokes a second). */
const initialIntervalMs = 160;

/**
 * Learns the user's typing pace and waits a little longer than their usual gap between keys:
 * a fast typist is not interrupted by requests that the next key cancels, and a slow one does
 * not wait for a fixed 350 ms. It never waits longer than the model takes to answer: a request
 * the next key cancels wastes at most that much of the model's time, so a fast model is cheaper
 * to ask than to wait for.
 */
export class AdaptiveDebounce {
  private averageIntervalMs = initialIntervalMs;
  private lastKeystrokeAt: number | undefined;
  private averageModelMs: number | undefined;

  constructor(private readonly mode: DebounceMode) {}

  recordKeystroke(at: number): void {
    if (this.lastKeystrokeAt !== undefined) {
      const gap = at - this.lastKeystrokeAt;
      if (gap > 0 && gap < pauseMs) this.averageIntervalMs += smoothing * (gap - this.averageIntervalMs);
    }
    this.lastKeystrokeAt = at;
  }

  /** How long the model took to answer a request, from the call to the answer. */
  recordModelTime(ms: number): void {
    const average = this.averageModelMs ?? ms;
    this.averageModelMs = average + smoothing * (ms - average);
  }

  get typicalIntervalMs(): number {
    return this.averageIntervalMs;
  }

  delayMs(): number {
    if (this.mode.kind === "fixed") return this.mode.milliseconds;
    const paced = Math.min(this.averageIntervalMs * 1.25, this.averageModelMs ?? Infinity);
    return Math.round(Math.min(maximumMs, Math.max(minimumMs, paced)));
  }
}
