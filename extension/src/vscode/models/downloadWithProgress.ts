import * as vscode from "vscode";
import type { CatalogModel } from "../../core/models/catalog";
import { downloadModel } from "../../node/models/modelDownload";
import { ProgressThrottle, formatBytes } from "../../core/models/progress";
import type { ModelsContext } from "./modelsContext";
import { commandIds } from "../commandIds";

/** Progress notifications update at most this often: a download reports thousands of chunks. */
const progressIntervalMs = 300;
const inFlight = new Map<string, Promise<string | undefined>>();

/**
 * Downloads a catalog model with a cancellable progress notification. Returns the installed path, or undefined when
 * the download was cancelled or failed (the user has been told; a partial file is kept for a resume).
 */
export function downloadWithProgress(models: ModelsContext, model: CatalogModel): Promise<string | undefined> {
  const running = inFlight.get(model.fileName);
  if (running !== undefined) return running;
  const download = run(models, model).finally(() => inFlight.delete(model.fileName));
  inFlight.set(model.fileName, download);
  return download;
}

async function run(models: ModelsContext, model: CatalogModel): Promise<string | undefined> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${model.name}`, cancellable: true },
    (progress, token) => {
      const controller = new AbortController();
      const cancellation = token.onCancellationRequested(() => controller.abort());
      const throttle = new ProgressThrottle(progressIntervalMs);
      return downloadModel({
        url: model.url,
        directory: models.modelsDirectory,
        fileName: model.fileName,
        approximateSizeBytes: model.sizeBytes,
        sha256: model.sha256,
        signal: controller.signal,
        workerScript: models.downloadWorker,
        onProgress: (receivedBytes, totalBytes) => {
          const report = throttle.update({ receivedBytes, totalBytes });
          if (report !== undefined) progress.report({ increment: report.increment, message: report.message });
        },
      }).finally(() => cancellation.dispose());
    },
  );
  switch (result.kind) {
    case "installed":
      models.log.info(`Installed ${model.name} at ${result.path} (${formatBytes(result.summary.fileBytes)}).`);
      return result.path;
    case "cancelled":
      models.log.info(`Download of ${model.name} paused after ${formatBytes(result.receivedBytes)}.`);
      void vscode.window.showInformationMessage(
        `Download of ${model.name} paused. Choose it again to resume where it stopped.`,
      );
      return undefined;
    case "failed": {
      models.log.error(result.message);
      const useLocal = "Use a Local GGUF File…";
      const choice = await vscode.window.showErrorMessage(
        result.message,
        ...(result.code === "offline" ? [useLocal] : []),
      );
      if (choice === useLocal) await vscode.commands.executeCommand(commandIds.chooseModels);
      return undefined;
    }
  }
}
