import type { DebounceMode } from "../completion/debounce";
import type { BackendKind, FimTemplateName } from "../protocol/backend";
import type { GuardMode } from "../guard/chatGuard";
import type { GpuSetting } from "../protocol/host";

export type ShieldMode = "block" | "warn" | "off";

/** Every `llamaAssist.*` setting as package.json declares it (keys relative to `llamaAssist.`), before validation. */
export interface SettingValues {
  "completionModel.path": string;
  "chatModel.path": string;
  gpu: GpuSetting;
  /** 0 is `auto`: the settings UI has no good editor for "a number or a word". */
  contextSize: number;
  /** -1 is `auto`, for the same reason; 0 keeps every layer on the CPU. */
  gpuLayers: number;
  threads: number;
  "gpuRuntime.localCopy": string;
  "shield.mode": ShieldMode;
  "shield.disabledRules": readonly string[];
  "shield.languages": Readonly<Record<string, boolean>>;
  "completions.enabled": boolean;
  "completions.languages": Readonly<Record<string, boolean>>;
  "completions.debounce": DebounceMode["kind"];
  "completions.debounceMs": number;
  "completions.maxLines": number;
  "completions.timeCapMs": number;
  "completions.contextTokens": number;
  "completions.maxParsedFileChars": number;
  "completions.trace": boolean;
  "completions.precompute": boolean;
  "chat.maxAnswerTokens": number;
  "chat.retrieval": boolean;
  "chat.history.maxConversations": number;
  "chat.history.maxKilobytes": number;
  backend: BackendKind;
  "remote.url": string;
  "remote.model": string;
  "remote.fimTemplate": FimTemplateName;
  "remote.customFimTemplate": string;
  "remote.allowInsecureHttp": boolean;
  "remote.caCertificates": readonly string[];
  "guard.model": string;
  /** A llama-server that serves the guard instead of the local host; empty: the local host's guard.model. */
  "guard.url": string;
  "embeddingModel.path": string;
  "guard.mode": GuardMode;
  /** Category name (as in allGuardCategoryNames) to on/off; a category not named stays on. */
  "guard.categories": Readonly<Record<string, boolean>>;
}

export type SettingKey = keyof SettingValues;

/**
 * What a setting that is not set, or set to something invalid, reads as. package.json declares the same defaults for
 * the settings UI; a unit test holds the two together.
 */
export const settingDefaults: Readonly<SettingValues> = {
  "completionModel.path": "",
  "chatModel.path": "",
  gpu: "auto",
  contextSize: 0,
  gpuLayers: -1,
  threads: 0,
  "gpuRuntime.localCopy": "",
  "shield.mode": "block",
  "shield.disabledRules": [],
  "shield.languages": {},
  "completions.enabled": true,
  "completions.languages": {},
  "completions.debounce": "adaptive",
  "completions.debounceMs": 150,
  "completions.maxLines": 12,
  "completions.timeCapMs": 1500,
  "completions.contextTokens": 1536,
  "completions.maxParsedFileChars": 1_000_000,
  "completions.trace": false,
  "completions.precompute": true,
  "chat.maxAnswerTokens": 1024,
  "chat.retrieval": true,
  "chat.history.maxConversations": 50,
  "chat.history.maxKilobytes": 5120,
  backend: "local",
  "remote.url": "",
  "remote.model": "",
  "remote.fimTemplate": "qwen",
  "remote.customFimTemplate": "",
  "remote.allowInsecureHttp": false,
  "remote.caCertificates": [],
  "guard.model": "",
  "guard.url": "",
  "embeddingModel.path": "",
  "guard.mode": "off",
  "guard.categories": {},
};

export type ChoiceSettingKey =
  "gpu" | "shield.mode" | "completions.debounce" | "backend" | "remote.fimTemplate" | "guard.mode";

/** The values a setting with a fixed set of choices allows, in package.json's `enum` order. */
export const settingChoices: { readonly [K in ChoiceSettingKey]: readonly SettingValues[K][] } = {
  gpu: ["auto", "cuda", "vulkan", "metal", "cpu"],
  "shield.mode": ["block", "warn", "off"],
  "completions.debounce": ["adaptive", "fixed"],
  backend: ["local", "llama-server", "openai", "ollama"],
  "remote.fimTemplate": ["qwen", "codellama", "starcoder", "deepseek", "custom"],
  "guard.mode": ["off", "prompts", "promptsAndAnswers"],
};
