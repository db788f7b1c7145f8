// Llama Guard's hazard categories. Each guard version numbers them its own way (S5 is Specialized Advice in Llama
// Guard 2 and Defamation in Llama Guard 3), so settings name a category by its name and each version maps it to its
// own code; the prompt and the verdict use the version's codes.

export type GuardVersion = "llama-guard-2" | "llama-guard-3" | "llama-guard-3-1b";

export type GuardCategoryName =
  | "Violent Crimes"
  | "Non-Violent Crimes"
  | "Sex Crimes"
  | "Child Exploitation"
  | "Defamation"
  | "Specialized Advice"
  | "Privacy"
  | "Intellectual Property"
  | "Indiscriminate Weapons"
  | "Hate"
  | "Self-Harm"
  | "Sexual Content"
  | "Elections"
  | "Code Interpreter Abuse";

export interface GuardCategory {
  /** The version's own code, S1…S14. */
  code: string;
  name: GuardCategoryName;
}

const llamaGuard3Names: readonly GuardCategoryName[] = [
  "Violent Crimes",
  "Non-Violent Crimes",
  "Sex Crimes",
  "Child Exploitation",
  "Defamation",
  "Specialized Advice",
  "Privacy",
  "Intellectual Property",
  "Indiscriminate Weapons",
  "Hate",
  "Self-Harm",
  "Sexual Content",
  "Elections",
  "Code Interpreter Abuse",
];

const llamaGuard2Names: readonly GuardCategoryName[] = [
  "Violent Crimes",
  "Non-Violent Crimes",
  "Sex Crimes",
  "Child Exploitation",
  "Specialized Advice",
  "Privacy",
  "Intellectual Property",
  "Indiscriminate Weapons",
  "Hate",
  "Self-Harm",
  "Sexual Content",
];

function numbered(names: readonly GuardCategoryName[]): readonly GuardCategory[] {
  return names.map((name, index) => ({ code: `S${index + 1}`, name }));
}

/** Each version's categories in its own order and numbering; Llama Guard 3 1B was not trained on S14. */
export const guardCategories: Readonly<Record<GuardVersion, readonly GuardCategory[]>> = {
  "llama-guard-2": numbered(llamaGuard2Names),
  "llama-guard-3": numbered(llamaGuard3Names),
  "llama-guard-3-1b": numbered(llamaGuard3Names.slice(0, 13)),
};

/** Every category name any version knows, in Llama Guard 3's order: the keys of llamaAssist.guard.categories. */
export const allGuardCategoryNames: readonly GuardCategoryName[] = llamaGuard3Names;

/**
 * Which guard a model file is, from its general.name and file name (Meta's and the GGUF publishers' names all say):
 * the prompt and the numbering depend on it. Anything that does not say "Guard 2" is taken as Llama Guard 3, the 1B
 * one when its name says 1B.
 */
export function guardVersionOf(modelName: string): GuardVersion {
  const name = modelName.toLowerCase().replace(/[\s_]+/g, "-");
  if (/guard-?2(?![0-9])/.test(name)) return "llama-guard-2";
  return /(^|[^0-9.])1b/.test(name) ? "llama-guard-3-1b" : "llama-guard-3";
}

/** The version's categories that the user left on; a name missing from `disabled` is on. */
export function enabledCategories(version: GuardVersion, disabled: ReadonlySet<string>): readonly GuardCategory[] {
  return guardCategories[version].filter((category) => !disabled.has(category.name));
}
