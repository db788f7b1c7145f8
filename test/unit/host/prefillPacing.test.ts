import assert from "node:assert/strict";
import { PrefillSpeed, defaultPrefillPacing, prefillChunkTokens } from "../../../extension/src/core/host/prefillPacing";

const pacing = { ...defaultPrefillPacing, maxTokens: 512 };

describe("prefill pacing", () => {
  it("starts with the smallest chunk before any speed is known", () => {
    assert.equal(prefillChunkTokens(undefined, pacing), 64);
    assert.equal(new PrefillSpeed(pacing).nextChunkTokens(), 64);
  });

  it("keeps the smallest chunk on a CPU where one chunk already takes longer than the target", () => {
    // 2 CPU cores, 0.5B model: about 270 ms per 64-token chunk.
    assert.equal(prefillChunkTokens(270 / 64, pacing), 64);
  });

  it("grows in powers of two while a chunk stays within the target", () => {
    assert.equal(prefillChunkTokens(0.3, pacing), 128);
    assert.equal(prefillChunkTokens(0.15, pacing), 256);
  });

  it("never exceeds the context's batch size, however fast the GPU", () => {
    assert.equal(prefillChunkTokens(0.001, pacing), 512);
    assert.equal(prefillChunkTokens(0.001, { ...pacing, maxTokens: 128 }), 128);
  });

  it("follows a lasting change of speed within a few chunks, and one slow chunk does not collapse it", () => {
    const speed = new PrefillSpeed(pacing);
    speed.record(64, 3);
    assert.equal(speed.nextChunkTokens(), 512);
    speed.record(512, 96); // four times slower than the chunks before
    assert.equal(speed.nextChunkTokens(), 256, "one slow chunk halves the size, it does not reset it");
    for (let i = 0; i < 4; i++) speed.record(512, 400);
    assert.equal(speed.nextChunkTokens(), 64);
  });

  it("believes a faster chunk at once: a first chunk slowed by kernel compilation does not hold the size down", () => {
    const speed = new PrefillSpeed(pacing);
    speed.record(64, 9000);
    assert.equal(speed.nextChunkTokens(), 64);
    speed.record(64, 5);
    assert.equal(speed.nextChunkTokens(), 512);
  });

  it("ignores an empty measurement", () => {
    const speed = new PrefillSpeed(pacing);
    speed.record(0, 100);
    assert.equal(speed.nextChunkTokens(), 64);
  });
});
