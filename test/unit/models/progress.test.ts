import assert from "node:assert/strict";
import { ProgressThrottle, formatDuration } from "../../../extension/src/core/models/progress";

describe("download progress", function () {
  it("reports at most once per interval, and always the last sample", function () {
    let now = 0;
    const throttle = new ProgressThrottle(250, () => now);
    const reports: number[] = [];
    for (let received = 0; received <= 1000; received += 10) {
      now += 5;
      const report = throttle.update({ receivedBytes: received, totalBytes: 1000 });
      if (report !== undefined) reports.push(now);
    }
    assert.ok(reports.length <= 4, `${reports.length} reports in 505 ms`);
    assert.equal(reports[reports.length - 1], now, "the final sample is reported");
    for (let index = 1; index < reports.length - 1; index++) assert.ok(reports[index] - reports[index - 1] >= 250);
  });

  it("gives percentage increments that add up to 100", function () {
    let now = 0;
    const throttle = new ProgressThrottle(100, () => now);
    let sum = 0;
    for (let received = 0; received <= 5000; received += 100) {
      now += 50;
      sum += throttle.update({ receivedBytes: received, totalBytes: 5000 })?.increment ?? 0;
    }
    assert.ok(Math.abs(sum - 100) < 1e-9, String(sum));
  });

  it("measures speed over recent samples, so resumed bytes do not count as fast", function () {
    let now = 0;
    const throttle = new ProgressThrottle(0, () => now);
    throttle.update({ receivedBytes: 900 * 1024 * 1024, totalBytes: 1000 * 1024 * 1024 });
    let message = "";
    for (let second = 1; second <= 10; second++) {
      now = second * 1000;
      message =
        throttle.update({ receivedBytes: 900 * 1024 * 1024 + second * 1024 * 1024, totalBytes: 1000 * 1024 * 1024 })
          ?.message ?? message;
    }
    assert.match(message, /^91% · 910\.0 MB of 1000\.0 MB · 1\.0 MB\/s · 1 min 30 s left$/);
  });

  it("formats durations", function () {
    assert.equal(formatDuration(42), "42 s");
    assert.equal(formatDuration(125), "2 min 5 s");
    assert.equal(formatDuration(7300), "2 h 1 min");
    assert.equal(formatDuration(Number.POSITIVE_INFINITY), "unknown");
  });
});
