import {
  settingChoices,
  settingDefaults,
  type ChoiceSettingKey,
  type SettingKey,
  type SettingValues,
} from "./settingDefaults";

/** The one narrow view of the editor's settings that the core needs. Keys are relative to `llamaAssist.`. */
export interface SettingsReader {
  get(key: string): unknown;
}

type KeyOf<T> = { [K in SettingKey]: SettingValues[K] extends T ? K : never }[SettingKey];
/** Free text only: settings with a fixed set of choices go through `oneOf`. */
type TextKey = { [K in SettingKey]: string extends SettingValues[K] ? K : never }[SettingKey];
type LanguageSwitchesKey = KeyOf<Readonly<Record<string, boolean>>>;

/**
 * Reads one setting at a time and checks its type; an invalid value reads as the setting's default and leaves a line
 * in `problems`, so that one typo costs that setting only.
 */
export class CheckedSettings {
  readonly problems: string[] = [];

  constructor(private readonly settings: SettingsReader) {}

  reject(key: SettingKey, why: string): void {
    this.problems.push(`llamaAssist.${key} ${why}`);
  }

  text(key: TextKey): string {
    const value = this.settings.get(key);
    if (value === undefined || value === null) return settingDefaults[key];
    if (typeof value === "string") return value.trim();
    this.reject(key, "must be a string; it is ignored.");
    return settingDefaults[key];
  }

  oneOf<K extends ChoiceSettingKey>(key: K): SettingValues[K] {
    const value = this.settings.get(key);
    const fallback = settingDefaults[key];
    if (value === undefined || value === null) return fallback;
    const allowed: readonly SettingValues[K][] = settingChoices[key];
    const choice = allowed.find((candidate) => candidate === value);
    if (choice !== undefined) return choice;
    this.reject(key, `must be one of ${allowed.join(", ")}; using "${fallback}".`);
    return fallback;
  }

  integer(key: KeyOf<number>, min: number, max: number): number {
    const value = this.settings.get(key);
    const fallback = settingDefaults[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    this.reject(key, `must be a whole number from ${min} to ${max}; using ${fallback}.`);
    return fallback;
  }

  flag(key: KeyOf<boolean>): boolean {
    const value = this.settings.get(key);
    const fallback = settingDefaults[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value === "boolean") return value;
    this.reject(key, `must be true or false; using ${fallback}.`);
    return fallback;
  }

  /** Trimmed, without empty entries. */
  stringList(key: KeyOf<readonly string[]>): readonly string[] {
    const value = this.strings(key);
    return value === undefined ? settingDefaults[key] : value.map((item) => item.trim()).filter((item) => item !== "");
  }

  stringSet(key: KeyOf<readonly string[]>): ReadonlySet<string> {
    return new Set(this.strings(key) ?? settingDefaults[key]);
  }

  /** The keys (language ids, guard categories) a map of key to on/off switches off; a key not in the map stays on. */
  switchedOff(key: LanguageSwitchesKey): ReadonlySet<string> {
    const value = this.settings.get(key);
    const switches = value === undefined || value === null ? settingDefaults[key] : this.switches(key, value);
    return new Set(
      Object.entries(switches)
        .filter(([, enabled]) => !enabled)
        .map(([language]) => language),
    );
  }

  private strings(key: KeyOf<readonly string[]>): readonly string[] | undefined {
    const value = this.settings.get(key);
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value) && value.every((item: unknown): item is string => typeof item === "string")) return value;
    this.reject(key, "must be a list of strings; it is ignored.");
    return undefined;
  }

  private switches(key: LanguageSwitchesKey, value: unknown): Readonly<Record<string, boolean>> {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.every(([, enabled]) => typeof enabled === "boolean")) return Object.fromEntries(entries);
    }
    this.reject(key, "must map names to true or false; it is ignored.");
    return settingDefaults[key];
  }
}
