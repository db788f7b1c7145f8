// What a guard check means for the user: checked and safe, flagged with categories, or not checked at all. A check
// that fails in any way (malformed verdict, crash, timeout, no guard model) is "not checked", never "safe".
import type { GuardCategory } from "./categories";

export type GuardOutcome =
  | { state: "safe" }
  | { state: "unsafe"; categories: readonly GuardCategory[] }
  | { state: "notChecked"; reason: string };

/** Where the guard can be switched off: every "not checked" message says it. */
export const guardOffHint = 'To chat without the guard, set llamaAssist.guard.mode to "off".';

export function categoryLabels(categories: readonly GuardCategory[]): string[] {
  return categories.map((category) => `${category.code} ${category.name}`);
}

/** The banner over a user message the guard stopped, or undefined when it may go to the chat model. */
export function promptMessage(outcome: GuardOutcome): string | undefined {
  switch (outcome.state) {
    case "safe":
      return undefined;
    case "unsafe":
      return `Llama Guard flagged this message as unsafe (${categoryLabels(outcome.categories).join(", ")}), so the chat model did not see it.`;
    case "notChecked":
      return `Llama Guard could not check this message (${outcome.reason}), so it was not sent to the chat model. ${guardOffHint}`;
  }
}

/** The banner over an answer the guard withholds, or undefined when it may be shown. */
export function answerMessage(outcome: GuardOutcome): string | undefined {
  switch (outcome.state) {
    case "safe":
      return undefined;
    case "unsafe":
      return `Llama Guard flagged this answer as unsafe (${categoryLabels(outcome.categories).join(", ")}) and withheld it.`;
    case "notChecked":
      return `Llama Guard could not check this answer (${outcome.reason}), so it is withheld. ${guardOffHint}`;
  }
}
