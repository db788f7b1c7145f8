import type { GpuSetting, HostConfig, LogLevel } from "../protocol/host";
import { readCompletionSettings, type CompletionSettings } from "../completion/completionSettings";
import type { BackendKind, FimTemplateName } from "../protocol/backend";

/** The one narrow view of the editor's settings that the core needs. Keys are relative to `llamaAssist.`. */
export interface SettingsReader {
  get(key: string): unknown;
}

export type ShieldMode = "block" | "warn" | "off";

export interface LlamaAssistConfig {
  completionModelPath: string;
  chatModelPath: string;
  completions: CompletionSettings;
  gpu: GpuSetting;
  contextSize: number | "auto";
  gpuLayers: number | "auto";
  threads: number;
  /** A folder with the CUDA packages' .tgz files, for machines without the npm registry; empty: the registry. */
  gpuRuntimeLocalCopy: string;
  shield: {
    mode: ShieldMode;
    disabledRules: ReadonlySet<string>;
    /** Language ids the user switched off; every other language is scanned. */
    disabledLanguages: ReadonlySet<string>;
  };
  /** Where inference runs: the local host process, or a server the user named (machine-scoped settings only). */
  backend: {
    kind: BackendKind;
    /** The server's base URL, e.g. http://127.0.0.1:8080; empty for the local host. */
    url: string;
    /** The model name the server should use; empty means its default (llama-server serves one model). */
    model: string;
    fimTemplate: FimTemplateName;
    /** With fimTemplate "custom": the prompt, with {prefix} and {suffix} where the code goes. */
    customFimTemplate: string;
    /** Plain http to a host other than this machine sends code unencrypted: only with this opt-in. */
    allowInsecureHttp: boolean;
    /** Paths of PEM files with extra certificate authorities for https servers. */
    caCertificatePaths: readonly string[];
  };
  chat: {
    /** Longest answer, in tokens; a small context lowers it further (a quarter of the context at most). */
    maxAnswerTokens: number;
    maxConversations: number;
    maxHistoryKilobytes: number;
  };
}

export interface ConfigReadResult {
  config: LlamaAssistConfig;
  /** One line per setting that had an invalid value and fell back to its default. */
  problems: string[];
}

const gpuSettings: readonly GpuSetting[] = ["auto", "cuda", "vulkan", "metal", "cpu"];
const backendKinds: readonly BackendKind[] = ["local", "llama-server", "openai", "ollama"];
const fimTemplates: readonly FimTemplateName[] = ["qwen", "codellama", "starcoder", "deepseek", "custom"];
const shieldModes: readonly ShieldMode[] = ["block", "warn", "off"];

/** What prompt budgets assume before the host reports the context it really made (with contextSize "auto"). */
export const assumedContextSize = 4096;
const minContextSize = 512;
const maxContextSize = 131072;

/** Settings the running host was started with; changing any of them means a host restart. */
export const hostRestartKeys: readonly string[] = [
  "completionModel.path",
  "chatModel.path",
  "gpu",
  "contextSize",
  "gpuLayers",
  "threads",
];

export function readConfig(settings: SettingsReader): ConfigReadResult {
  const problems: string[] = [];

  function text(key: string): string {
    const value = settings.get(key);
    if (value === undefined || value === null) return "";
    if (typeof value === "string") return value.trim();
    problems.push(`llamaAssist.${key} must be a string; it is ignored.`);
    return "";
  }

  function oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const value = settings.get(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`llamaAssist.${key} must be one of ${allowed.join(", ")}; using "${fallback}".`);
    return fallback;
  }

  function integer(key: string, min: number, max: number, fallback: number): number {
    const value = settings.get(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
    problems.push(`llamaAssist.${key} must be a whole number from ${min} to ${max}; using ${fallback}.`);
    return fallback;
  }

  /** The settings UI has no good editor for "a number or a word": 0 is `auto` for the context size. */
  function contextSizeSetting(): number | "auto" {
    const value = integer("contextSize", 0, maxContextSize, 0);
    if (value === 0) return "auto";
    if (value >= minContextSize) return value;
    problems.push(`llamaAssist.contextSize must be 0 (auto) or at least ${minContextSize}; using auto.`);
    return "auto";
  }

  /** -1 is `auto`, for the same reason; 0 keeps every layer on the CPU. */
  function gpuLayersSetting(): number | "auto" {
    const value = integer("gpuLayers", -1, 10000, -1);
    return value === -1 ? "auto" : value;
  }

  function flag(key: string, fallback: boolean): boolean {
    const value = settings.get(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value === "boolean") return value;
    problems.push(`llamaAssist.${key} must be true or false; using ${fallback}.`);
    return fallback;
  }

  function stringList(key: string): readonly string[] {
    const value = settings.get(key);
    if (value === undefined || value === null) return [];
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value.map((item) => item.trim()).filter((item) => item !== "");
    problems.push(`llamaAssist.${key} must be a list of strings; it is ignored.`);
    return [];
  }

  function serverUrl(key: string, kind: BackendKind): string {
    const value = text(key);
    if (kind === "local") return value;
    if (value === "") {
      problems.push(`llamaAssist.${key} is empty: set the ${kind} server's URL (for example http://127.0.0.1:8080).`);
      return "";
    }
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      problems.push(`llamaAssist.${key} is not a URL: "${value}".`);
      return "";
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      problems.push(`llamaAssist.${key} must be an http or https URL, not ${parsed.protocol}`);
      return "";
    }
    return value.replace(/\/+$/, "");
  }

  function stringSet(key: string): ReadonlySet<string> {
    const value = settings.get(key);
    if (value === undefined || value === null) return new Set();
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return new Set(value);
    problems.push(`llamaAssist.${key} must be a list of strings; it is ignored.`);
    return new Set();
  }

  function switchedOff(key: string): ReadonlySet<string> {
    const value = settings.get(key);
    if (value === undefined || value === null) return new Set();
    if (typeof value === "object" && !Array.isArray(value)) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.every(([, enabled]) => typeof enabled === "boolean")) {
        return new Set(entries.filter(([, enabled]) => enabled === false).map(([language]) => language));
      }
    }
    problems.push(`llamaAssist.${key} must map language ids to true or false; it is ignored.`);
    return new Set();
  }

  const config: LlamaAssistConfig = {
    completionModelPath: text("completionModel.path"),
    chatModelPath: text("chatModel.path"),
    completions: readCompletionSettings(settings),
    gpu: oneOf("gpu", gpuSettings, "auto"),
    contextSize: contextSizeSetting(),
    gpuLayers: gpuLayersSetting(),
    threads: integer("threads", 0, 1024, 0),
    gpuRuntimeLocalCopy: text("gpuRuntime.localCopy"),
    shield: {
      mode: oneOf("shield.mode", shieldModes, "block"),
      disabledRules: stringSet("shield.disabledRules"),
      disabledLanguages: switchedOff("shield.languages"),
    },
    backend: (() => {
      const kind = oneOf("backend", backendKinds, "local");
      return {
        kind,
        url: serverUrl("remote.url", kind),
        model: text("remote.model"),
        fimTemplate: oneOf("remote.fimTemplate", fimTemplates, "qwen"),
        customFimTemplate: text("remote.customFimTemplate"),
        allowInsecureHttp: flag("remote.allowInsecureHttp", false),
        caCertificatePaths: stringList("remote.caCertificates"),
      };
    })(),
    chat: {
      maxAnswerTokens: integer("chat.maxAnswerTokens", 16, 32768, 1024),
      maxConversations: integer("chat.history.maxConversations", 1, 1000, 50),
      maxHistoryKilobytes: integer("chat.history.maxKilobytes", 64, 1048576, 5120),
    },
  };
  return { config, problems };
}

export function hostConfigOf(config: LlamaAssistConfig, logLevel: LogLevel): HostConfig {
  return {
    completionModelPath: config.completionModelPath,
    chatModelPath: config.chatModelPath,
    gpu: config.gpu,
    contextSize: config.contextSize,
    gpuLayers: config.gpuLayers,
    threads: config.threads,
    logLevel,
  };
}

/** `affects` answers VS Code's ConfigurationChangeEvent question for a full key. */
export function changeNeedsHostRestart(affects: (fullKey: string) => boolean): boolean {
  return hostRestartKeys.some((key) => affects(`llamaAssist.${key}`));
}
