import * as vscode from "vscode";
import { hostConfigOf } from "./core/config/config";
import { HostClient } from "./node/host/hostClient";
import { Settings } from "./vscode/settings";
import { hostLogLevel, writeHostLog } from "./vscode/host/hostLog";
import * as hostLifecycle from "./vscode/host/hostLifecycle";
import * as hostStatusBar from "./vscode/host/hostStatusBar";
import * as hostStatusView from "./vscode/host/hostStatusView";
import * as restartHost from "./vscode/host/restartHost";
import * as showHostStatus from "./vscode/host/showHostStatus";
import * as showLog from "./vscode/host/showLog";
import * as scanFileWithShield from "./vscode/shield/scanFileWithShield";
import * as shieldDiagnostics from "./vscode/shield/shieldDiagnostics";
import { ShieldEngine } from "./vscode/shield/shieldEngine";
import { ShieldStatusBar } from "./vscode/shield/shieldStatusBar";
import { gateSuggestion } from "./core/shield/gate";
import { commandIds } from "./vscode/commandIds";
import * as documentTrees from "./vscode/syntax/documentTrees";
import * as inlineCompletions from "./vscode/completion/inlineCompletionProvider";
import * as chatView from "./vscode/chat/chatView";
import * as rebuildWorkspaceIndex from "./vscode/retrieval/rebuildWorkspaceIndex";
import * as workspaceEmbeddings from "./vscode/retrieval/workspaceEmbeddings";
import { createChatGuard } from "./vscode/guard/chatGuard";
import * as refactor from "./vscode/refactor";
import * as models from "./vscode/models";
import { InferenceRouter } from "./vscode/remote/inferenceRouter";
import * as remoteCommands from "./vscode/remote/remoteCommands";
import * as remoteStatusBar from "./vscode/remote/remoteStatusBar";

/** Set while active, so that deactivate can wait for the host to exit; disposables cannot be awaited. */
let stopHost: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Llama Assist", { log: true });
  const settings = new Settings(log);
  const host = new HostClient({
    hostScript: context.asAbsolutePath("dist/host/main.mjs"),
    config: hostConfigOf(settings.current, hostLogLevel(log)),
    log: (level, message) => writeHostLog(log, level, message),
  });
  stopHost = () => host.dispose();
  const grammars = vscode.Uri.joinPath(context.extensionUri, "grammars");
  const trees = documentTrees.register(
    grammars,
    () => settings.current.completions.maxParsedFileChars,
    log,
    context.storageUri,
  );
  const shield = new ShieldEngine(grammars, () => trees.whenRuntimeLoaded(), log);
  // Completions, chat and refactor reach inference only through the router: the local host or the user's server.
  const inference = new InferenceRouter(host, settings, context.secrets, context.globalState, log, () => shield.load());
  const diagnostics = new shieldDiagnostics.ShieldDiagnostics();
  const shieldStatus = new ShieldStatusBar();
  // Llama Guard runs in the local host whatever serves the chat, unless the user named a llama-server for it.
  const guarding = createChatGuard({
    host,
    settings,
    secrets: context.secrets,
    globalState: context.globalState,
    loadShield: () => shield.load(),
  });
  const { guard } = guarding;
  const refactoring = refactor.register({
    host: inference,
    settings,
    shield,
    log,
    globalState: context.globalState,
    syntax: () => trees.whenRuntimeLoaded(),
    queries: trees.queries,
    importedDefinitions: trees.importedDefinitions,
    // Explain's answers go to the chat, created next; it is there by the time a command runs.
    askInChat: (request) => chat.askInChat(request),
    guard,
  });
  const chat = chatView.register(
    context,
    inference,
    settings,
    shield,
    guard,
    log,
    trees.symbolIndex,
    trees.retrieval,
    (code, languageId, candidates) => refactoring.applyToDefinition(code, languageId, candidates),
  );
  // Load the grammars now, off the keystroke path: until they are in, block mode withholds every suggestion.
  void shield.load();

  context.subscriptions.push(
    log,
    settings,
    hostLifecycle.register(host, settings, log),
    inference,
    guarding,
    hostStatusBar.register(host, settings),
    remoteStatusBar.register(inference),
    remoteCommands.register(inference, settings, context.secrets),
    hostStatusView.register(context.extensionUri, host, settings, log),
    restartHost.register(host, settings, log),
    showHostStatus.register(host, settings, log),
    showLog.register(log),
    shield,
    diagnostics,
    shieldDiagnostics.register(shield, diagnostics),
    scanFileWithShield.register(shield, diagnostics, settings),
    shieldStatus,
    trees,
    rebuildWorkspaceIndex.register(() => trees.rebuildWorkspaceIndex()),
    workspaceEmbeddings.register(host, settings, (embedder) => trees.useEmbedder(embedder)),
    inlineCompletions.register({
      // A fast server can answer before the Shield's grammars are in; the first suggestion waits for them rather than
      // being withheld by the fail-closed gate.
      generate: async (params, signal) => (await Promise.all([inference.infill(params, signal), shield.load()]))[0],
      gate: (input) => gateSuggestion(shield.ready, input, settings.current.shield),
      trees,
      settings: () => settings.current.completions,
      onDidChangeSettings: settings.onDidChange,
      log,
      onVerdict: (verdict) => {
        shieldStatus.report(verdict);
        if (verdict.failure) log.warn(verdict.failure);
      },
      acceptCommand: (document, verdict, scannedFrom) => ({
        title: "Record Shield findings",
        command: commandIds.recordAcceptedFindings,
        arguments: [document.uri, scannedFrom, verdict.findings],
      }),
    }),
    chat,
    refactoring,
    models.register(context, host, settings, log),
  );
}

export async function deactivate(): Promise<void> {
  const stop = stopHost;
  stopHost = undefined;
  await stop?.();
}
