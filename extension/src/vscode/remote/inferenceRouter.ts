import * as vscode from "vscode";
import { readFile } from "node:fs/promises";
import {
  HostRequestError,
  type BackendKind,
  type ConversationBackend,
  type InferenceBackend,
} from "../../core/protocol/backend";
import { checkRemoteAccess } from "../../core/remote/remoteAccess";
import { createRemoteBackend, type RemoteBackend } from "../../node/remote/remoteBackend";
import {
  BackendRouting,
  type ConsentStore,
  RemoteGate,
  type RemotePrompts,
  type RemoteTarget,
  type Route,
} from "../../core/remote/remoteGate";
import { createRemoteRedaction } from "../../core/remote/redaction";
import type { Shield } from "../../core/shield/types";
import { statusAfterFailure, type RemoteStatus } from "../../core/remote/remoteStatus";
import type { LlamaAssistConfig } from "../../core/config/config";
import type { ChatParams, GenerationResult, HostState, InfillParams } from "../../core/protocol/host";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";
import { commandIds } from "../commandIds";

const consentKey = "llamaAssist.remoteConsent";

export function apiKeySecretName(origin: string): string {
  return `llamaAssist.remote.apiKey/${origin}`;
}

/** The user's answers to "send your code to this server?", per origin, shared by the chat's and the guard's servers. */
export function remoteConsentStore(globalState: vscode.Memento): ConsentStore {
  const answers = (): Record<string, boolean> => globalState.get<Record<string, boolean>>(consentKey) ?? {};
  return {
    get: (origin) => answers()[origin],
    remember: async (origin, allowed) => {
      await globalState.update(consentKey, { ...answers(), [origin]: allowed });
    },
  };
}

/** Asks once whether code may go to the server; `detail` says what would be sent. undefined: dismissed. */
export async function askRemoteConsent(serverName: string, detail: string): Promise<boolean | undefined> {
  const allow = "Allow";
  const choice = await vscode.window.showWarningMessage(
    `Send your code to ${serverName}?`,
    { modal: true, detail },
    allow,
    "Don't Allow",
  );
  return choice === undefined ? undefined : choice === allow;
}

interface ActiveRemote {
  backend: RemoteBackend;
  target: RemoteTarget;
}

/**
 * Sends each request to the backend the settings choose: the local host, or the server the user named. A remote
 * failure is reported as such and never falls back to another backend: the user chose where code may go. The decisions
 * (consent, 401, routing) live in core/remote/remoteGate.ts; this class supplies VS Code's storage and dialogs.
 */
export class InferenceRouter implements InferenceBackend, ConversationBackend, vscode.Disposable {
  private remote: Promise<ActiveRemote> | undefined;
  private configuredFor: LlamaAssistConfig;
  private remoteStatus: RemoteStatus | undefined;
  private readonly statusEmitter = new vscode.EventEmitter<RemoteStatus | undefined>();
  private readonly gate: RemoteGate;
  private readonly routing: BackendRouting<ActiveRemote>;
  private readonly subscriptions: vscode.Disposable[];
  readonly onDidChangeRemoteStatus = this.statusEmitter.event;

  constructor(
    private readonly host: HostClient,
    private readonly settings: Settings,
    private readonly secrets: vscode.SecretStorage,
    private readonly globalState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    /** The Shield, whose secret rules decide what is redacted before code goes to a server off this machine. */
    loadShield: () => Promise<Shield | undefined>,
  ) {
    this.gate = new RemoteGate(remoteConsentStore(globalState), this.prompts());
    this.routing = new BackendRouting<ActiveRemote>(
      host,
      this.gate,
      () => this.route(),
      (remote, error) => this.onRemoteOutcome(remote, error),
      createRemoteRedaction(loadShield),
      ({ request, redacted, serverName }) =>
        this.log.info(`Redacted ${redacted} secret(s) from the ${request} request to ${serverName}.`),
    );
    this.subscriptions = [
      settings.onDidChange(({ config }) => {
        if (!sameRemote(config, this.configuredFor)) this.reset(config);
      }),
      secrets.onDidChange((event) => {
        if (event.key.startsWith(apiKeySecretName(""))) this.gate.keyChanged();
      }),
    ];
    this.configuredFor = settings.current;
    this.reset(settings.current);
  }

  get kind(): BackendKind {
    return this.settings.current.backend.kind;
  }

  /**
   * The local host's state while it serves. A remote server has no such state (its status bar item says whether it
   * answers): "stopped" reads as "answers on the first request", which is what a remote server does.
   */
  get state(): HostState {
    return this.kind === "local" ? this.host.state : { phase: "stopped" };
  }

  onDidChangeState(listener: (state: HostState) => void): { dispose(): void } {
    return this.host.onDidChangeState((state) => {
      if (this.kind === "local") listener(state);
    });
  }

  /** undefined while the local host serves. */
  get status(): RemoteStatus | undefined {
    return this.remoteStatus;
  }

  infill(params: InfillParams, signal?: AbortSignal): Promise<GenerationResult> {
    return this.routing.infill(params, signal);
  }

  chat(params: ChatParams, onChunk: (text: string) => void, signal?: AbortSignal): Promise<GenerationResult> {
    return this.routing.chat(params, onChunk, signal);
  }

  countChatTokens(texts: string[], signal?: AbortSignal): Promise<number[] | undefined> {
    return this.routing.countChatTokens(texts, signal);
  }

  /** Asks the server again whether it answers (the status bar's click). */
  async checkRemote(): Promise<void> {
    const remote = this.remote;
    if (remote === undefined) return;
    try {
      await this.probe(await remote);
    } catch (error) {
      this.setStatus({ phase: "misconfigured", message: errorMessage(error) });
    }
  }

  /** Forgets which servers the user allowed or refused, so the next request asks again. */
  async forgetConsent(): Promise<void> {
    await this.globalState.update(consentKey, undefined);
  }

  private route(): Route<ActiveRemote> {
    const remote = this.remote;
    if (this.kind === "local") return { kind: "local" };
    return {
      kind: "remote",
      remote: remote ?? Promise.reject(new HostRequestError("notAllowed", "No remote server is configured.")),
    };
  }

  private onRemoteOutcome(active: ActiveRemote, error: unknown): void {
    if (error === undefined) {
      if (this.remoteStatus?.phase !== "reachable") void this.probe(active);
      return;
    }
    if (!(error instanceof HostRequestError) || error.code === "cancelled") return;
    this.log.warn(error.message);
    const status = statusAfterFailure(active.backend.serverName, error.code, error.message);
    if (status !== undefined) this.setStatus(status);
  }

  private prompts(): RemotePrompts {
    return {
      askConsent: (serverName) =>
        askRemoteConsent(
          serverName,
          "Completions, chat and refactors will send the code around the cursor, what you attach, and the workspace " +
            "code that the chat finds for each question (its workspace retrieval, on unless switched off) to this server. " +
            "Llama Assist asks once per server and remembers the answer.",
        ),
      askForApiKey: async (serverName, origin) => {
        const enter = "Enter API Key…";
        const choice = await vscode.window.showWarningMessage(
          `${serverName} refused the request: it needs a valid API key.`,
          enter,
        );
        if (choice !== enter) return false;
        const before = await this.secrets.get(apiKeySecretName(origin));
        await vscode.commands.executeCommand(commandIds.setRemoteApiKey);
        const after = await this.secrets.get(apiKeySecretName(origin));
        return after !== undefined && after !== "" && after !== before;
      },
    };
  }

  private reset(config: LlamaAssistConfig): void {
    this.configuredFor = config;
    const previous = this.remote;
    this.remote = undefined;
    void previous?.then((active) => active.backend.dispose()).catch(() => undefined);
    if (config.backend.kind === "local") {
      this.setStatus(undefined);
      return;
    }
    const access = checkRemoteAccess(config.backend.url, config.backend.allowInsecureHttp);
    if (access.kind === "refused") {
      this.log.warn(access.message);
      this.setStatus({ phase: "misconfigured", message: access.message });
      const refused = Promise.reject(new HostRequestError("notAllowed", access.message));
      refused.catch(() => undefined);
      this.remote = refused;
      return;
    }
    const remote = this.createRemote(config, access);
    remote.catch((error: unknown) => this.setStatus({ phase: "misconfigured", message: errorMessage(error) }));
    this.remote = remote;
    void remote.then((active) => this.probe(active)).catch(() => undefined);
  }

  private async createRemote(
    config: LlamaAssistConfig,
    access: RemoteTarget["access"] & { kind: "allowed" },
  ): Promise<ActiveRemote> {
    const { backend: settings } = config;
    const extraCaCertificates = await Promise.all(
      settings.caCertificatePaths.map((file) =>
        readFile(file, "utf8").catch((error: unknown) => {
          throw new HostRequestError(
            "badRequest",
            `Cannot read the certificate file ${file} (llamaAssist.remote.caCertificates): ${errorMessage(error)}`,
          );
        }),
      ),
    );
    const backend = createRemoteBackend({
      kind: settings.kind === "local" ? "llama-server" : settings.kind,
      baseUrl: settings.url,
      model: settings.model,
      fimTemplate: settings.fimTemplate,
      customFimTemplate: settings.customFimTemplate,
      apiKey: async () => (await this.secrets.get(apiKeySecretName(access.origin))) || undefined,
      extraCaCertificates,
    });
    this.log.info(`Inference goes to ${backend.serverName}.`);
    return { backend, target: { access, serverName: backend.serverName } };
  }

  /** A probe sends no code, only asks the server what it serves: it needs no consent. */
  private async probe(active: ActiveRemote): Promise<void> {
    if (!(await this.isCurrent(active))) return;
    this.setStatus({ phase: "checking", serverName: active.backend.serverName });
    const result = await active.backend.probe();
    if (!(await this.isCurrent(active))) return;
    this.setStatus(
      result.reachable
        ? { phase: "reachable", serverName: active.backend.serverName, model: result.model }
        : { phase: "unreachable", serverName: active.backend.serverName, message: result.error.message },
    );
  }

  /** A probe that outlived a settings change must not overwrite the new server's status. */
  private async isCurrent(active: ActiveRemote): Promise<boolean> {
    return this.remote !== undefined && (await this.remote.catch(() => undefined)) === active;
  }

  private setStatus(status: RemoteStatus | undefined): void {
    this.remoteStatus = status;
    this.statusEmitter.fire(status);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.statusEmitter.dispose();
    void this.remote?.then((active) => active.backend.dispose()).catch(() => undefined);
    this.remote = undefined;
  }
}

function sameRemote(a: LlamaAssistConfig, b: LlamaAssistConfig): boolean {
  const x = a.backend;
  const y = b.backend;
  return (
    x.kind === y.kind &&
    x.url === y.url &&
    x.model === y.model &&
    x.fimTemplate === y.fimTemplate &&
    x.customFimTemplate === y.customFimTemplate &&
    x.allowInsecureHttp === y.allowInsecureHttp &&
    x.caCertificatePaths.join("\n") === y.caCertificatePaths.join("\n")
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
