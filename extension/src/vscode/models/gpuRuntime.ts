import * as vscode from "vscode";
import path from "node:path";
import { fetchGpuRuntime } from "../../node/models/gpuRuntime";
import {
  type GpuRuntimeBackend,
  gpuRuntimeDownloads,
  gpuRuntimePackagesFor,
  runtimePlatform,
} from "../../core/models/gpuRuntimePackages";
import { ProgressThrottle } from "../../core/models/progress";
import type { ModelsContext } from "./modelsContext";
import { commandIds } from "../commandIds";

const registryUrl = "https://registry.npmjs.org";
const platform = runtimePlatform(process.platform, process.arch);

export function register(models: ModelsContext, extensionContext: vscode.ExtensionContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(commandIds.downloadCudaRuntime, () =>
      downloadGpuRuntime("cuda", models, extensionContext),
    ),
    vscode.commands.registerCommand(commandIds.downloadVulkanRuntime, () =>
      downloadGpuRuntime("vulkan", models, extensionContext),
    ),
  );
}

/** Fetches a GPU backend's binaries with the user's consent, then switches the host to it (which restarts it). */
async function downloadGpuRuntime(
  backend: GpuRuntimeBackend,
  models: ModelsContext,
  extensionContext: vscode.ExtensionContext,
): Promise<void> {
  const { label, approximateSize } = gpuRuntimeDownloads[backend];
  const packages = gpuRuntimePackagesFor(backend, platform);
  if (packages === undefined) {
    void vscode.window.showInformationMessage(`Llama Assist has no ${label} binaries to fetch for ${platform}.`);
    return;
  }
  const localCopy = models.settings.current.gpuRuntimeLocalCopy;
  const download = "Download";
  const consent = await vscode.window.showInformationMessage(
    localCopy === ""
      ? `Download node-llama-cpp's ${label} binaries (${approximateSize}, ${packages.map((pkg) => pkg.name).join(" and ")} ${packages[0].version}) from registry.npmjs.org?`
      : `Install node-llama-cpp's ${label} binaries from ${localCopy}?`,
    { modal: true, detail: "Each package is checked against its registry hash before it is used." },
    download,
  );
  if (consent !== download) return;
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Llama Assist: fetching the ${label} binaries`,
      cancellable: true,
    },
    (progress, token) => {
      const controller = new AbortController();
      const cancellation = token.onCancellationRequested(() => controller.abort());
      let throttle = new ProgressThrottle(300);
      let current = "";
      return fetchGpuRuntime({
        registryUrl,
        packages,
        // node-llama-cpp resolves its binary packages from its own folder: the extension's node_modules.
        directory: extensionContext.extensionPath,
        downloadDirectory: path.join(extensionContext.globalStorageUri.fsPath, "downloads"),
        localTarballDirectory: localCopy === "" ? undefined : localCopy,
        signal: controller.signal,
        onProgress: (name, receivedBytes, totalBytes) => {
          if (name !== current) {
            current = name;
            throttle = new ProgressThrottle(300);
          }
          // The bar covers all packages: each package's percentage is its share of it.
          const report = throttle.update({ receivedBytes, totalBytes });
          if (report !== undefined)
            progress.report({ increment: report.increment / packages.length, message: `${name}: ${report.message}` });
        },
      }).finally(() => cancellation.dispose());
    },
  );
  switch (result.kind) {
    case "installed":
      models.log.info(`${label} binaries installed: ${result.packageDirectories.join(", ")}.`);
      await vscode.workspace.getConfiguration("llamaAssist").update("gpu", backend, vscode.ConfigurationTarget.Global);
      return;
    case "cancelled":
      void vscode.window.showInformationMessage(`The ${label} download is paused; run the command again to resume it.`);
      return;
    case "failed":
      models.log.error(result.message);
      void vscode.window.showErrorMessage(
        `${result.message}${result.code === "offline" ? " On an offline machine, set llamaAssist.gpuRuntime.localCopy to a folder with the packages' .tgz files." : ""}`,
      );
      return;
  }
}
