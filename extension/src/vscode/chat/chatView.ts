import * as vscode from "vscode";
import { randomBytes, randomUUID } from "node:crypto";
import type { AskInChatRequest, StoredSource } from "../../core/chat/conversation";
import type { Retriever } from "../../core/retrieval/indexerRetrieval";
import type { RetrievedChunk } from "../../core/retrieval/retrievedChunk";
import { languageOfPath } from "../../core/syntax/importResolution";
import { HistoryFile } from "../../node/chat/historyFile";
import { chatPageHtml } from "../../core/chat/html";
import { ChatSession, type ChatSessionGuard, type CodeScan } from "../../core/chat/session";
import type { LlamaAssistConfig } from "../../core/config/config";
import type { HostState } from "../../core/protocol/host";
import { type ChatToWebview, type HostAvailability, isChatFromWebview } from "../../core/protocol/webview";
import { gateSuggestion } from "../../core/shield/gate";
import type { ConversationBackend } from "../../core/protocol/backend";
import type { Settings } from "../settings";
import type { ShieldEngine } from "../shield/shieldEngine";
import { type AttachResult, Attachments } from "./attachments";
import type { WorkspaceSymbolIndex } from "../../core/syntax/symbolIndex";
import { type ChatPage, ChatMessageRouter } from "./chatMessageRouter";
import { type ApplyToDefinition, CodeActions } from "./codeActions";
import { reloadUntilReady } from "../webviewPageReload";
import { commandIds } from "../commandIds";

export const chatViewId = "llamaAssist.chat";

/** Answers are mostly deterministic code help; a little temperature keeps regenerate useful. */
const chatTemperature = 0.2;
/** Chunks asked of the workspace index per question; the token budget keeps those that fit. */
const retrievedChunks = 8;

function storedSource(chunk: RetrievedChunk): StoredSource {
  const uri = vscode.Uri.file(chunk.path);
  return {
    path: uri.fsPath,
    label: `${vscode.workspace.asRelativePath(uri)}:${chunk.startLine + 1}`,
    startLine: chunk.startLine,
    endLine: chunk.endLine,
    symbols: chunk.symbols,
    languageId: languageOfPath(chunk.path, "") ?? "plaintext",
    content: chunk.text,
  };
}

function availabilityOf(state: HostState): { availability: HostAvailability; message: string } {
  switch (state.phase) {
    case "ready":
      return { availability: "ready", message: "" };
    case "starting":
    case "loading":
      return { availability: "starting", message: "" };
    case "stopped":
      return { availability: "stopped", message: "" };
    case "error":
      return { availability: state.restartInMs === undefined ? "failed" : "restarting", message: state.error.message };
  }
}

function limitsOf(config: LlamaAssistConfig): { maxConversations: number; maxBytes: number } {
  return { maxConversations: config.chat.maxConversations, maxBytes: config.chat.maxHistoryKilobytes * 1024 };
}

export type AskInChatResult = { ok: true } | { ok: false; reason: string };

/** What other features may do with the chat: the composition root hands it to them. */
export interface ChatView extends vscode.Disposable {
  /** Reveals the view and asks `request` as the user's next turn in the open conversation; the answer streams there. */
  askInChat(request: AskInChatRequest): Promise<AskInChatResult>;
}

/** The sidebar chat: webview view, history on disk, attachments, code-block actions and links. */
export function register(
  context: vscode.ExtensionContext,
  host: ConversationBackend,
  settings: Settings,
  shield: ShieldEngine,
  guard: ChatSessionGuard,
  log: vscode.LogOutputChannel,
  symbols: WorkspaceSymbolIndex,
  retriever: Retriever,
  applyToDefinition: ApplyToDefinition,
): ChatView {
  const provider = new ChatViewProvider(
    context,
    host,
    settings,
    shield,
    guard,
    log,
    symbols,
    retriever,
    applyToDefinition,
  );
  const registrations = vscode.Disposable.from(
    // Not retained while hidden: see webview/src/chat/main.ts.
    vscode.window.registerWebviewViewProvider(chatViewId, provider),
    provider,
    vscode.commands.registerCommand(commandIds.askAboutSelection, () => provider.askAboutSelection()),
    vscode.commands.registerCommand(commandIds.attachFile, () => provider.attachActiveFile()),
    vscode.commands.registerCommand(commandIds.newChat, () => provider.newChat()),
  );
  return { askInChat: (request) => provider.askInChat(request), dispose: () => registrations.dispose() };
}

/** The chat view's page and the one chat session behind it; the page's messages go to the router. */
class ChatViewProvider implements vscode.WebviewViewProvider, ChatPage, vscode.Disposable {
  private readonly webviewRoot: vscode.Uri;
  private readonly historyFile: HistoryFile;
  private readonly attachments: Attachments;
  private readonly codeActions: CodeActions;
  private readonly router: ChatMessageRouter;
  private readonly hostStateListener: vscode.Disposable;
  private readonly settingsListener: vscode.Disposable;
  private view: vscode.WebviewView | undefined;
  // Created on first use, not at activation: most windows never open the chat.
  private sessionPromise: Promise<ChatSession> | undefined;

  constructor(
    context: vscode.ExtensionContext,
    private readonly host: ConversationBackend,
    private readonly settings: Settings,
    private readonly shield: ShieldEngine,
    private readonly guard: ChatSessionGuard,
    private readonly log: vscode.LogOutputChannel,
    symbols: WorkspaceSymbolIndex,
    private readonly retriever: Retriever,
    applyToDefinition: ApplyToDefinition,
  ) {
    this.attachments = new Attachments(symbols);
    this.codeActions = new CodeActions(applyToDefinition);
    this.webviewRoot = vscode.Uri.joinPath(context.extensionUri, "dist", "webview");
    // Per workspace when there is one; the global folder is still the extension's own storage.
    this.historyFile = new HistoryFile((context.storageUri ?? context.globalStorageUri).fsPath);
    this.router = new ChatMessageRouter(this, this.attachments, this.codeActions);
    this.hostStateListener = host.onDidChangeState((state) =>
      this.post({ kind: "hostAvailability", ...availabilityOf(state) }),
    );
    this.settingsListener = settings.onDidChange(() => this.postRetrieval());
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.view = webviewView;
    webviewView.webview.options = { enableScripts: true, localResourceRoots: [this.webviewRoot] };
    // A fresh nonce each time, so the HTML differs and VS Code builds a new frame.
    const page = reloadUntilReady(
      webviewView,
      () =>
        chatPageHtml({
          nonce: randomBytes(16).toString("base64"),
          cspSource: webviewView.webview.cspSource,
          scriptUri: webviewView.webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot, "chat.js")).toString(),
          styleUri: webviewView.webview.asWebviewUri(vscode.Uri.joinPath(this.webviewRoot, "chat.css")).toString(),
        }),
      "chat view",
      this.log,
    );
    page.render();
    const subscriptions: vscode.Disposable = vscode.Disposable.from(
      page,
      webviewView.webview.onDidReceiveMessage((message: unknown) => {
        if (!isChatFromWebview(message)) {
          this.log.warn("Ignoring a malformed message from the chat view.");
          return;
        }
        if (message.kind === "ready") page.ready();
        this.sessionReady()
          .then((session) => this.router.route(session, message))
          .catch((error: unknown) => {
            this.log.error(`Chat: ${message.kind} failed: ${String(error)}`);
            this.post({
              kind: "notice",
              level: "error",
              text: `Something went wrong: ${error instanceof Error ? error.message : String(error)}`,
            });
          });
      }),
      webviewView.onDidDispose(() => {
        subscriptions.dispose();
        if (this.view === webviewView) this.view = undefined;
      }),
    );
  }

  post(message: ChatToWebview): void {
    void this.view?.webview.postMessage(message);
  }

  postAttachments(): void {
    this.post({ kind: "attachments", chips: this.attachments.chips() });
  }

  postHostAvailability(): void {
    this.post({ kind: "hostAvailability", ...availabilityOf(this.host.state) });
  }

  postRetrieval(): void {
    this.post({ kind: "retrieval", enabled: this.settings.current.chat.retrieval });
  }

  setRetrieval(enabled: boolean): Promise<void> {
    return this.settings.setChatRetrieval(enabled);
  }

  report(result: AttachResult): void {
    if (result.ok) this.postAttachments();
    else this.post({ kind: "notice", level: "warning", text: result.reason });
  }

  async askInChat(request: AskInChatRequest): Promise<AskInChatResult> {
    await revealView();
    const session = await this.sessionReady();
    if (session.busy)
      return { ok: false, reason: "the chat is still answering. Stop it or wait for it, then try again." };
    // No fallback language: the session then takes the attached code's, which is what the answer is about.
    session.send(request.prompt, request.attachments);
    return { ok: true };
  }

  async askAboutSelection(): Promise<void> {
    const result = this.attachments.addSelection(vscode.window.activeTextEditor);
    await revealView();
    this.report(result);
  }

  async attachActiveFile(): Promise<void> {
    const result = this.attachments.addDocument(vscode.window.activeTextEditor?.document);
    await revealView();
    this.report(result);
  }

  async newChat(): Promise<void> {
    await revealView();
    (await this.sessionReady()).newChat();
  }

  dispose(): void {
    this.codeActions.dispose();
    this.hostStateListener.dispose();
    this.settingsListener.dispose();
    void this.sessionPromise?.then((session) => session.dispose());
  }

  private sessionReady(): Promise<ChatSession> {
    return (this.sessionPromise ??= this.createSession());
  }

  // The session exists once the history is read and the Shield is loaded, so no block is ever shown unscanned.
  private async createSession(): Promise<ChatSession> {
    const [history] = await Promise.all([this.historyFile.load(), this.shield.load()]);
    if (history.problem !== undefined) {
      this.log.warn(history.problem);
      void vscode.window.showWarningMessage(`Llama Assist: ${history.problem}`);
    }
    return new ChatSession(
      {
        chat: (params, onChunk, signal) => {
          if (this.settings.current.backend.kind === "local" && this.settings.current.completionModelPath === "") {
            return Promise.reject(
              new Error("no model is set. Choose a GGUF file in the setting llamaAssist.completionModel.path."),
            );
          }
          return this.host.chat(params, onChunk, signal);
        },
        contextSize: () => (this.host.state.phase === "ready" ? this.host.state.info.chatModel.contextSize : undefined),
        countTokens: (texts) => this.host.countChatTokens(texts),
        scanCode: (code, languageId) => this.scanCode(code, languageId),
        post: (message) => this.post(message),
        // Without a folder on disk there is no index to ask, and nothing to say about it.
        retrieve: async (question) =>
          (vscode.workspace.workspaceFolders ?? []).some((folder) => folder.uri.scheme === "file")
            ? (await this.retriever.retrieve(question, retrievedChunks)).map(storedSource)
            : [],
        guard: this.guard,
        persist: (conversations) => {
          this.historyFile
            .save(conversations)
            .catch((error: unknown) => this.log.error(`The chat history could not be saved: ${String(error)}`));
        },
        newId: () => randomUUID(),
        now: () => Date.now(),
      },
      history.conversations,
      () => ({
        maxAnswerTokens: this.settings.current.chat.maxAnswerTokens,
        temperature: chatTemperature,
        limits: limitsOf(this.settings.current),
        retrieval: this.settings.current.chat.retrieval,
      }),
    );
  }

  private scanCode(code: string, languageId: string | undefined): CodeScan {
    const verdict = gateSuggestion(
      this.shield.ready,
      { prefix: "", suggestion: code, suffix: "", languageId: languageId ?? "plaintext" },
      this.settings.current.shield,
    );
    if (verdict.failure !== undefined) this.log.warn(verdict.failure);
    return {
      action: verdict.action,
      findings: verdict.findings.map(({ ruleId, cwe, severity, message }) => ({ ruleId, cwe, severity, message })),
      failure: verdict.failure,
    };
  }
}

async function revealView(): Promise<void> {
  await vscode.commands.executeCommand(`${chatViewId}.focus`);
}
