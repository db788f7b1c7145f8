import assert from "node:assert/strict";
import {
  answerReserve,
  calibrateCharsPerToken,
  estimateTokens,
  planBudget,
} from "../../../extension/src/core/chat/budget";
import type { ChatTurn } from "../../../extension/src/core/protocol/host";

function exchange(count: number, length: number): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (let i = 0; i < count; i++) {
    turns.push(
      { role: "user", text: `q${i} ${"x".repeat(length)}` },
      { role: "assistant", text: `a${i} ${"y".repeat(length)}` },
    );
  }
  return turns;
}

describe("chat token budget", () => {
  it("keeps everything when it fits", () => {
    const turns = [...exchange(3, 30), { role: "user" as const, text: "and now?" }];
    const plan = planBudget({ systemPrompt: "sys", turns, contextSize: 4096, answerTokens: 512, charsPerToken: 3 });
    assert.equal(plan.droppedTurns, 0);
    assert.equal(plan.turns.length, 7);
    assert.equal(plan.fits, true);
  });

  it("drops whole exchanges from the start until the newest turns fit, starting with a user turn", () => {
    const turns = [...exchange(20, 300), { role: "user" as const, text: "the question" }];
    const plan = planBudget({ systemPrompt: "sys", turns, contextSize: 2048, answerTokens: 512, charsPerToken: 3 });
    assert.ok(plan.droppedTurns > 0);
    assert.equal(plan.droppedTurns % 2, 0);
    assert.equal(plan.turns[0].role, "user");
    assert.equal(plan.turns[plan.turns.length - 1].text, "the question");
    assert.ok(plan.estimatedPromptTokens <= 2048 - 512, String(plan.estimatedPromptTokens));
    assert.equal(plan.fits, true);
    // One exchange fewer dropped would not have fit.
    const kept = turns.slice(plan.droppedTurns - 2);
    const cost = estimateTokens("sys", 3) + kept.reduce((sum, turn) => sum + estimateTokens(turn.text, 3), 0);
    assert.ok(cost > 2048 - 512);
  });

  it("says when the newest message alone is too long", () => {
    const turns: ChatTurn[] = [...exchange(2, 10), { role: "user", text: "z".repeat(30_000) }];
    const plan = planBudget({ systemPrompt: "sys", turns, contextSize: 2048, answerTokens: 512, charsPerToken: 3 });
    assert.equal(plan.fits, false);
    assert.equal(plan.turns.length, 1);
  });

  it("calibrates characters per token from the host's counts, within sane bounds", () => {
    assert.equal(calibrateCharsPerToken(4000, 1000), 4);
    assert.equal(calibrateCharsPerToken(100, 1000), 1);
    assert.equal(calibrateCharsPerToken(100_000, 10), 6);
    assert.equal(calibrateCharsPerToken(100, 0), 3);
  });

  it("reserves at most a quarter of a small context for the answer", () => {
    assert.equal(answerReserve(2048, 1024), 512);
    assert.equal(answerReserve(32768, 1024), 1024);
  });
});
