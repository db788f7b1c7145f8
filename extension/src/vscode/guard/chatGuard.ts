import path from "node:path";
import { ChatGuard } from "../../core/guard/chatGuard";
import { guardVerdictMaxTokens } from "../../core/guard/verdict";
import { systemTimers } from "../../core/host/timers";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";

/** A check slower than this counts as not checked: an 8B guard on a CPU takes seconds for its first, uncached policy. */
const guardCheckTimeoutMs = 60_000;

/** Llama Guard on the local host's guard model (llamaAssist.guard.model), with the settings read at each check. */
export function createChatGuard(host: HostClient, settings: Settings): ChatGuard {
  return new ChatGuard({
    model: async () => {
      const modelPath = settings.current.guard.modelPath;
      if (modelPath === "") throw new Error("no guard model is set in llamaAssist.guard.model");
      const info = await host.start();
      if (info.guardModel === undefined) {
        throw new Error(info.guardFailure?.message ?? "the inference host has not loaded the guard model yet");
      }
      // The file name too: general.name does not always say which guard it is (2 or 3, 1B or 8B).
      return {
        name: `${info.guardModel.name} ${path.basename(info.guardModel.path)}`,
        parameters: info.guardModel.parameters,
      };
    },
    check: async (role, prompt, signal) => {
      const result = await host.guard({ role, ...prompt, maxTokens: guardVerdictMaxTokens }, signal);
      return { text: result.text, tokensEvaluated: result.tokensEvaluated, promptTokens: result.promptTokens };
    },
    settings: () => settings.current.guard,
    timers: systemTimers,
    timeoutMs: guardCheckTimeoutMs,
  });
}
