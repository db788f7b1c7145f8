import * as vscode from "vscode";
import { presentHostState } from "../../core/host/hostStatus";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";
import { commandIds } from "../commandIds";

export function register(host: HostClient, settings: Settings): vscode.Disposable {
  const item = vscode.window.createStatusBarItem("llamaAssist.hostStatus", vscode.StatusBarAlignment.Right, 100);
  item.name = "Llama Assist";

  const render = (): void => {
    const presentation = presentHostState(host.state, settings.current.completionModelPath !== "");
    item.text = presentation.text;
    item.tooltip = presentation.tooltip;
    item.backgroundColor = presentation.isError ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
    item.command = presentation.isError
      ? commandIds.showLog
      : settings.current.completionModelPath
        ? commandIds.showHostStatus
        : commandIds.openWalkthrough;
  };

  // While a remote server serves, its own item takes this place.
  const renderAndShow = (): void => {
    render();
    if (settings.current.backend.kind === "local") item.show();
    else item.hide();
  };
  renderAndShow();
  return vscode.Disposable.from(item, host.onDidChangeState(render), settings.onDidChange(renderAndShow));
}
