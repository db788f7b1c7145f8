import * as vscode from "vscode";
import { presentRemoteStatus, type RemoteStatus } from "../../core/remote/remoteStatus";
import type { InferenceRouter } from "./inferenceRouter";
import { commandIds } from "../commandIds";

/** While a remote server serves, this item replaces the local host's: the server, its model and whether it answers. */
export function register(router: InferenceRouter): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("llamaAssist.remoteStatus", vscode.StatusBarAlignment.Right, 100);
  item.name = "Llama Assist Remote Server";
  item.command = commandIds.checkRemoteServer;

  const render = (status: RemoteStatus | undefined): void => {
    if (status === undefined) {
      item.hide();
      return;
    }
    const presentation = presentRemoteStatus(status);
    item.text = presentation.text;
    item.tooltip = presentation.tooltip;
    item.backgroundColor = presentation.isError ? new vscode.ThemeColor("statusBarItem.warningBackground") : undefined;
    item.show();
  };

  render(router.status);
  return vscode.Disposable.from(
    item,
    router.onDidChangeRemoteStatus(render),
    vscode.commands.registerCommand(commandIds.checkRemoteServer, () => router.checkRemote()),
  );
}
