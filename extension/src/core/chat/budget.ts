// Fitting a conversation into the model's context: the newest turns win, whole exchanges are dropped from the start.
import type { ChatTurn } from "../protocol/host";

export interface BudgetInput {
  systemPrompt: string;
  turns: readonly ChatTurn[];
  contextSize: number;
  /** Room kept free for the answer. */
  answerTokens: number;
  /** Characters per token, calibrated from the host's own counts. */
  charsPerToken: number;
}

export interface BudgetPlan {
  turns: ChatTurn[];
  droppedTurns: number;
  estimatedPromptTokens: number;
  /** False when even the newest user turn alone does not fit. */
  fits: boolean;
}

/** Template tokens around each turn (role markers, separators), generous for Llama 3 and ChatML alike. */
export const tokensPerTurn = 8;
export const defaultCharsPerToken = 3;
const minCharsPerToken = 1;
const maxCharsPerToken = 6;

export function estimateTokens(text: string, charsPerToken: number): number {
  return Math.ceil(text.length / charsPerToken) + tokensPerTurn;
}

export function planBudget(input: BudgetInput): BudgetPlan {
  const available = input.contextSize - input.answerTokens;
  const costs = input.turns.map((turn) => estimateTokens(turn.text, input.charsPerToken));
  let total = estimateTokens(input.systemPrompt, input.charsPerToken) + costs.reduce((sum, cost) => sum + cost, 0);
  let start = 0;
  const last = input.turns.length - 1;
  while (total > available && start < last) {
    total -= costs[start];
    start++;
    // A kept history starts with a user turn: drop the assistant turn of a dropped exchange too.
    while (start < last && input.turns[start].role !== "user") {
      total -= costs[start];
      start++;
    }
  }
  return {
    turns: input.turns.slice(start),
    droppedTurns: start,
    estimatedPromptTokens: total,
    fits: total <= available,
  };
}

/** The items that fit `room` tokens, in their order: one that does not fit is left out, never cut, and a later smaller one may still fit. */
export function fitInRoom<T>(items: readonly T[], costs: readonly number[], room: number): T[] {
  const fitted: T[] = [];
  let left = room;
  items.forEach((item, index) => {
    if (costs[index] > left) return;
    fitted.push(item);
    left -= costs[index];
  });
  return fitted;
}

/** Characters per token of a prompt the host counted, kept in a sane range. */
export function calibrateCharsPerToken(promptCharacters: number, promptTokens: number): number {
  if (promptTokens <= 0) return defaultCharsPerToken;
  return Math.min(maxCharsPerToken, Math.max(minCharsPerToken, promptCharacters / promptTokens));
}

/** The answer's share of the context: enough for a real answer, never most of a small context. */
export function answerReserve(contextSize: number, maxAnswerTokens: number): number {
  return Math.max(1, Math.min(maxAnswerTokens, Math.floor(contextSize / 4)));
}
