import { cpus } from "node:os";
import * as vscode from "vscode";
import { backendLabel } from "../../core/host/hostStatus";
import { gpuRuntimeDownloads, gpuRuntimePackagesFor, runtimePlatform } from "../../core/models/gpuRuntimePackages";
import { formatBytes } from "../../core/models/progress";
import type { ModelsContext } from "./modelsContext";
import { commandIds } from "../commandIds";

export const walkthroughId = "llama-assist.llama-assist#llamaAssist.getStarted";

const sampleCode = [
  "# Llama Assist sample: put the cursor at the end of the function body and wait for the grey ghost text,",
  "# or press Alt+\\ to ask for one. Tab accepts it.",
  "",
  "def fibonacci(n: int) -> int:",
  '    """Return the n-th Fibonacci number."""',
  "    ",
  "",
].join("\n");

export function register(models: ModelsContext): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(commandIds.openWalkthrough, () =>
      vscode.commands.executeCommand("workbench.action.openWalkthrough", walkthroughId, false),
    ),
    vscode.commands.registerCommand(commandIds.detectHardware, () => showHardware(models)),
    vscode.commands.registerCommand(commandIds.openSampleFile, openSampleFile),
  );
}

async function showHardware(models: ModelsContext): Promise<void> {
  models.forgetHardware();
  try {
    const { hardware, report } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Llama Assist: detecting the hardware…" },
      () => models.detectHardware(),
    );
    const gpu =
      report.gpu.type === "cpu"
        ? "no usable GPU backend, the CPU runs the models"
        : `${backendLabel(report.gpu)}${report.gpu.names.length > 0 ? ` on ${report.gpu.names.join(", ")}` : ""}, ${formatBytes(report.vramFreeBytes)} VRAM free`;
    // CUDA beats Vulkan on an NVIDIA card, and either beats the CPU; both are separate downloads.
    const platform = runtimePlatform(process.platform, process.arch);
    const unused = (["cuda", "vulkan"] as const).find(
      (backend) =>
        report.availableGpuTypes.includes(backend) &&
        (backend === "cuda" ? report.gpu.type !== "cuda" : report.gpu.type === "cpu") &&
        gpuRuntimePackagesFor(backend, platform) !== undefined,
    );
    const unusedLabel = unused === undefined ? "" : gpuRuntimeDownloads[unused].label;
    const present = unused === "cuda" ? "An NVIDIA GPU" : "A Vulkan driver";
    const downloadHint =
      unused === undefined
        ? ""
        : ` ${present} is present but ${unusedLabel} is not in use: its binaries are a separate download.`;
    // The processor's name, from this process: the extension runs on the machine the host runs on.
    const cpuName = cpus()[0]?.model.trim();
    const cpu = `${cpuName ? `${cpuName} CPU` : "CPU"} (${hardware.cpuCores} math cores)`;
    const summary = `${formatBytes(hardware.ramBytes)} RAM, ${cpu}, ${gpu}.${downloadHint}`;
    models.log.info(`Hardware: ${summary}`);
    const choose = "Choose Models…";
    const download = `Download ${unusedLabel} Binaries…`;
    const choice = await vscode.window.showInformationMessage(
      `Llama Assist found: ${summary}`,
      ...(unused === undefined ? [] : [download]),
      choose,
    );
    if (choice === choose) await vscode.commands.executeCommand(commandIds.chooseModels);
    if (choice === download)
      await vscode.commands.executeCommand(
        unused === "vulkan" ? commandIds.downloadVulkanRuntime : commandIds.downloadCudaRuntime,
      );
  } catch (error) {
    void vscode.window.showErrorMessage(`Llama Assist could not detect the hardware: ${(error as Error).message}`);
  }
}

async function openSampleFile(): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language: "python", content: sampleCode });
  const editor = await vscode.window.showTextDocument(document);
  const line = document.lineAt(5);
  editor.selection = new vscode.Selection(line.range.end, line.range.end);
}
