import type { GpuInfo, HostError, HostInfo, HostState } from "../protocol/host";

export interface StatusPresentation {
  text: string;
  tooltip: string;
  isError: boolean;
}

const backendLabels: Record<GpuInfo["type"], string> = { cuda: "CUDA", vulkan: "Vulkan", metal: "Metal", cpu: "CPU" };

export function backendLabel(gpu: GpuInfo): string {
  return backendLabels[gpu.type];
}

function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 1048576).toLocaleString("en-US")} MiB`;
}

/** A multi-line, user-facing description of a ready host, shared by the tooltip, the command and the view. */
export function describeHost(info: HostInfo): string[] {
  const lines = [
    `Backend: ${backendLabel(info.gpu)}${info.gpu.names.length > 0 ? ` (${info.gpu.names.join(", ")})` : ""}`,
  ];
  const { fallback } = info.gpu;
  if (fallback !== undefined) {
    lines.push(
      `${backendLabels[fallback.requested]} was asked for but could not be used, so the host runs on ${backendLabel(info.gpu)}. ${fallback.reason}.`,
    );
  }
  if (info.gpu.type !== "cpu") {
    lines.push(`VRAM: ${mebibytes(info.gpu.vramUsedBytes)} used of ${mebibytes(info.gpu.vramTotalBytes)}`);
  }
  lines.push(`Threads: ${info.threads}`);
  const models =
    info.chatModel.path === info.completionModel.path ? [info.completionModel] : [info.completionModel, info.chatModel];
  for (const model of models) {
    const role = models.length === 1 ? "Model" : model === info.completionModel ? "Completion model" : "Chat model";
    lines.push(
      `${role}: ${model.name} (${model.architecture}, ${mebibytes(model.sizeBytes)})`,
      `  layers on GPU: ${model.offloadedLayers}/${model.layers}, context: ${model.contextSize} of ${model.trainContextSize} tokens`,
      `  fill-in-the-middle: ${model.fillInTheMiddle ? "yes" : "no (prefix-only completion)"}, chat format: ${model.chatWrapper}`,
    );
    // The maker's own words about the file: a demo or test model says here that it is one.
    if (model.description !== undefined) lines.push(`  about: ${model.description}`);
  }
  return lines;
}

/** Why the models the settings name are not the ones in use, for a host that kept its previous models. */
export function describeFailedChange(error: HostError): string {
  return `The new model settings did not load, so the previous model stays in use. ${error.message}`;
}

export function presentHostState(state: HostState, modelConfigured: boolean): StatusPresentation {
  if (!modelConfigured) {
    return {
      text: "$(circle-slash) Llama Assist: choose a model",
      tooltip:
        "No model is set. Click to open the Get Started walkthrough: it detects your hardware and recommends models that fit.",
      isError: false,
    };
  }
  switch (state.phase) {
    case "stopped":
      return {
        text: "$(circle-outline) Llama Assist",
        tooltip: "The inference host starts with the first code file.",
        isError: false,
      };
    case "starting":
      return {
        text: "$(loading~spin) Llama Assist: starting",
        tooltip: "Starting the inference host…",
        isError: false,
      };
    case "loading": {
      const percent = Math.round(state.progress * 100);
      return {
        text: `$(loading~spin) Llama Assist: loading ${percent}%`,
        tooltip: `Loading the model: ${percent}%`,
        isError: false,
      };
    }
    case "ready": {
      // A fallback is flagged where it is seen: a GPU that is silently unused is what users complain of most, and a
      // model change that did not take must not pass for one that did.
      const flagged = state.info.gpu.fallback !== undefined || state.failedChange !== undefined;
      return {
        text: `${flagged ? "$(warning)" : "$(sparkle)"} ${state.info.completionModel.name} · ${backendLabel(state.info.gpu)}`,
        tooltip: [
          ...(state.failedChange === undefined ? [] : [describeFailedChange(state.failedChange)]),
          ...describeHost(state.info),
        ].join("\n"),
        isError: false,
      };
    }
    case "error": {
      const retry = state.restartInMs === undefined ? "" : ` Restarting in ${Math.ceil(state.restartInMs / 1000)} s.`;
      return {
        text: "$(error) Llama Assist: error",
        tooltip: `${state.error.message}${retry}\nClick to open the log.`,
        isError: true,
      };
    }
  }
}
