import type { RefactorPreset } from "../../core/refactor/presets";
import { commandIds } from "../commandIds";

/** The refactor commands and the preset each one runs. */
export const presetCommands: ReadonlyArray<[string, RefactorPreset]> = [
  [commandIds.refactorSelection, "custom"],
  [commandIds.refactorSimplify, "simplify"],
  [commandIds.refactorAddTypes, "addTypes"],
  [commandIds.refactorAddDocs, "addDocs"],
  [commandIds.refactorFix, "fix"],
  [commandIds.refactorGenerateTests, "generateTests"],
  [commandIds.refactorExplain, "explain"],
];

/** The virtual documents of previews (original and proposal). */
export const previewScheme = "llama-assist-refactor";
