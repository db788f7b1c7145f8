import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { completionSettingKeys } from "../../../extension/src/core/completion/completionSettings";
import { hostRestartKeys, readConfig } from "../../../extension/src/core/config/config";
import { settingChoices, settingDefaults } from "../../../extension/src/core/config/settingDefaults";

interface Manifest {
  contributes: {
    configuration: {
      properties: Record<string, { default: unknown; enum?: unknown[]; minimum?: number; maximum?: number }>;
    };
  };
}

const manifest: Manifest = JSON.parse(readFileSync(path.resolve(__dirname, "../../../package.json"), "utf8"));
/** package.json's settings, keyed as the code keys them (relative to `llamaAssist.`). */
const declared = new Map(
  Object.entries(manifest.contributes.configuration.properties).map(([key, schema]) => [
    key.replace(/^llamaAssist\./, ""),
    schema,
  ]),
);
const known = new Set<string>(Object.keys(settingDefaults));

describe("settings in code and in package.json", () => {
  it("covers exactly the settings package.json declares", () => {
    const outside = Object.keys(manifest.contributes.configuration.properties).filter(
      (key) => !key.startsWith("llamaAssist."),
    );
    assert.deepEqual(outside, []);
    assert.deepEqual([...known].sort(), [...declared.keys()].sort());
  });

  for (const [key, value] of Object.entries(settingDefaults)) {
    it(`defaults ${key} as package.json does`, () => {
      assert.deepEqual(value, declared.get(key)?.default);
    });
  }

  it("allows the values package.json's enums list, in the same order", () => {
    const enums = [...declared]
      .filter(([, schema]) => schema.enum !== undefined)
      .map(([key, schema]) => [key, schema.enum]);
    assert.deepEqual(Object.fromEntries(enums), settingChoices);
  });

  it("reads package.json's defaults, set explicitly, as it reads no settings at all", () => {
    const explicit = readConfig({ get: (key) => declared.get(key)?.default });
    assert.deepEqual(explicit.problems, []);
    assert.deepEqual(explicit.config, readConfig({ get: () => undefined }).config);
  });

  // A fixed debounce, or completions.debounceMs would not be read at all.
  const base: Record<string, unknown> = { "completions.debounce": "fixed" };
  const readWith = (key: string, value: number) => readConfig({ get: (name) => (name === key ? value : base[name]) });
  const baseConfig = readConfig({ get: (name) => base[name] }).config;
  for (const [key, { default: fallback, minimum, maximum }] of declared) {
    if (minimum === undefined || maximum === undefined) continue;
    it(`accepts ${key} from ${minimum} to ${maximum}, as package.json does, and no further`, () => {
      for (const value of [minimum, maximum]) {
        const { config, problems } = readWith(key, value);
        assert.deepEqual(problems, [], `${key}: ${value}`);
        if (value !== fallback) assert.notDeepEqual(config, baseConfig, `${key}: ${value} is ignored`);
      }
      for (const value of [minimum - 1, maximum + 1])
        assert.deepEqual(readWith(key, value).config, baseConfig, `${key}: ${value}`);
    });
  }

  it("restarts the host only for real settings", () => {
    for (const key of hostRestartKeys) assert.ok(known.has(key) && declared.has(key), key);
  });

  it("reads completions under real settings", () => {
    for (const key of Object.values(completionSettingKeys)) assert.ok(known.has(key) && declared.has(key), key);
  });
});
