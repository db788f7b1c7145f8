import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import { describeFailedChange, describeHost } from "../../core/host/hostStatus";
import { isFromWebview, type ToWebview } from "../../core/protocol/webview";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";
import { commandIds } from "../commandIds";
import { reloadUntilReady } from "../webviewPageReload";

export const hostStatusViewId = "llamaAssist.hostStatus";

/** The sidebar's host panel: what is loaded, on which hardware, and buttons to restart or read the log. */
export function register(
  extensionUri: vscode.Uri,
  host: HostClient,
  settings: Settings,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  const webviewRoot = vscode.Uri.joinPath(extensionUri, "dist", "webview");
  const provider: vscode.WebviewViewProvider = {
    resolveWebviewView(view) {
      view.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
      const page = reloadUntilReady(view, () => renderHtml(view.webview, webviewRoot), "Inference Host view", log);
      page.render();
      const post = (): void => {
        const state = host.state;
        const message: ToWebview = {
          kind: "hostState",
          state,
          modelConfigured: settings.current.completionModelPath !== "",
          details:
            state.phase === "ready"
              ? [
                  ...(state.failedChange === undefined ? [] : [describeFailedChange(state.failedChange)]),
                  ...describeHost(state.info),
                ]
              : [],
        };
        void view.webview.postMessage(message);
      };
      const viewSubscriptions = vscode.Disposable.from(
        page,
        host.onDidChangeState(post),
        settings.onDidChange(post),
        view.webview.onDidReceiveMessage((message: unknown) => {
          if (!isFromWebview(message)) return;
          switch (message.kind) {
            case "ready":
              page.ready();
              post();
              break;
            case "restartHost":
              void vscode.commands.executeCommand(commandIds.restartHost);
              break;
            case "showLog":
              void vscode.commands.executeCommand(commandIds.showLog);
              break;
            case "chooseModel":
              void vscode.commands.executeCommand("workbench.action.openSettings", "llamaAssist.completionModel.path");
              break;
          }
        }),
        view.onDidDispose(() => viewSubscriptions.dispose()),
      );
    },
  };
  return vscode.window.registerWebviewViewProvider(hostStatusViewId, provider);
}

function renderHtml(webview: vscode.Webview, webviewRoot: vscode.Uri): string {
  const nonce = randomBytes(16).toString("base64");
  const script = webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, "main.js"));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, "main.css"));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Llama Assist</title>
</head>
<body>
<main id="host-status" aria-live="polite"></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
