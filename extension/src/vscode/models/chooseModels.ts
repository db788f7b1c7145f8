import * as vscode from "vscode";
import { existsSync } from "node:fs";
import path from "node:path";
import type { CatalogModel, ModelRole } from "../../core/models/catalog";
import { formatBytes } from "../../core/models/progress";
import {
  type Assessment,
  type Hardware,
  type Recommendation,
  assessModel,
  candidateContextSizes,
  recommend,
} from "../../core/models/recommend";
import { downloadWithProgress } from "./downloadWithProgress";
import type { ModelsContext } from "./modelsContext";
import { commandIds } from "../commandIds";

type Pick = { kind: "catalog"; model: CatalogModel } | { kind: "localFile" } | { kind: "shareCompletionModel" };

type PickItem = vscode.QuickPickItem & { pick?: Pick };

const fitLabels: Record<Assessment["fit"], string> = {
  fits: "fits",
  partial: "partially offloaded",
  slow: "slow on this CPU",
  tooLarge: "too large",
};

const roleTitles: Record<ModelRole, string> = {
  completion: "Completion model (ghost text)",
  chat: "Chat and refactor model",
  guard: "Llama Guard model (checks chat messages and answers)",
  embedding: "Embedding model (ranks workspace code for chat questions by meaning)",
};

export function register(models: ModelsContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(commandIds.chooseModels, () => chooseModels(models)),
    vscode.commands.registerCommand(commandIds.chooseGuardModel, () => chooseGuardModel(models)),
    vscode.commands.registerCommand(commandIds.chooseEmbeddingModel, () => chooseEmbeddingModel(models)),
  );
}

/** Sets llamaAssist.embeddingModel.path; the host restarts with it and the workspace's chunks are embedded after. */
async function chooseEmbeddingModel(models: ModelsContext): Promise<void> {
  const hardware = await detect(models);
  if (hardware === undefined) return;
  const embeddingPath = await chooseFor(models, "embedding", hardware, undefined, candidateContextSizes[0], undefined);
  if (embeddingPath === undefined) return;
  await models.use("embedding", embeddingPath);
  void vscode.window.showInformationMessage(
    `Workspace retrieval ranks by keywords and by ${path.basename(embeddingPath)}'s embeddings once the workspace's chunks are embedded (in the background).`,
  );
}

/** Sets llamaAssist.guard.model and, the first time, switches the guard on: off is the default only until a model is there. */
async function chooseGuardModel(models: ModelsContext): Promise<void> {
  const hardware = await detect(models);
  if (hardware === undefined) return;
  const guardPath = await chooseFor(models, "guard", hardware, undefined, candidateContextSizes[0], undefined);
  if (guardPath === undefined) return;
  await models.use("guard", guardPath);
  const switchedOn = models.settings.current.guard.mode === "off";
  if (switchedOn) {
    await vscode.workspace
      .getConfiguration("llamaAssist")
      .update("guard.mode", "promptsAndAnswers", vscode.ConfigurationTarget.Global);
  }
  void vscode.window.showInformationMessage(
    `Llama Guard (${path.basename(guardPath)}) checks chat messages, refactor instructions${switchedOn ? " and answers" : ""}. llamaAssist.guard.mode turns it off.`,
  );
}

async function chooseModels(models: ModelsContext): Promise<void> {
  const hardware = await detect(models);
  if (hardware === undefined) return;
  const recommendation = recommend(models.catalog.models, hardware);
  const contextSize = recommendation?.contextSize ?? candidateContextSizes[candidateContextSizes.length - 1];
  const completionPath = await chooseFor(models, "completion", hardware, recommendation, contextSize, undefined);
  if (completionPath === undefined) return;
  const chatPath = await chooseFor(models, "chat", hardware, recommendation, contextSize, completionPath);
  if (chatPath === undefined) return;
  const shared = chatPath === completionPath || chatPath === "";
  // The context size is left to the host: with llamaAssist.contextSize at 0 (auto), node-llama-cpp's memory estimate
  // for the loaded model picks it, and the status tooltip shows what it chose.
  const contextNote =
    models.settings.current.contextSize === "auto" ? " The context size follows the free memory." : "";
  await models.use("completion", completionPath);
  await models.use("chat", shared ? "" : chatPath);
  void vscode.window.showInformationMessage(
    shared
      ? `Llama Assist uses ${path.basename(completionPath)} for completion and chat.${contextNote}`
      : `Llama Assist uses ${path.basename(completionPath)} for completion and ${path.basename(chatPath)} for chat.${contextNote}`,
  );
}

async function detect(models: ModelsContext): Promise<Hardware | undefined> {
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Llama Assist: detecting the hardware…" },
      () => models.hardwareForChoice(),
    );
  } catch (error) {
    models.log.error(`Hardware detection failed: ${(error as Error).message}`);
    void vscode.window.showErrorMessage(`Llama Assist could not detect the hardware: ${(error as Error).message}`);
    return undefined;
  }
}

function itemsFor(
  models: ModelsContext,
  role: ModelRole,
  hardware: Hardware,
  recommendation: Recommendation | undefined,
  contextSize: number,
  completionPath: string | undefined,
): PickItem[] {
  const recommended = role === "guard" || role === "embedding" ? preferredFor(models, role) : recommendation?.[role];
  const describe = (model: CatalogModel, assessment: Assessment | undefined): PickItem => {
    const installed = existsSync(models.pathOf(model));
    const inUse = models.currentPath(role) === models.pathOf(model);
    const tags = [
      installed ? "installed" : `${formatBytes(model.sizeBytes)} download`,
      ...(assessment === undefined ? [] : [fitLabels[assessment.fit]]),
    ];
    return {
      label: `${inUse ? "$(check) " : ""}${model.name}`,
      description: tags.join(" · "),
      detail: `${assessment?.detail ?? ""}${assessment === undefined ? "" : " — "}licence: ${model.licence}`,
      pick: { kind: "catalog", model },
    };
  };
  const items: PickItem[] = [];
  if (role === "chat" && completionPath !== undefined) {
    items.push({
      label: "$(link) Use the completion model for chat too",
      description: recommendation?.shared ? "recommended" : "",
      detail: recommendation?.shared
        ? "Memory does not allow two models: one model, loaded once, serves completion and chat."
        : "Loads one model for both roles.",
      pick: { kind: "shareCompletionModel" },
    });
  }
  if (recommended !== undefined && !(role === "chat" && recommendation?.shared)) {
    const item = describe(recommended.model, undefined);
    items.push({
      ...item,
      label: `$(star-full) ${item.label}`,
      description: `Recommended · ${item.description}`,
      detail: `${recommended.reason} — licence: ${recommended.model.licence}`,
    });
  }
  items.push({ label: "Other models", kind: vscode.QuickPickItemKind.Separator });
  for (const model of models.catalog.models) {
    if (!model.roles.includes(role) || model === recommended?.model) continue;
    items.push(describe(model, assessModel(model, role, hardware, contextSize)));
  }
  items.push({ label: "", kind: vscode.QuickPickItemKind.Separator });
  items.push({ label: "$(folder-opened) Use a local GGUF file…", pick: { kind: "localFile" } });
  return items;
}

/** Returns the chosen file for the role ("" for "share the completion model"), or undefined when the user gave up. */
async function chooseFor(
  models: ModelsContext,
  role: ModelRole,
  hardware: Hardware,
  recommendation: Recommendation | undefined,
  contextSize: number,
  completionPath: string | undefined,
): Promise<string | undefined> {
  for (;;) {
    const items = itemsFor(models, role, hardware, recommendation, contextSize, completionPath);
    const chosen = await vscode.window.showQuickPick(items, {
      title: `Llama Assist: ${roleTitles[role]}`,
      placeHolder: placeHolderFor(role, recommendation),
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    const pick = chosen?.pick;
    if (pick === undefined) return undefined;
    const filePath = await resolvePick(models, role, pick, completionPath);
    if (filePath !== undefined) return filePath;
  }
}

/**
 * Llama Guard 3 1B: a check costs a fraction of a chat answer's time, beside any chat model. nomic-embed-text: small
 * enough to embed a workspace in the background beside the other models.
 */
function preferredFor(
  models: ModelsContext,
  role: "guard" | "embedding",
): { model: CatalogModel; reason: string } | undefined {
  const best = models.catalog.models
    .filter((model) => model.roles.includes(role))
    .sort((a, b) => (b.preference[role] ?? 0) - (a.preference[role] ?? 0))[0];
  const reasons = {
    guard: "Small and fast: a check adds little to the chat's first token",
    embedding: "Small (137M parameters) and made for retrieval; it embeds the workspace in the background",
  };
  return best === undefined ? undefined : { model: best, reason: reasons[role] };
}

function placeHolderFor(role: ModelRole, recommendation: Recommendation | undefined): string {
  if (role === "guard") return "Llama Guard 3 1B is small and fast; the 8B guards judge better and need ~5 GB";
  if (role === "embedding") return "An embedding GGUF (BERT-family or a model with a pooling type)";
  if (recommendation === undefined) return "No catalog model fits this machine's memory; a small local GGUF file may.";
  if (role === "chat" && recommendation.chat === undefined) {
    return "No chat model fits beside the completion model in this memory: sharing the completion model keeps chat working, with weaker answers.";
  }
  return "The recommended model comes first";
}

async function resolvePick(
  models: ModelsContext,
  role: ModelRole,
  pick: Pick,
  completionPath: string | undefined,
): Promise<string | undefined> {
  switch (pick.kind) {
    case "shareCompletionModel":
      return completionPath === undefined ? undefined : "";
    case "localFile": {
      const uris = await vscode.window.showOpenDialog({
        canSelectMany: false,
        filters: { "GGUF models": ["gguf"] },
        title: `GGUF file for ${role}`,
      });
      const file = uris?.[0]?.fsPath;
      return file === undefined ? undefined : acceptFile(models, role, file);
    }
    case "catalog": {
      const target = models.pathOf(pick.model);
      if (existsSync(target)) return acceptFile(models, role, target);
      const download = `Download ${formatBytes(pick.model.sizeBytes)}`;
      const consent = await vscode.window.showInformationMessage(
        `Download ${pick.model.name} (${formatBytes(pick.model.sizeBytes)}, licence: ${pick.model.licence}) from huggingface.co into the extension's storage?`,
        { modal: true },
        download,
      );
      if (consent !== download) return undefined;
      const installed = await downloadWithProgress(models, pick.model);
      return installed === undefined ? undefined : acceptFile(models, role, installed);
    }
  }
}

/** A file that fails its check is never set: the user is told, and the previous model stays in use. */
async function acceptFile(models: ModelsContext, role: ModelRole, file: string): Promise<string | undefined> {
  const problem = await models.problemWith(file, role);
  if (problem === undefined) return file;
  models.log.warn(problem.message);
  if (!problem.canUseAnyway) {
    void vscode.window.showErrorMessage(`${problem.message} The previous model stays in use.`);
    return undefined;
  }
  const useAnyway = "Use It Anyway";
  const choice = await vscode.window.showWarningMessage(problem.message, { modal: true }, useAnyway);
  return choice === useAnyway ? file : undefined;
}
