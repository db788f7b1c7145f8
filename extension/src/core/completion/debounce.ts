export type DebounceMode = { kind: "adaptive" } | { kind: "fixed"; milliseconds: number };

/** Gaps longer than this are pauses, not typing pace. */
const pauseMs = 1500;
const smoothing = 0.3;
const minimumMs = 25;
const maximumMs = 350;
/** Until the first gaps are seen, assume an ordinary typist (~ 6 keystrokes a second). */
const initialIntervalMs = 160;

/**
 * Learns the user's typing pace and waits a little longer than their usual gap between keys:
 * a fast typist is not interrupted by requests that the next key cancels, and a slow one does
 * not wait for a fixed 350 ms.
 */
export class AdaptiveDebounce {
  private averageIntervalMs = initialIntervalMs;
  private lastKeystrokeAt: number | undefined;

  constructor(private readonly mode: DebounceMode) {}

  recordKeystroke(at: number): void {
    if (this.lastKeystrokeAt !== undefined) {
      const gap = at - this.lastKeystrokeAt;
      if (gap > 0 && gap < pauseMs) this.averageIntervalMs += smoothing * (gap - this.averageIntervalMs);
    }
    this.lastKeystrokeAt = at;
  }

  get typicalIntervalMs(): number {
    return this.averageIntervalMs;
  }

  delayMs(): number {
    if (this.mode.kind === "fixed") return this.mode.milliseconds;
    return Math.round(Math.min(maximumMs, Math.max(minimumMs, this.averageIntervalMs * 1.25)));
  }
}
