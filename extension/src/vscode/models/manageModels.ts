import * as vscode from "vscode";
import path from "node:path";
import { type ModelFile, deleteModelFile, listModelFiles } from "../../node/models/installed";
import { formatBytes } from "../../core/models/progress";
import { downloadWithProgress } from "./downloadWithProgress";
import type { ModelsContext } from "./modelsContext";
import { commandIds } from "../commandIds";

type FileItem = vscode.QuickPickItem & { file: ModelFile };

const stateLabels: Record<ModelFile["state"], string> = {
  installed: "installed",
  partial: "partial download",
  rejected: "failed its check (moved aside)",
};

export function register(models: ModelsContext): vscode.Disposable {
  return vscode.commands.registerCommand(commandIds.manageModels, () => manageModels(models));
}

function rolesOf(models: ModelsContext, file: ModelFile): string[] {
  if (file.state !== "installed") return [];
  const completion = models.currentPath("completion") === file.path;
  const chatPath = models.currentPath("chat");
  const chat = chatPath === file.path || (chatPath === "" && completion);
  return [...(completion ? ["completion"] : []), ...(chat ? ["chat"] : [])];
}

async function manageModels(models: ModelsContext): Promise<void> {
  const files = await listModelFiles(models.modelsDirectory);
  if (files.length === 0) {
    const choose = "Choose Models…";
    const choice = await vscode.window.showInformationMessage(
      `No models are installed in ${models.modelsDirectory}.`,
      choose,
    );
    if (choice === choose) await vscode.commands.executeCommand(commandIds.chooseModels);
    return;
  }
  const total = files.reduce((sum, file) => sum + file.sizeBytes, 0);
  const items: FileItem[] = files.map((file) => {
    const roles = rolesOf(models, file);
    return {
      label: `${roles.length > 0 ? "$(check) " : ""}${file.fileName}`,
      description: [
        formatBytes(file.sizeBytes),
        stateLabels[file.state],
        ...(roles.length > 0 ? [`in use for ${roles.join(" and ")}`] : []),
      ].join(" · "),
      file,
    };
  });
  const chosen = await vscode.window.showQuickPick(items, {
    title: `Llama Assist: installed models (${formatBytes(total)} in ${models.modelsDirectory})`,
    placeHolder: "Choose a model to use, resume or delete it",
  });
  if (chosen === undefined) return;
  await actOn(models, chosen.file);
}

async function actOn(models: ModelsContext, file: ModelFile): Promise<void> {
  const actions: string[] = [];
  const catalogModel = models.catalog.models.find((model) => model.fileName === file.fileName);
  if (file.state === "installed") actions.push("Use for Completion", "Use for Chat");
  if (file.state === "partial" && catalogModel !== undefined) actions.push("Resume Download");
  actions.push("Delete");
  const action = await vscode.window.showQuickPick(actions, {
    title: `${file.fileName} (${formatBytes(file.sizeBytes)})`,
  });
  switch (action) {
    case "Use for Completion":
    case "Use for Chat": {
      const role = action === "Use for Completion" ? "completion" : "chat";
      const problem = await models.problemWith(file.path, role);
      if (problem !== undefined) {
        void vscode.window.showErrorMessage(`${problem.message} The previous model stays in use.`);
        return;
      }
      await models.use(role, file.path);
      return;
    }
    case "Resume Download":
      if (catalogModel !== undefined) await downloadWithProgress(models, catalogModel);
      return;
    case "Delete": {
      const roles = rolesOf(models, file);
      const warning = roles.length > 0 ? ` It is in use for ${roles.join(" and ")}; that setting will be cleared.` : "";
      const confirm = await vscode.window.showWarningMessage(
        `Delete ${file.fileName} (${formatBytes(file.sizeBytes)})?${warning}`,
        { modal: true },
        "Delete",
      );
      if (confirm !== "Delete") return;
      // Clear the settings first, so the host lets go of the file before it disappears.
      if (models.currentPath("completion") === file.path) await models.use("completion", "");
      if (models.currentPath("chat") === file.path) await models.use("chat", "");
      await deleteModelFile(file);
      models.log.info(`Deleted ${path.join(models.modelsDirectory, file.fileName)} (${stateLabels[file.state]}).`);
      return;
    }
  }
}
