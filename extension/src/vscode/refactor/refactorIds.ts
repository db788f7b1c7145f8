import type { RefactorPreset } from "../../core/refactor/presets";

/** The refactor commands; package.json names the same ids. */
export const refactorCommandIds = {
  refactorSelection: "llamaAssist.refactor.selection",
  simplify: "llamaAssist.refactor.simplify",
  addTypes: "llamaAssist.refactor.addTypes",
  addDocs: "llamaAssist.refactor.addDocs",
  fix: "llamaAssist.refactor.fix",
  generateTests: "llamaAssist.refactor.generateTests",
  explain: "llamaAssist.refactor.explain",
  accept: "llamaAssist.refactor.accept",
  reject: "llamaAssist.refactor.reject",
} as const;

export const presetCommands: ReadonlyArray<[string, RefactorPreset]> = [
  [refactorCommandIds.refactorSelection, "custom"],
  [refactorCommandIds.simplify, "simplify"],
  [refactorCommandIds.addTypes, "addTypes"],
  [refactorCommandIds.addDocs, "addDocs"],
  [refactorCommandIds.fix, "fix"],
  [refactorCommandIds.generateTests, "generateTests"],
  [refactorCommandIds.explain, "explain"],
];

/** The virtual documents of previews (original and proposal). */
export const previewScheme = "llama-assist-refactor";
