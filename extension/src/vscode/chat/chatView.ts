import * as vscode from "vscode";
import { randomBytes, randomUUID } from "node:crypto";
import type { AskInChatRequest } from "../../core/chat/conversation";
import { HistoryFile } from "../../node/chat/historyFile";
import { chatPageHtml } from "../../core/chat/html";
import { classifyLink } from "../../core/chat/links";
import { ChatSession, type CodeScan } from "../../core/chat/session";
import type { LlamaAssistConfig } from "../../core/config/config";
import type { HostState } from "../../core/protocol/host";
import { type ChatFromWebview, type ChatToWebview, type HostAvailability, isChatFromWebview } from "../../core/protocol/webview";
import { gateSuggestion } from "../../core/shield/gate";
import type { ConversationBackend } from "../../core/protocol/backend";
import type { Settings } from "../settings";
import type { ShieldEngine } from "../shield/shieldEngine";
import { Attachments } from "./attachments";
import { CodeActions } from "./codeActions";
import { reloadUntilReady } from "../webviewPageReload";
import { commandIds } from "../commandIds";

export const chatViewId = "llamaAssist.chat";
export const chatCommandIds = {
  askAboutSelection: commandIds.askAboutSelection,
  attachFile: commandIds.attachFile,
  newChat: commandIds.newChat,
} as const;

/** Answers are mostly deterministic code help; a little temperature keeps regenerate useful. */
const chatTemperature = 0.2;

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
  log: vscode.LogOutputChannel,
): ChatView {
  const webviewRoot = vscode.Uri.joinPath(context.extensionUri, "dist", "webview");
  // Per workspace when there is one; the global folder is still the extension's own storage.
  const historyFile = new HistoryFile((context.storageUri ?? context.globalStorageUri).fsPath);
  const attachments = new Attachments();
  const codeActions = new CodeActions();
  let view: vscode.WebviewView | undefined;
  /** The user's unsent text; the webview is discarded while hidden. */
  let draft = "";

  const post = (message: ChatToWebview): void => {
    void view?.webview.postMessage(message);
  };
  const scanCode = (code: string, languageId: string | undefined): CodeScan => {
    const verdict = gateSuggestion(shield.ready, { prefix: "", suggestion: code, suffix: "", languageId: languageId ?? "plaintext" }, settings.current.shield);
    if (verdict.failure !== undefined) log.warn(verdict.failure);
    return {
      action: verdict.action,
      findings: verdict.findings.map(({ ruleId, cwe, severity, message }) => ({ ruleId, cwe, severity, message })),
      failure: verdict.failure,
    };
  };

  // The session exists once the history is read and the Shield is loaded, so no block is ever shown unscanned.
  const createSession = (): Promise<ChatSession> => Promise.all([historyFile.load(), shield.load()]).then(([history]) => {
    if (history.problem !== undefined) {
      log.warn(history.problem);
      void vscode.window.showWarningMessage(`Llama Assist: ${history.problem}`);
    }
    const session = new ChatSession(
      {
        chat: (params, onChunk, signal) => {
          if (settings.current.backend.kind === "local" && settings.current.completionModelPath === "") {
            return Promise.reject(new Error("no model is set. Choose a GGUF file in the setting llamaAssist.completionModel.path."));
          }
          return host.chat(params, onChunk, signal);
        },
        contextSize: () => (host.state.phase === "ready" ? host.state.info.chatModel.contextSize : undefined),
        scanCode,
        post,
        persist: (conversations) => {
          historyFile.save(conversations).catch((error: unknown) => log.error(`The chat history could not be saved: ${String(error)}`));
        },
        newId: () => randomUUID(),
        now: () => Date.now(),
      },
      history.conversations,
      () => ({ maxAnswerTokens: settings.current.chat.maxAnswerTokens, temperature: chatTemperature, limits: limitsOf(settings.current) }),
    );
    return session;
  });

  // Created on first use, not at activation: most windows never open the chat.
  let sessionPromise: Promise<ChatSession> | undefined;
  const sessionReady = (): Promise<ChatSession> => (sessionPromise ??= createSession());
  const postAttachments = (): void => post({ kind: "attachments", chips: attachments.chips() });
  const report = (result: { ok: true } | { ok: false; reason: string }): void => {
    if (result.ok) postAttachments();
    else post({ kind: "notice", level: "warning", text: result.reason });
  };
  const revealView = async (): Promise<void> => {
    await vscode.commands.executeCommand(`${chatViewId}.focus`);
  };

  async function openLink(href: string): Promise<void> {
    const decision = classifyLink(href);
    if (decision.kind === "refuse") {
      void vscode.window.showWarningMessage(`Llama Assist did not open the link: ${decision.reason}`);
      return;
    }
    if (decision.kind === "external") {
      const choice = await vscode.window.showInformationMessage(`Open this web page in your browser?`, { modal: true, detail: decision.url }, "Open");
      if (choice === "Open") await vscode.env.openExternal(vscode.Uri.parse(decision.url, true));
      return;
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    const candidates = decision.path.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(decision.path)
      ? [vscode.Uri.file(decision.path)]
      : folders.map((folder) => vscode.Uri.joinPath(folder.uri, decision.path));
    for (const uri of candidates) {
      try {
        await vscode.workspace.fs.stat(uri);
      } catch {
        continue;
      }
      const line = Math.max(0, (decision.line ?? 1) - 1);
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
      return;
    }
    void vscode.window.showWarningMessage(`Llama Assist: ${decision.path} was not found in the workspace.`);
  }

  async function handle(session: ChatSession, message: ChatFromWebview): Promise<void> {
    switch (message.kind) {
      case "ready":
        session.postState();
        postAttachments();
        post({ kind: "hostAvailability", ...availabilityOf(host.state) });
        if (draft !== "") post({ kind: "restoreDraft", text: draft });
        return;
      case "draftChanged":
        draft = message.text;
        return;
      case "send": {
        if (session.busy) return;
        draft = "";
        const languageId = vscode.window.activeTextEditor?.document.languageId;
        session.send(message.text, attachments.take(), languageId);
        postAttachments();
        return;
      }
      case "stop":
        session.stop();
        return;
      case "regenerate":
        session.regenerate();
        return;
      case "newChat":
        session.newChat();
        return;
      case "openConversation":
        session.open(message.conversationId);
        return;
      case "renameConversation": {
        const title = await vscode.window.showInputBox({ prompt: "Name of this chat", validateInput: (value) => (value.trim() === "" ? "Enter a name." : undefined) });
        if (title !== undefined) session.rename(message.conversationId, title.slice(0, 200));
        return;
      }
      case "deleteConversation": {
        const choice = await vscode.window.showWarningMessage("Delete this chat?", { modal: true }, "Delete");
        if (choice === "Delete") session.delete(message.conversationId);
        return;
      }
      case "attachCurrentFile":
        report(attachments.addDocument(vscode.window.activeTextEditor?.document));
        return;
      case "attachSelection":
        report(attachments.addSelection(vscode.window.activeTextEditor));
        return;
      case "searchFiles":
        post({ kind: "fileMatches", query: message.query, paths: await attachments.search(message.query) });
        return;
      case "attachFile":
        report(await attachments.addWorkspaceFile(message.path));
        return;
      case "removeAttachment":
        attachments.remove(message.attachmentId);
        postAttachments();
        return;
      case "codeAction": {
        const block = session.codeBlock(message.messageId, message.index);
        if (block === undefined) return;
        await codeActions.run(message.action, block);
        return;
      }
      case "openLink":
        await openLink(message.href);
        return;
    }
  }

  const provider: vscode.WebviewViewProvider = {
    resolveWebviewView(webviewView) {
      view = webviewView;
      webviewView.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
      // A fresh nonce each time, so the HTML differs and VS Code builds a new frame.
      const page = reloadUntilReady(
        webviewView,
        () =>
          chatPageHtml({
            nonce: randomBytes(16).toString("base64"),
            cspSource: webviewView.webview.cspSource,
            scriptUri: webviewView.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, "chat.js")).toString(),
            styleUri: webviewView.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, "chat.css")).toString(),
          }),
        "chat view",
        log,
      );
      page.render();
      const subscriptions: vscode.Disposable = vscode.Disposable.from(
        page,
        webviewView.webview.onDidReceiveMessage((message: unknown) => {
          if (!isChatFromWebview(message)) {
            log.warn("Ignoring a malformed message from the chat view.");
            return;
          }
          if (message.kind === "ready") page.ready();
          sessionReady()
            .then((session) => handle(session, message))
            .catch((error: unknown) => {
              log.error(`Chat: ${message.kind} failed: ${String(error)}`);
              post({ kind: "notice", level: "error", text: `Something went wrong: ${error instanceof Error ? error.message : String(error)}` });
            });
        }),
        webviewView.onDidDispose(() => {
          subscriptions.dispose();
          if (view === webviewView) view = undefined;
        }),
      );
    },
  };

  const askInChat = async (request: AskInChatRequest): Promise<AskInChatResult> => {
    await revealView();
    const session = await sessionReady();
    if (session.busy) return { ok: false, reason: "the chat is still answering. Stop it or wait for it, then try again." };
    // No fallback language: the session then takes the attached code's, which is what the answer is about.
    session.send(request.prompt, request.attachments);
    return { ok: true };
  };

  const registrations = vscode.Disposable.from(
    // Not retained while hidden: see webview/src/chat/main.ts.
    vscode.window.registerWebviewViewProvider(chatViewId, provider),
    codeActions,
    host.onDidChangeState((state) => post({ kind: "hostAvailability", ...availabilityOf(state) })),
    vscode.commands.registerCommand(chatCommandIds.askAboutSelection, async () => {
      const result = attachments.addSelection(vscode.window.activeTextEditor);
      await revealView();
      report(result);
    }),
    vscode.commands.registerCommand(chatCommandIds.attachFile, async () => {
      const result = attachments.addDocument(vscode.window.activeTextEditor?.document);
      await revealView();
      report(result);
    }),
    vscode.commands.registerCommand(chatCommandIds.newChat, async () => {
      await revealView();
      (await sessionReady()).newChat();
    }),
    { dispose: () => void sessionPromise?.then((session) => session.dispose()) },
  );
  return { askInChat, dispose: () => registrations.dispose() };
}
