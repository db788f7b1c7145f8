import type { ChatGuard } from "../../core/guard/chatGuard";
import { systemTimers } from "../../core/host/timers";
import type { HostClient } from "../../node/host/hostClient";
import { createHostGuard } from "../../node/guard/hostGuard";
import type { Settings } from "../settings";

/** A check slower than this counts as not checked: an 8B guard on a CPU takes seconds for its first, uncached policy. */
const guardCheckTimeoutMs = 60_000;

/** Llama Guard on the local host's guard model (llamaAssist.guard.model), with the settings read at each check. */
export function createChatGuard(host: HostClient, settings: Settings): ChatGuard {
  return createHostGuard(host, {
    settings: () => settings.current.guard,
    timers: systemTimers,
    timeoutMs: guardCheckTimeoutMs,
  });
}
