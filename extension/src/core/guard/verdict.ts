// What the guard answered, read strictly: `safe`, or `unsafe` and a line of the version's category codes. Anything
// else is malformed, and a malformed verdict is no verdict: the caller treats the text as not checked.
import { type GuardCategory, type GuardVersion, guardCategories } from "./categories";

export type GuardVerdict =
  { kind: "safe" } | { kind: "unsafe"; categories: readonly GuardCategory[] } | { kind: "malformed"; text: string };

/** A verdict is two short lines; the host stops generating after this many tokens. */
export const guardVerdictMaxTokens = 20;

export function parseGuardVerdict(text: string, version: GuardVersion): GuardVerdict {
  const lines = text
    .trim()
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (lines.length === 1 && lines[0] === "safe") return { kind: "safe" };
  if (lines.length !== 2 || lines[0] !== "unsafe") return { kind: "malformed", text };
  const known = guardCategories[version];
  const categories: GuardCategory[] = [];
  for (const code of lines[1].split(",").map((part) => part.trim())) {
    const category = known.find((candidate) => candidate.code === code);
    if (category === undefined) return { kind: "malformed", text };
    if (!categories.includes(category)) categories.push(category);
  }
  return { kind: "unsafe", categories };
}
