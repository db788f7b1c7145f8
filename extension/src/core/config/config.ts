import type { GpuSetting, HostConfig, LogLevel } from "../protocol/host";
import { readCompletionSettings, type CompletionSettings } from "../completion/completionSettings";
import type { BackendKind, FimTemplateName } from "../protocol/backend";
import type { GuardSettings } from "../guard/chatGuard";
import { CheckedSettings, type SettingsReader } from "./checkedSettings";
import type { SettingKey, ShieldMode } from "./settingDefaults";

export interface LlamaAssistConfig {
  completionModelPath: string;
  chatModelPath: string;
  completions: CompletionSettings;
  gpu: GpuSetting;
  contextSize: number | "auto";
  gpuLayers: number | "auto";
  threads: number;
  /** A folder with the GPU packages' .tgz files (CUDA, Vulkan), for machines without the npm registry; empty: the registry. */
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
  /**
   * Llama Guard on the chat and refactor instructions: in the local host whatever the chat's backend, or on the
   * llama-server the user named for it.
   */
  guard: GuardSettings & {
    /** Empty: no guard model; a mode other than off then fails closed and says so. Not loaded while url is set. */
    modelPath: string;
    /** The guard's llama-server, without a trailing slash; empty: the local host's guard model. */
    url: string;
  };
  chat: {
    /** Longest answer, in tokens; a small context lowers it further (a quarter of the context at most). */
    maxAnswerTokens: number;
    /** Whether questions bring the workspace code that matches them (workspace retrieval). */
    retrieval: boolean;
    /** An embedding GGUF run in the local host, whose vectors join BM25 in ranking; empty: keywords alone. */
    embeddingModelPath: string;
    maxConversations: number;
    maxHistoryKilobytes: number;
  };
}

export interface ConfigReadResult {
  config: LlamaAssistConfig;
  /** One line per setting that had an invalid value and fell back to its default. */
  problems: string[];
}

/** What prompt budgets assume before the host reports the context it really made (with contextSize "auto"). */
export const assumedContextSize = 4096;
const minContextSize = 512;
const maxContextSize = 131072;

/** Settings the running host was started with; changing any of them means a host restart. */
export const hostRestartKeys: readonly SettingKey[] = [
  "completionModel.path",
  "chatModel.path",
  "gpu",
  "contextSize",
  "gpuLayers",
  "threads",
  "guard.model",
  "guard.url",
  "embeddingModel.path",
];

export function readConfig(settings: SettingsReader): ConfigReadResult {
  const values = new CheckedSettings(settings);
  const config: LlamaAssistConfig = {
    ...readLocalHostSettings(values),
    completions: readCompletionSettings(settings),
    shield: readShieldSettings(values),
    backend: readBackendSettings(values),
    chat: readChatSettings(values),
    guard: {
      modelPath: values.text("guard.model"),
      url: readGuardUrl(values),
      mode: values.oneOf("guard.mode"),
      disabledCategories: values.switchedOff("guard.categories"),
    },
  };
  return { config, problems: values.problems };
}

type LocalHostSettings = Pick<
  LlamaAssistConfig,
  "completionModelPath" | "chatModelPath" | "gpu" | "contextSize" | "gpuLayers" | "threads" | "gpuRuntimeLocalCopy"
>;

function readLocalHostSettings(values: CheckedSettings): LocalHostSettings {
  return {
    completionModelPath: values.text("completionModel.path"),
    chatModelPath: values.text("chatModel.path"),
    gpu: values.oneOf("gpu"),
    contextSize: readContextSize(values),
    gpuLayers: readGpuLayers(values),
    threads: values.integer("threads", 0, 1024),
    gpuRuntimeLocalCopy: values.text("gpuRuntime.localCopy"),
  };
}

function readContextSize(values: CheckedSettings): number | "auto" {
  const value = values.integer("contextSize", 0, maxContextSize);
  if (value === 0) return "auto";
  if (value >= minContextSize) return value;
  values.reject("contextSize", `must be 0 (auto) or at least ${minContextSize}; using auto.`);
  return "auto";
}

function readGpuLayers(values: CheckedSettings): number | "auto" {
  const value = values.integer("gpuLayers", -1, 10000);
  return value === -1 ? "auto" : value;
}

function readShieldSettings(values: CheckedSettings): LlamaAssistConfig["shield"] {
  return {
    mode: values.oneOf("shield.mode"),
    disabledRules: values.stringSet("shield.disabledRules"),
    disabledLanguages: values.switchedOff("shield.languages"),
  };
}

function readBackendSettings(values: CheckedSettings): LlamaAssistConfig["backend"] {
  const kind = values.oneOf("backend");
  return {
    kind,
    url: readServerUrl(values, kind),
    model: values.text("remote.model"),
    fimTemplate: values.oneOf("remote.fimTemplate"),
    customFimTemplate: values.text("remote.customFimTemplate"),
    allowInsecureHttp: values.flag("remote.allowInsecureHttp"),
    caCertificatePaths: values.stringList("remote.caCertificates"),
  };
}

function readServerUrl(values: CheckedSettings, kind: BackendKind): string {
  const value = values.text("remote.url");
  if (kind === "local") return value;
  if (value === "") {
    values.reject("remote.url", `is empty: set the ${kind} server's URL (for example http://127.0.0.1:8080).`);
    return "";
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    values.reject("remote.url", `is not a URL: "${value}".`);
    return "";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    values.reject("remote.url", `must be an http or https URL, not ${parsed.protocol}`);
    return "";
  }
  return value.replace(/\/+$/, "");
}

function readGuardUrl(values: CheckedSettings): string {
  const value = values.text("guard.url");
  if (value === "") return "";
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    values.reject("guard.url", `is not a URL: "${value}"; the guard runs in the local host.`);
    return "";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    values.reject(
      "guard.url",
      `must be an http or https URL, not ${parsed.protocol}; the guard runs in the local host.`,
    );
    return "";
  }
  return value.replace(/\/+$/, "");
}

function readChatSettings(values: CheckedSettings): LlamaAssistConfig["chat"] {
  return {
    maxAnswerTokens: values.integer("chat.maxAnswerTokens", 16, 32768),
    retrieval: values.flag("chat.retrieval"),
    embeddingModelPath: values.text("embeddingModel.path"),
    maxConversations: values.integer("chat.history.maxConversations", 1, 1000),
    maxHistoryKilobytes: values.integer("chat.history.maxKilobytes", 64, 1048576),
  };
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
    // A guard served by llama-server leaves the local host without one: its memory is not spent twice.
    ...(config.guard.modelPath === "" || config.guard.url !== "" ? {} : { guardModelPath: config.guard.modelPath }),
    ...(config.chat.embeddingModelPath === "" ? {} : { embeddingModelPath: config.chat.embeddingModelPath }),
  };
}

/** `affects` answers VS Code's ConfigurationChangeEvent question for a full key. */
export function changeNeedsHostRestart(affects: (fullKey: string) => boolean): boolean {
  return hostRestartKeys.some((key) => affects(`llamaAssist.${key}`));
}
