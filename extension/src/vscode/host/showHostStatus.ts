import * as vscode from "vscode";
import { describeHost, presentHostState } from "../../core/host/hostStatus";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";
import { commandIds } from "../commandIds";

export function register(host: HostClient, settings: Settings, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(commandIds.showHostStatus, async () => {
    if (!settings.current.completionModelPath) {
      const choice = await vscode.window.showInformationMessage("Llama Assist has no model yet.", "Choose a model");
      if (choice) await vscode.commands.executeCommand(commandIds.chooseModels);
      return;
    }
    let summary: string;
    let detail: string;
    try {
      const info = await host.start();
      summary = "Llama Assist: the inference host is ready.";
      detail = describeHost(info).join("\n");
    } catch {
      const presentation = presentHostState(host.state, true);
      summary = "Llama Assist: the inference host is not running.";
      detail = presentation.tooltip;
    }
    const choice = await vscode.window.showInformationMessage(
      summary,
      { modal: true, detail },
      "Show Log",
      "Restart Host",
    );
    if (choice === "Show Log") log.show();
    if (choice === "Restart Host") await vscode.commands.executeCommand(commandIds.restartHost);
  });
}
