// Fill-in-the-middle prompts for OpenAI-compatible servers, whose /v1/completions takes plain text: the prompt must be
// written in the model family's own FIM format, which the user picks (llama-server's /infill and Ollama's `suffix`
// apply the model's format themselves).
import type { FimTemplateName } from "../protocol/backend";

export const fimTemplates: Readonly<Record<Exclude<FimTemplateName, "custom">, string>> = {
  qwen: "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>",
  codellama: "<PRE> {prefix} <SUF>{suffix} <MID>",
  starcoder: "<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>",
  deepseek: "<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>",
};

/** Why a custom template cannot be used, or undefined when it can; for the settings UI as well as requests. */
export function customFimTemplateProblem(template: string): string | undefined {
  if (!template.includes("{prefix}")) return "The custom FIM template needs a {prefix} placeholder.";
  if (!template.includes("{suffix}")) return "The custom FIM template needs a {suffix} placeholder.";
  return undefined;
}

/**
 * The prompt for `prefix` and `suffix` in the template. Placeholders are replaced in one pass, so a "{suffix}" that
 * the user's own code contains is never substituted.
 */
export function buildFimPrompt(template: string, prefix: string, suffix: string): string {
  return template.replace(/\{(prefix|suffix)\}/g, (_placeholder, name: string) =>
    name === "prefix" ? prefix : suffix,
  );
}
