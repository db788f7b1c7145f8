// Runs the guard's checks for the chat and refactor: builds the prompt for the loaded guard's version, bounds each
// check in time and turns whatever happens into an outcome. It fails closed: only a well-formed "safe" is safe.
import type { Timers } from "../host/timers";
import { type GuardVersion, enabledCategories, guardVersionOf } from "./categories";
import type { GuardOutcome } from "./decision";
import { type GuardPrompt, type GuardRole, type GuardTurn, guardPrompt } from "./prompt";
import { parseGuardVerdict } from "./verdict";

/** `promptsAndAnswers` also checks the chat's answers as they stream. */
export type GuardMode = "off" | "prompts" | "promptsAndAnswers";

export interface GuardSettings {
  mode: GuardMode;
  /** Category names the user switched off; they are left out of the prompt. */
  disabledCategories: ReadonlySet<string>;
}

/** What a check returns: the guard's raw text, and what it cost. */
export interface GuardCheck {
  text: string;
  /** Prompt tokens evaluated by this check: the policy's are cached after the first. */
  tokensEvaluated: number;
  promptTokens: number;
}

export interface GuardModelIdentity {
  /** general.name and the file name: together they say which guard version it is. */
  name: string;
  /** A guard off this machine gets the turns with their secrets replaced, as a remote chat backend does. */
  redact?(turns: readonly GuardTurn[]): Promise<readonly GuardTurn[]>;
}

export interface ChatGuardDependencies {
  /** The guard model that will answer, or why there is none (no model set, it failed to load…). */
  model(signal: AbortSignal): Promise<GuardModelIdentity>;
  check(role: GuardRole, prompt: GuardPrompt, signal: AbortSignal): Promise<GuardCheck>;
  settings(): GuardSettings;
  timers: Timers;
  /** A check that takes longer counts as not checked. */
  timeoutMs: number;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ChatGuard {
  constructor(private readonly deps: ChatGuardDependencies) {}

  get mode(): GuardMode {
    return this.deps.settings().mode;
  }

  /** Checks the user's message (as the chat model would see it) as Llama Guard's `User` turn. */
  checkPrompt(userText: string, signal: AbortSignal): Promise<GuardOutcome> {
    return this.run("User", [{ role: "User", text: userText }], signal);
  }

  /** Checks an answer (so far) to `userText` as the `Agent` turn. */
  checkAnswer(userText: string, answerText: string, signal: AbortSignal): Promise<GuardOutcome> {
    return this.run(
      "Agent",
      [
        { role: "User", text: userText },
        { role: "Agent", text: answerText },
      ],
      signal,
    );
  }

  private async run(role: GuardRole, turns: readonly GuardTurn[], signal: AbortSignal): Promise<GuardOutcome> {
    const controller = new AbortController();
    const abort = (): void => controller.abort();
    signal.addEventListener("abort", abort, { once: true });
    let timedOut = false;
    const timer = this.deps.timers.start(this.deps.timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    try {
      const model = await this.deps.model(controller.signal);
      if (controller.signal.aborted) throw new Error("the check was cancelled");
      const version: GuardVersion = guardVersionOf(model.name);
      const categories = enabledCategories(version, this.deps.settings().disabledCategories);
      const sent = model.redact === undefined ? turns : await model.redact(turns);
      const check = await this.deps.check(role, guardPrompt(version, role, categories, sent), controller.signal);
      if (timedOut) return this.timeout();
      const verdict = parseGuardVerdict(check.text, version);
      if (verdict.kind === "malformed") {
        return {
          state: "notChecked",
          reason: `its answer was not a verdict: ${JSON.stringify(check.text.slice(0, 80))}`,
        };
      }
      return verdict.kind === "safe" ? { state: "safe" } : { state: "unsafe", categories: verdict.categories };
    } catch (error) {
      if (timedOut) return this.timeout();
      return { state: "notChecked", reason: errorText(error) };
    } finally {
      timer.cancel();
      signal.removeEventListener("abort", abort);
    }
  }

  private timeout(): GuardOutcome {
    return { state: "notChecked", reason: `it took longer than ${Math.round(this.deps.timeoutMs / 1000)} s` };
  }
}
