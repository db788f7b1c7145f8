import * as vscode from "vscode";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";
import * as chooseModels from "./chooseModels";
import * as gpuRuntime from "./gpuRuntime";
import * as manageModels from "./manageModels";
import { ModelsContext } from "./modelsContext";
import * as walkthrough from "./walkthrough";

/** Choose Models, Manage Models, the CUDA runtime download and the walkthrough's commands. */
export function register(
  context: vscode.ExtensionContext,
  host: HostClient,
  settings: Settings,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  const models = new ModelsContext(context, host, settings, log);
  return vscode.Disposable.from(
    chooseModels.register(models),
    manageModels.register(models),
    gpuRuntime.register(models, context),
    walkthrough.register(models),
    settings.onDidChange((change) => {
      if (change.needsHostRestart) models.forgetHardware();
    }),
  );
}
