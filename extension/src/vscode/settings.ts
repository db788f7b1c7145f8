import * as vscode from "vscode";
import { changeNeedsHostRestart, readConfig, type LlamaAssistConfig } from "../core/config/config";

export interface SettingsChange {
  config: LlamaAssistConfig;
  needsHostRestart: boolean;
}

/** The typed, validated view of `llamaAssist.*`; the only place that reads the editor's configuration. */
export class Settings implements vscode.Disposable {
  private currentConfig: LlamaAssistConfig;
  private readonly changeEmitter = new vscode.EventEmitter<SettingsChange>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.currentConfig = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration("llamaAssist")) return;
      this.currentConfig = this.read();
      this.changeEmitter.fire({
        config: this.currentConfig,
        needsHostRestart: changeNeedsHostRestart((key) => event.affectsConfiguration(key)),
      });
    });
  }

  get current(): LlamaAssistConfig {
    return this.currentConfig;
  }

  /** The chat's retrieval toggle, switched in the chat view: for all the user's windows, like its setting's scope. */
  async setChatRetrieval(enabled: boolean): Promise<void> {
    await vscode.workspace
      .getConfiguration("llamaAssist")
      .update("chat.retrieval", enabled, vscode.ConfigurationTarget.Global);
  }

  private read(): LlamaAssistConfig {
    const section = vscode.workspace.getConfiguration("llamaAssist");
    const { config, problems } = readConfig({ get: (key) => section.get(key) });
    for (const problem of problems) this.log.warn(problem);
    if (problems.length > 0) {
      void vscode.window.showWarningMessage(
        `Llama Assist: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more, see the log)` : ""}`,
      );
    }
    return config;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
