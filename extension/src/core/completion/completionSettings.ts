import type { SettingsReader } from "../config/checkedSettings";
import { settingDefaults } from "../config/settingDefaults";
import type { DebounceMode } from "./debounce";

/** `llamaAssist.completions.*`, validated; invalid values fall back to the defaults. */
export interface CompletionSettings {
  enabled: boolean;
  /** Language ids the user switched off. */
  disabledLanguages: ReadonlySet<string>;
  debounce: DebounceMode;
  maxLines: number;
  /** Generation stops this long after its first token once a full line exists; 0: no cap. */
  timeCapMs: number;
  contextTokens: number;
  /** Documents longer than this (in characters) are not parsed; their context is a window around the cursor. */
  maxParsedFileChars: number;
  /** Log what each prompt included and why. */
  trace: boolean;
  /** After an accept, compute the next completion before it is asked for. */
  precompute: boolean;
}

export const completionSettingKeys = {
  enabled: "completions.enabled",
  languages: "completions.languages",
  debounce: "completions.debounce",
  debounceMs: "completions.debounceMs",
  maxLines: "completions.maxLines",
  timeCapMs: "completions.timeCapMs",
  contextTokens: "completions.contextTokens",
  maxParsedFileChars: "completions.maxParsedFileChars",
  trace: "completions.trace",
  precompute: "completions.precompute",
} as const;

function integerIn(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
}

export function readCompletionSettings(settings: SettingsReader): CompletionSettings {
  const languages = settings.get(completionSettingKeys.languages);
  const disabledLanguages = new Set<string>();
  if (typeof languages === "object" && languages !== null && !Array.isArray(languages)) {
    for (const [language, enabled] of Object.entries(languages as Record<string, unknown>))
      if (enabled === false) disabledLanguages.add(language);
  }
  const debounce: DebounceMode =
    settings.get(completionSettingKeys.debounce) === "fixed"
      ? {
          kind: "fixed",
          milliseconds: integerIn(
            settings.get(completionSettingKeys.debounceMs),
            0,
            2000,
            settingDefaults["completions.debounceMs"],
          ),
        }
      : { kind: "adaptive" };
  return {
    enabled: settings.get(completionSettingKeys.enabled) !== false,
    disabledLanguages,
    debounce,
    maxLines: integerIn(settings.get(completionSettingKeys.maxLines), 1, 200, settingDefaults["completions.maxLines"]),
    timeCapMs: integerIn(
      settings.get(completionSettingKeys.timeCapMs),
      0,
      60_000,
      settingDefaults["completions.timeCapMs"],
    ),
    contextTokens: integerIn(
      settings.get(completionSettingKeys.contextTokens),
      256,
      32768,
      settingDefaults["completions.contextTokens"],
    ),
    maxParsedFileChars: integerIn(
      settings.get(completionSettingKeys.maxParsedFileChars),
      10_000,
      50_000_000,
      settingDefaults["completions.maxParsedFileChars"],
    ),
    trace: settings.get(completionSettingKeys.trace) === true,
    precompute: settings.get(completionSettingKeys.precompute) !== false,
  };
}
