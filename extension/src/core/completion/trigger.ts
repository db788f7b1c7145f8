import { isClosersOnly, lineAfter, lineBefore } from "./text";

export type TriggerKind = "automatic" | "manual";

export type TriggerDecision =
  { trigger: true } | { trigger: false; reason: "midWord" | "codeRightOfCursor" | "emptyDocument" };

const wordCharacter = /[\p{L}\p{N}_$]/u;

/**
 * An automatic trigger in the middle of a word or in front of code only produces noise that
 * the user has to type around; a manual trigger is an explicit request and always asks.
 */
export function decideTrigger(prefix: string, suffix: string, kind: TriggerKind): TriggerDecision {
  if (kind === "manual") return { trigger: true };
  const before = lineBefore(prefix);
  const after = lineAfter(suffix);
  if (
    after.length > 0 &&
    wordCharacter.test(after[0]) &&
    before.length > 0 &&
    wordCharacter.test(before[before.length - 1])
  ) {
    return { trigger: false, reason: "midWord" };
  }
  if (!isClosersOnly(after)) return { trigger: false, reason: "codeRightOfCursor" };
  if (prefix.trim() === "" && suffix.trim() === "") return { trigger: false, reason: "emptyDocument" };
  return { trigger: true };
}
