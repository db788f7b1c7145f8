import assert from "node:assert/strict";
import { PrefillPacer } from "../../extension/src/core/prefillPacing";

const options = { targetMs: 60, maxChunkTokens: 512, minChunkTokens: 16, firstChunkTokens: 16 };

/** Runs the pacer against hardware whose evaluation of n tokens costs fixedMs + n * perTokenMs; returns the chunk sizes. */
function simulate(fixedMs: number, perTokenMs: number, totalTokens: number): number[] {
  const pacer = new PrefillPacer(options);
  const chunks: number[] = [];
  for (let done = 0; done < totalTokens; ) {
    const chunk = pacer.nextChunkTokens(totalTokens - done);
    pacer.record(chunk, fixedMs + chunk * perTokenMs);
    chunks.push(chunk);
    done += chunk;
  }
  return chunks;
}

describe("prefill pacing", function () {
  it("starts with the small first chunk before anything is measured", function () {
    assert.equal(new PrefillPacer(options).nextChunkTokens(1500), 16);
  });

  it("never asks for more than remains", function () {
    assert.equal(new PrefillPacer(options).nextChunkTokens(5), 5);
  });

  it("settles on chunks that take about the target time on a slow CPU", function () {
    // A 2-core CPU on a 0.5B model: ~4 ms per token plus ~6 ms per evaluation.
    const chunks = simulate(6, 4, 1500);
    const settled = chunks.slice(5, -1);
    for (const chunk of settled) {
      const ms = 6 + chunk * 4;
      assert.ok(ms <= 70 && ms >= 45, `a chunk of ${chunk} tokens takes ${ms} ms`);
    }
  });

  it("grows to the batch size on fast hardware", function () {
    const chunks = simulate(2, 0.02, 4000);
    assert.equal(chunks[0], 16);
    assert.ok(chunks.slice(3, -1).every((chunk) => chunk === 512), chunks.join(","));
  });

  it("shrinks when the machine slows down, but not below the floor", function () {
    const pacer = new PrefillPacer(options);
    pacer.record(64, 64);
    assert.equal(pacer.nextChunkTokens(1000), 60);
    pacer.record(60, 6000);
    assert.equal(pacer.nextChunkTokens(1000), 16);
  });

  it("ignores measurements of nothing", function () {
    const pacer = new PrefillPacer(options);
    pacer.record(0, 100);
    pacer.record(10, Number.NaN);
    assert.equal(pacer.nextChunkTokens(1000), 16);
  });
});
