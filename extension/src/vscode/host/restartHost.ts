import * as vscode from "vscode";
import { hostConfigOf } from "../../core/config/config";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";
import { hostLogLevel } from "./hostLog";
import { commandIds } from "../commandIds";

export function register(host: HostClient, settings: Settings, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(commandIds.restartHost, async () => {
    if (!settings.current.completionModelPath) {
      void vscode.window.showWarningMessage("Llama Assist: set llamaAssist.completionModel.path to a GGUF file first.");
      return;
    }
    log.info("Restarting the inference host on request.");
    try {
      await host.restart(hostConfigOf(settings.current, hostLogLevel(log)));
    } catch (error) {
      void vscode.window.showErrorMessage(
        `Llama Assist: the inference host did not restart: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  });
}
