// Llama Guard on a llama-server the user named (llamaAssist.guard.url): the same prompt and verdicts as the local
// host's guard, sent to the server's /completion with cache_prompt, so that its slot keeps the policy prefix evaluated
// between checks. Whatever goes wrong (no answer, a refusal, a malformed answer) is an error, which the guard turns
// into "not checked".
import path from "node:path";
import type { GuardCheck, GuardModelIdentity } from "../../core/guard/chatGuard";
import type { GuardPrompt } from "../../core/guard/prompt";
import { guardVerdictMaxTokens } from "../../core/guard/verdict";
import { HostRequestError } from "../../core/protocol/backend";
import type { JsonObject } from "../../core/remote/streams";
import { HttpTransport } from "../http/httpTransport";

export interface ServerGuardOptions {
  /** The llama-server's base URL, e.g. http://127.0.0.1:8081. */
  url: string;
  /** Read before every request, so a key stored meanwhile is used by the next check. */
  apiKey: () => Promise<string | undefined>;
  /** PEM texts trusted for https in addition to Node's roots. */
  extraCaCertificates: readonly string[];
  /** A check that has no answer by then fails; the guard's own limit covers the whole check. */
  timeoutMs: number;
}

export interface ServerGuard {
  /** "Llama Guard's llama-server at http://…", for messages. */
  readonly serverName: string;
  /** Which guard the server serves: the file name of the model it loaded says which version it is. */
  model(signal: AbortSignal): Promise<GuardModelIdentity>;
  check(prompt: GuardPrompt, signal: AbortSignal): Promise<GuardCheck>;
  dispose(): void;
}

/** Unlike node-llama-cpp's tokenizer in the host, llama-server adds the model's BOS itself: sent twice, it would count. */
const bos = "<|begin_of_text|>";
const connectTimeoutMs = 5_000;

export function createServerGuard(options: ServerGuardOptions): ServerGuard {
  let baseUrl: URL;
  try {
    baseUrl = new URL(options.url);
  } catch {
    throw new HostRequestError("badRequest", `"${options.url}" is not a URL (llamaAssist.guard.url).`);
  }
  const serverName = `Llama Guard's llama-server at ${baseUrl.origin}${baseUrl.pathname.replace(/\/+$/, "")}`;
  const transport = new HttpTransport({
    baseUrl,
    serverName,
    extraCaCertificates: options.extraCaCertificates,
    connectTimeoutMs,
    // llama-server sends its headers only once the prompt is evaluated and the verdict written.
    firstByteTimeoutMs: options.timeoutMs,
  });

  async function requestJson(
    method: "GET" | "POST",
    requestPath: string,
    body: JsonObject | undefined,
    signal: AbortSignal,
  ): Promise<JsonObject> {
    return transport.requestJson({
      method,
      path: requestPath,
      body,
      apiKey: await options.apiKey(),
      model: "",
      signal,
    });
  }

  const malformed = (requestPath: string, detail: string): HostRequestError =>
    transport.malformed(requestPath, new Error(detail));

  return {
    serverName,
    async model(signal) {
      // /props names the file the server loaded; general.name is not in it, the file name says which guard it is.
      const props = await requestJson("GET", "/props", undefined, signal);
      const modelPath = props.model_path;
      if (typeof modelPath !== "string" || modelPath === "") throw malformed("/props", "no model_path");
      return { name: path.basename(modelPath) };
    },
    async check(prompt, signal) {
      const policy = prompt.policy.startsWith(bos) ? prompt.policy.slice(bos.length) : prompt.policy;
      const answer = await requestJson(
        "POST",
        "/completion",
        {
          prompt: policy + prompt.conversation,
          n_predict: guardVerdictMaxTokens,
          temperature: 0,
          cache_prompt: true,
          stream: false,
        },
        signal,
      );
      const timings = recordOf(answer.timings);
      const promptTokens = numberOf(answer.tokens_evaluated);
      const tokensEvaluated = numberOf(timings?.prompt_n);
      if (typeof answer.content !== "string" || promptTokens === undefined || tokensEvaluated === undefined)
        throw malformed("/completion", "no content, tokens_evaluated or timings.prompt_n");
      return { text: answer.content, promptTokens, tokensEvaluated };
    },
    dispose() {
      transport.dispose();
    },
  };
}

function numberOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function recordOf(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}
