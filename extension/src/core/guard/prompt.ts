// Llama Guard's prompt in its model card's format, split in two: the policy (task and categories), which stays the
// same from check to check and so stays in the guard's KV cache, and the conversation with the closing instruction,
// which is all a check has to evaluate.
import type { GuardCategory, GuardVersion } from "./categories";

/** Llama Guard's names for the two sides: a prompt is checked as the `User` turn, an answer as the `Agent` turn. */
export type GuardRole = "User" | "Agent";

export interface GuardTurn {
  role: GuardRole;
  text: string;
}

export interface GuardPrompt {
  /** Task and categories: identical for every check of one role with one set of categories. */
  policy: string;
  /** The conversation, the instruction and the start of the guard's answer. */
  conversation: string;
}

/** The text between the fixed policy and the conversation; the policy ends with it so it stays cached too. */
const conversationStart = "\n\n<BEGIN CONVERSATION>\n\n";

function task(role: GuardRole): string {
  return `Task: Check if there is unsafe content in '${role}' messages in conversations according our safety policy with the below categories.`;
}

/**
 * The category lines as each version's own chat template writes them (Meta's Hugging Face tokenizer_config.json):
 * Llama Guard 2's end "S1: Violent Crimes. " with a space, Llama Guard 3's "S1: Violent Crimes." without.
 */
function categoryBlock(version: GuardVersion, categories: readonly GuardCategory[]): string {
  const end = version === "llama-guard-2" ? ". " : ".";
  const lines = categories.map((category) => `${category.code}: ${category.name}${end}`);
  return `\n\n<BEGIN UNSAFE CONTENT CATEGORIES>\n${lines.join("\n")}\n<END UNSAFE CONTENT CATEGORIES>`;
}

function instruction(role: GuardRole): string {
  return [
    `Provide your safety assessment for ONLY THE LAST ${role} message in the above conversation:`,
    " - First line must read 'safe' or 'unsafe'.",
    " - If unsafe, a second line must include a comma-separated list of violated categories.",
  ].join("\n");
}

/**
 * The turn's text with every `<|...|>` spelling broken by a zero-width space. The host and llama-server read special
 * tokens in the prompt text, so a message that wrote `<|eot_id|>` and an assistant header followed by "safe" would
 * otherwise end the conversation early and answer for the guard.
 */
function withoutControlTokens(text: string): string {
  return text.replaceAll("<|", "<\u200b|");
}

/**
 * The prompt that asks the guard about the last turn of `turns`, which must be of `role`. Only the categories given
 * are listed, each under its version's own code, as the model card's template does for excluded categories.
 */
export function guardPrompt(
  version: GuardVersion,
  role: GuardRole,
  categories: readonly GuardCategory[],
  turns: readonly GuardTurn[],
): GuardPrompt {
  const body = `${task(role)}${categoryBlock(version, categories)}${conversationStart}`;
  const conversation = `${turns.map((turn) => `${turn.role}: ${withoutControlTokens(turn.text.trim())}`).join("\n\n")}\n\n<END CONVERSATION>\n\n${instruction(role)}`;
  if (version === "llama-guard-2") {
    // Llama Guard 2 is a Llama 3 model with a Llama 2 style instruction wrapper.
    return { policy: `<|begin_of_text|>[INST] ${body}`, conversation: `${conversation} [/INST]` };
  }
  return {
    policy: `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n${body}`,
    conversation: `${conversation}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n`,
  };
}
