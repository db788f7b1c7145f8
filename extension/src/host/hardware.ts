// The hardware report for choosing models before any is loaded: which GPU backend llama.cpp would use, its free
// VRAM, and which GPU drivers exist (an NVIDIA driver without the CUDA binaries means "offer the CUDA download").
import { type LlamaGpuType, getLlama, getLlamaGpuTypes } from "node-llama-cpp";
import type { GpuSetting, HardwareReport } from "../core/protocol/host";
import { HostFailure, errorText } from "./failure";

function isGpu(type: LlamaGpuType): type is Exclude<LlamaGpuType, false> {
  return type !== false;
}

export async function hardwareReport(gpu: GpuSetting): Promise<HardwareReport> {
  let llama;
  try {
    llama = await getLlama({ gpu: gpu === "cpu" ? false : gpu, build: "never", logger: () => undefined });
  } catch (error) {
    throw new HostFailure("gpuUnavailable", `The "${gpu}" backend cannot be used on this machine: ${errorText(error)}`);
  }
  try {
    const vram = await llama.getVramState();
    return {
      gpu: {
        type: llama.gpu === false ? "cpu" : llama.gpu,
        names: llama.gpu === false ? [] : await llama.getGpuDeviceNames(),
        vramTotalBytes: vram.total,
        vramUsedBytes: vram.used,
      },
      vramFreeBytes: vram.free,
      availableGpuTypes: (await getLlamaGpuTypes("supported")).filter(isGpu),
      cpuMathCores: llama.cpuMathCores,
    };
  } finally {
    await llama.dispose();
  }
}
