import * as vscode from "vscode";
import { isCodeLanguage } from "../../core/config/codeLanguages";
import { hostConfigOf } from "../../core/config/config";
import { type HostClient, HostRequestError } from "../../node/host/hostClient";
import type { Settings } from "../settings";
import { hostLogLevel } from "./hostLog";

/**
 * Starts the host lazily, with the first code document, and restarts it when a setting it was started with changes.
 * Requests start it too, through the client.
 */
export function register(host: HostClient, settings: Settings, log: vscode.LogOutputChannel): vscode.Disposable {
  const startForDocument = (document: vscode.TextDocument): void => {
    // A remote server serves: loading a local model too would only take the user's memory.
    if (
      host.state.phase !== "stopped" ||
      !settings.current.completionModelPath ||
      settings.current.backend.kind !== "local"
    )
      return;
    if (document.uri.scheme !== "file" && document.uri.scheme !== "untitled" && document.uri.scheme !== "vscode-remote")
      return;
    if (!isCodeLanguage(document.languageId)) return;
    host.start().catch((error: unknown) => log.error(`The inference host did not start: ${String(error)}`));
  };

  vscode.workspace.textDocuments.forEach(startForDocument);

  return vscode.Disposable.from(
    vscode.workspace.onDidOpenTextDocument(startForDocument),
    settings.onDidChange(({ config, needsHostRestart }) => {
      if (!needsHostRestart) return;
      if (!config.completionModelPath) {
        void host.stop();
        return;
      }
      log.info("A model or hardware setting changed: restarting the inference host.");
      host.restart(hostConfigOf(config, hostLogLevel(log))).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        log.error(`Restart failed: ${message}`);
        // The user just changed the setting: say once, now, why it did not take (and which model still runs). A restart
        // that a newer change stopped ("notReady") has nothing to say.
        if (!(error instanceof HostRequestError && error.code === "notReady"))
          void vscode.window.showErrorMessage(`Llama Assist: ${message}`);
      });
    }),
  );
}
