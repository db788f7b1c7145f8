import assert from "node:assert/strict";
import {
  FimBudgetError,
  cutAtStopStrings,
  layoutFimPrompt,
  prefixCutIndex,
} from "../../../extension/src/core/completion/fimLayout";

const fim = { prefix: 1001, suffix: 1002, middle: 1003 };
const roomy = { maxPromptTokens: 1000, maxSuffixTokens: 100, prefixTrimStep: 16 };

/** What a KV cache holding `cached` keeps when `next` is evaluated. */
function commonPrefixLength(cached: readonly number[], next: readonly number[]): number {
  let index = 0;
  while (index < Math.min(cached.length, next.length) && cached[index] === next[index]) index++;
  return index;
}

function range(start: number, length: number): number[] {
  return Array.from({ length }, (_, i) => start + i);
}

describe("FIM prompt layout", function () {
  it("puts the suffix first and the prefix right before <middle>", function () {
    const layout = layoutFimPrompt([1, 2, 3], [7, 8], fim, [], roomy);
    assert.deepEqual(layout.tokens, [1002, 7, 8, 1001, 1, 2, 3, 1003]);
    assert.equal(layout.prefixTokensKept, 3);
    assert.equal(layout.suffixTokensKept, 2);
  });

  it("keeps leading tokens (BOS) in front", function () {
    assert.deepEqual(layoutFimPrompt([1], [2], fim, [9], roomy).tokens, [9, 1002, 2, 1001, 1, 1003]);
  });

  it("is the prefix alone without FIM tokens", function () {
    assert.deepEqual(layoutFimPrompt([1, 2], [3, 4], undefined, [9], roomy).tokens, [9, 1, 2]);
  });

  it("changes only the tail when a character is typed at the cursor", function () {
    const prefix = range(0, 500);
    const suffix = range(600, 50);
    const before = layoutFimPrompt(prefix, suffix, fim, [], roomy).tokens;
    const after = layoutFimPrompt([...prefix, 42], suffix, fim, [], roomy).tokens;
    assert.equal(commonPrefixLength(before, after), before.length - 1);
  });

  it("caps the suffix, keeping its start (the code right after the cursor)", function () {
    const layout = layoutFimPrompt(range(0, 10), range(100, 300), fim, [], roomy);
    assert.equal(layout.suffixTokensKept, 100);
    assert.deepEqual(layout.tokens.slice(1, 4), [100, 101, 102]);
  });

  it("gives the suffix at most half of a small budget", function () {
    const layout = layoutFimPrompt(range(0, 100), range(500, 100), fim, [], {
      maxPromptTokens: 43,
      maxSuffixTokens: 100,
      prefixTrimStep: 1,
    });
    assert.equal(layout.suffixTokensKept, 20);
    assert.equal(layout.prefixTokensKept, 20);
    assert.equal(layout.tokens.length, 43);
  });

  it("cuts an over-long prefix at its start in whole steps, so the start stays put while typing", function () {
    const budget = { maxPromptTokens: 203, maxSuffixTokens: 0, prefixTrimStep: 64 };
    const first = layoutFimPrompt(range(0, 300), [], fim, [], budget);
    assert.ok(first.tokens.length <= 203);
    // 100 tokens too many: cut 128 (two steps); the kept prefix starts at token 128.
    assert.equal(first.tokens[2], 128);
    const typed = layoutFimPrompt([...range(0, 300), 7, 7, 7], [], fim, [], budget);
    assert.equal(typed.tokens[2], 128, "three more tokens do not move the cut");
    assert.equal(commonPrefixLength(first.tokens, typed.tokens), first.tokens.length - 1);
  });

  it("throws FimBudgetError when nothing fits", function () {
    assert.throws(
      () => layoutFimPrompt([1], [2], fim, [], { maxPromptTokens: 3, maxSuffixTokens: 10, prefixTrimStep: 1 }),
      FimBudgetError,
    );
    assert.throws(
      () => layoutFimPrompt([1], [], undefined, [], { maxPromptTokens: 0, maxSuffixTokens: 10, prefixTrimStep: 1 }),
      FimBudgetError,
    );
  });
});

describe("prefixCutIndex", function () {
  it("cuts nothing when the prefix fits", function () {
    assert.equal(prefixCutIndex(10, 10, 4), 0);
  });
  it("rounds the cut up to a whole step", function () {
    assert.equal(prefixCutIndex(100, 90, 8), 16);
  });
  it("falls back to the exact excess when a whole step would cut past the end", function () {
    assert.equal(prefixCutIndex(10, 3, 64), 7);
  });
});

describe("cutAtStopStrings", function () {
  it("cuts at the earliest stop string", function () {
    assert.deepEqual(cutAtStopStrings("a = 1\n\ndef b", ["def", "\n\n"]), { text: "a = 1", stopped: true });
  });
  it("leaves text without stop strings alone and ignores empty ones", function () {
    assert.deepEqual(cutAtStopStrings("abc", ["", "x"]), { text: "abc", stopped: false });
  });
});
