import * as vscode from "vscode";
import path from "node:path";
import { type CatalogModel, type ModelRole, builtInCatalog } from "../../core/models/catalog";
import { checkGgufFile } from "../../node/models/ggufCheck";
import { type ProbedHardware, probeHardware } from "../../node/models/hardwareProbe";
import { type Hardware, withOwnModelsFreed } from "../../core/models/recommend";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";

const settingKeys: Record<ModelRole, string> = {
  completion: "completionModel.path",
  chat: "chatModel.path",
  guard: "guard.model",
  embedding: "embeddingModel.path",
};
const roleNames: Record<ModelRole, string> = {
  completion: "Completion",
  chat: "Chat",
  guard: "Guard",
  embedding: "Embedding",
};

/** What the model commands share: where models live, the catalog, the detected hardware, and the settings they write. */
export class ModelsContext {
  readonly catalog = builtInCatalog();
  readonly modelsDirectory: string;
  /** The bundled thread that runs a model download. */
  readonly downloadWorker: string;
  private hardware: Promise<ProbedHardware> | undefined;

  constructor(
    private readonly extensionContext: vscode.ExtensionContext,
    private readonly host: HostClient,
    readonly settings: Settings,
    readonly log: vscode.LogOutputChannel,
  ) {
    // Global storage, never the user's home folder: the models go when the extension is uninstalled.
    this.modelsDirectory = path.join(extensionContext.globalStorageUri.fsPath, "models");
    this.downloadWorker = extensionContext.asAbsolutePath("dist/models/downloadWorker.mjs");
  }

  pathOf(model: CatalogModel): string {
    return path.join(this.modelsDirectory, model.fileName);
  }

  /** Probes once per session (about a second); a changed GPU setting probes again. */
  detectHardware(): Promise<ProbedHardware> {
    if (this.hardware === undefined) {
      const hostScript = this.extensionContext.asAbsolutePath("dist/host/main.mjs");
      const probe = probeHardware(hostScript, this.settings.current.gpu);
      this.hardware = probe;
      probe.catch(() => {
        if (this.hardware === probe) this.hardware = undefined;
      });
    }
    return this.hardware;
  }

  /** The hardware as a new choice of models sees it: what our running host holds would be freed. */
  async hardwareForChoice(): Promise<Hardware> {
    const { hardware } = await this.detectHardware();
    const state = this.host.state;
    return withOwnModelsFreed(hardware, state.phase === "ready" ? state.info : undefined);
  }

  forgetHardware(): void {
    this.hardware = undefined;
  }

  currentPath(role: ModelRole): string {
    const { completionModelPath, chatModelPath, guard, chat } = this.settings.current;
    const paths = { completion: completionModelPath, chat: chatModelPath, guard: guard.modelPath };
    return { ...paths, embedding: chat.embeddingModelPath }[role];
  }

  /**
   * Checks a file before it becomes a setting, so a bad choice never replaces the working model.
   * Returns a problem to show, or undefined when the file may be used for the role.
   */
  async problemWith(
    filePath: string,
    role: ModelRole,
  ): Promise<{ message: string; canUseAnyway: boolean } | undefined> {
    const check = await checkGgufFile(filePath);
    if (!check.ok) return { message: check.message, canUseAnyway: false };
    if (role === "completion" && !check.summary.fillInTheMiddle) {
      return {
        message: `${path.basename(filePath)} has no fill-in-the-middle tokens (it is a chat model): completions would see only the text before the cursor. Choose a base code model such as Qwen2.5-Coder for completion.`,
        canUseAnyway: true,
      };
    }
    return undefined;
  }

  /** Writes the model setting for this machine; the host restarts on the change. An empty chat path shares the completion model. */
  async use(role: ModelRole, filePath: string): Promise<void> {
    await vscode.workspace
      .getConfiguration("llamaAssist")
      .update(settingKeys[role], filePath, vscode.ConfigurationTarget.Global);
    this.log.info(`${roleNames[role]} model set to ${filePath === "" ? "the completion model" : filePath}.`);
  }
}
