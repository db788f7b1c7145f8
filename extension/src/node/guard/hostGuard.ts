// Llama Guard on the local host's guard model: the chat's and the refactor's guard, whatever backend serves the chat.
import path from "node:path";
import { ChatGuard, type ChatGuardDependencies, type GuardSettings } from "../../core/guard/chatGuard";
import { guardVerdictMaxTokens } from "../../core/guard/verdict";
import type { Timers } from "../../core/host/timers";
import type { HostClient } from "../host/hostClient";

export interface HostGuardOptions {
  /** Read at each check, so changed settings apply to the next one. */
  settings(): GuardSettings & { modelPath: string };
  timers: Timers;
  timeoutMs: number;
}

/** Where the local host's guard answers: its model (or why there is none) and its checks. */
export function hostGuardBackend(
  host: HostClient,
  modelPath: () => string,
): Pick<ChatGuardDependencies, "model" | "check"> {
  return {
    model: async () => {
      if (modelPath() === "") throw new Error("no guard model is set in llamaAssist.guard.model");
      const info = await host.start();
      if (info.guardModel === undefined) {
        throw new Error(info.guardFailure?.message ?? "the inference host has not loaded the guard model yet");
      }
      // The file name too: general.name does not always say which guard it is (2 or 3, 1B or 8B).
      return { name: `${info.guardModel.name} ${path.basename(info.guardModel.path)}` };
    },
    check: async (role, prompt, signal) => {
      const result = await host.guard({ role, ...prompt, maxTokens: guardVerdictMaxTokens }, signal);
      return { text: result.text, tokensEvaluated: result.tokensEvaluated, promptTokens: result.promptTokens };
    },
  };
}

export function createHostGuard(host: HostClient, options: HostGuardOptions): ChatGuard {
  return new ChatGuard({
    ...hostGuardBackend(host, () => options.settings().modelPath),
    settings: options.settings,
    timers: options.timers,
    timeoutMs: options.timeoutMs,
  });
}
