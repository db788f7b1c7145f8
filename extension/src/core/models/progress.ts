// Download progress for a notification: at most a few updates a second, with a speed and ETA that do not jump about.

export interface ProgressSample {
  receivedBytes: number;
  totalBytes: number;
}

export interface ProgressReport {
  /** 0..100 */
  percent: number;
  /** Percentage points since the previous report, for VS Code's Progress.report increment. */
  increment: number;
  message: string;
}

const speedWindowMs = 3000;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.round(bytes / 1024)} KB`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "unknown";
  const rounded = Math.max(0, Math.round(seconds));
  if (rounded < 60) return `${rounded} s`;
  if (rounded < 3600) return `${Math.floor(rounded / 60)} min ${rounded % 60} s`;
  return `${Math.floor(rounded / 3600)} h ${Math.floor((rounded % 3600) / 60)} min`;
}

/**
 * Turns a stream of byte counts into reports no closer than `intervalMs` apart (the last one always passes).
 * The speed is measured over the last few seconds, so a resumed download does not count its old bytes as fast.
 */
export class ProgressThrottle {
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private lastPercent = 0;
  private readonly samples: { at: number; bytes: number }[] = [];

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  update(sample: ProgressSample): ProgressReport | undefined {
    const at = this.now();
    this.samples.push({ at, bytes: sample.receivedBytes });
    while (this.samples.length > 2 && at - this.samples[1].at >= speedWindowMs) this.samples.shift();
    const done = sample.totalBytes > 0 && sample.receivedBytes >= sample.totalBytes;
    if (!done && at - this.lastReportAt < this.intervalMs) return undefined;
    this.lastReportAt = at;

    const percent = sample.totalBytes > 0 ? Math.min(100, (sample.receivedBytes / sample.totalBytes) * 100) : 0;
    const increment = Math.max(0, percent - this.lastPercent);
    this.lastPercent = percent;
    const oldest = this.samples[0];
    const elapsedSeconds = (at - oldest.at) / 1000;
    const bytesPerSecond = elapsedSeconds > 0 ? (sample.receivedBytes - oldest.bytes) / elapsedSeconds : 0;
    const parts = [
      `${Math.floor(percent)}%`,
      `${formatBytes(sample.receivedBytes)} of ${formatBytes(sample.totalBytes)}`,
    ];
    if (bytesPerSecond > 0) {
      parts.push(`${formatBytes(bytesPerSecond)}/s`);
      if (!done) parts.push(`${formatDuration((sample.totalBytes - sample.receivedBytes) / bytesPerSecond)} left`);
    }
    return { percent, increment, message: parts.join(" · ") };
  }
}
