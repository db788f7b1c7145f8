import type * as vscode from "vscode";
import { readFile } from "node:fs/promises";
import { ChatGuard, type ChatGuardDependencies, type GuardModelIdentity } from "../../core/guard/chatGuard";
import type { GuardTurn } from "../../core/guard/prompt";
import { systemTimers } from "../../core/host/timers";
import { HostRequestError } from "../../core/protocol/backend";
import { checkRemoteAccess } from "../../core/remote/remoteAccess";
import { RemoteGate, type RemoteTarget } from "../../core/remote/remoteGate";
import { createRemoteRedaction } from "../../core/remote/redaction";
import type { Shield } from "../../core/shield/types";
import type { HostClient } from "../../node/host/hostClient";
import { hostGuardBackend } from "../../node/guard/hostGuard";
import { type ServerGuard, createServerGuard } from "../../node/guard/serverGuard";
import { apiKeySecretName, askRemoteConsent, remoteConsentStore } from "../remote/inferenceRouter";
import type { Settings } from "../settings";

/** A check slower than this counts as not checked: an 8B guard on a CPU takes seconds for its first, uncached policy. */
const guardCheckTimeoutMs = 60_000;

const consentDetail =
  "Llama Guard will send each chat message and refactor instruction, with what it attaches, to this server to be " +
  "checked, and the chat's answers too when answers are checked. Llama Assist asks once per server and remembers the " +
  "answer.";

export interface GuardDependencies {
  host: HostClient;
  settings: Settings;
  secrets: vscode.SecretStorage;
  globalState: vscode.Memento;
  /** The Shield, whose secret rules decide what is redacted before a check goes to a server off this machine. */
  loadShield: () => Promise<Shield | undefined>;
}

interface ActiveServer {
  /** The settings it was made for: another URL, http opt-in or CA list means another server. */
  key: string;
  target: RemoteTarget;
  server: Promise<ServerGuard>;
}

/**
 * Llama Guard as the settings place it: on the llama-server named in llamaAssist.guard.url, or else on the local
 * host's guard model (llamaAssist.guard.model), with the settings read at each check. A server off this machine is
 * asked about once, as the chat's own remote server is, and gets the text with its secrets redacted.
 */
export function createChatGuard(deps: GuardDependencies): { guard: ChatGuard; dispose(): void } {
  const { host, settings, secrets } = deps;
  const local = hostGuardBackend(host, () => settings.current.guard.modelPath);
  // A 401 is not followed by a key prompt: the API key command is the chat server's; the check says it was refused.
  const gate = new RemoteGate(remoteConsentStore(deps.globalState), {
    askConsent: (serverName) => askRemoteConsent(serverName, consentDetail),
    askForApiKey: () => Promise.resolve(false),
  });
  const redaction = createRemoteRedaction(deps.loadShield);
  let active: ActiveServer | undefined;

  function current(): ActiveServer {
    const { guard, backend } = settings.current;
    const key = JSON.stringify([guard.url, backend.allowInsecureHttp, backend.caCertificatePaths]);
    if (active?.key === key) return active;
    void active?.server.then((server) => server.dispose()).catch(() => undefined);
    const access = checkRemoteAccess(guard.url, backend.allowInsecureHttp, "llamaAssist.guard.url");
    const server = (async () => {
      const extraCaCertificates = await Promise.all(
        backend.caCertificatePaths.map((file) =>
          readFile(file, "utf8").catch((error: unknown) => {
            throw new Error(
              `cannot read the certificate file ${file} (llamaAssist.remote.caCertificates): ${String(error)}`,
            );
          }),
        ),
      );
      const origin = access.kind === "allowed" ? access.origin : "";
      return createServerGuard({
        url: guard.url,
        apiKey: async () => (await secrets.get(apiKeySecretName(origin))) || undefined,
        extraCaCertificates,
        timeoutMs: guardCheckTimeoutMs,
      });
    })();
    server.catch(() => undefined);
    active = { key, target: { access, serverName: `Llama Guard's llama-server at ${guard.url}` }, server };
    return active;
  }

  /** The consent gate, with its refusal told in the guard's terms. */
  async function throughGate<T>(target: RemoteTarget, request: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      return await gate.send(target, request, signal);
    } catch (error) {
      if (!(error instanceof HostRequestError) || error.code !== "notAllowed" || target.access.kind !== "allowed")
        throw error;
      throw new Error(
        `you did not allow Llama Assist to send chat messages to ${target.access.origin} for Llama Guard: clear ` +
          'llamaAssist.guard.url to check them on this machine, or run "Llama Assist: Forget Remote Server Permissions" ' +
          "to be asked again",
      );
    }
  }

  async function redacted(turns: readonly GuardTurn[]): Promise<readonly GuardTurn[]> {
    const sent = await redaction.chat({
      systemPrompt: "",
      turns: turns.map((turn) => ({ role: turn.role === "User" ? "user" : "assistant", text: turn.text })),
      maxTokens: 0,
      temperature: 0,
    });
    return sent.params.turns.map((turn, index) => ({ role: turns[index].role, text: turn.text }));
  }

  const onServer: Pick<ChatGuardDependencies, "model" | "check"> = {
    model: async (signal) => {
      const { target, server } = current();
      const identity: GuardModelIdentity = await throughGate(target, async () => (await server).model(signal), signal);
      const loopback = target.access.kind === "allowed" && target.access.loopback;
      return loopback ? identity : { ...identity, redact: redacted };
    },
    check: async (_role, prompt, signal) => {
      const { target, server } = current();
      return throughGate(target, async () => (await server).check(prompt, signal), signal);
    },
  };

  const guard = new ChatGuard({
    model: (signal) => (settings.current.guard.url === "" ? local : onServer).model(signal),
    check: (role, prompt, signal) => (settings.current.guard.url === "" ? local : onServer).check(role, prompt, signal),
    settings: () => settings.current.guard,
    timers: systemTimers,
    timeoutMs: guardCheckTimeoutMs,
  });
  return {
    guard,
    dispose: () => {
      void active?.server.then((server) => server.dispose()).catch(() => undefined);
      active = undefined;
    },
  };
}
