import assert from "node:assert/strict";
import { describeHost, presentHostState } from "../../../extension/src/core/host/hostStatus";
import type { HostInfo, ModelInfo } from "../../../extension/src/core/protocol/host";

const model: ModelInfo = {
  path: "/models/qwen.gguf",
  name: "Qwen2.5 Coder 0.5B",
  architecture: "qwen2",
  sizeBytes: 530 * 1048576,
  trainContextSize: 32768,
  contextSize: 4096,
  layers: 24,
  offloadedLayers: 0,
  fillInTheMiddle: true,
  chatWrapper: "QwenChatWrapper",
};
const cpuInfo: HostInfo = {
  gpu: { type: "cpu", names: [], vramTotalBytes: 0, vramUsedBytes: 0 },
  threads: 2,
  completionModel: model,
  chatModel: model,
};

describe("host status presentation", () => {
  it("shows the model name and the backend when ready", () => {
    const shown = presentHostState({ phase: "ready", info: cpuInfo }, true);
    assert.equal(shown.text, "$(sparkle) Qwen2.5 Coder 0.5B · CPU");
    assert.equal(shown.isError, false);
  });

  it("names CUDA and the VRAM for a GPU host", () => {
    const info: HostInfo = {
      ...cpuInfo,
      gpu: { type: "cuda", names: ["NVIDIA H100"], vramTotalBytes: 80 * 2 ** 30, vramUsedBytes: 2 ** 30 },
      completionModel: { ...model, offloadedLayers: 24 },
      chatModel: { ...model, offloadedLayers: 24 },
    };
    assert.match(presentHostState({ phase: "ready", info }, true).text, /· CUDA$/);
    const lines = describeHost(info);
    assert.ok(lines.includes("Backend: CUDA (NVIDIA H100)"));
    assert.ok(lines.includes("VRAM: 1,024 MiB used of 81,920 MiB"));
    assert.ok(lines.some((line) => line.includes("layers on GPU: 24/24")));
  });

  it("lists both models when chat uses its own file", () => {
    const info: HostInfo = { ...cpuInfo, chatModel: { ...model, path: "/models/chat.gguf", name: "Llama 3.1 8B" } };
    const lines = describeHost(info);
    assert.ok(lines.some((line) => line.startsWith("Completion model: Qwen2.5 Coder 0.5B")));
    assert.ok(lines.some((line) => line.startsWith("Chat model: Llama 3.1 8B")));
  });

  it("flags a host that fell back from the GPU the settings ask for, and says why", () => {
    const reason =
      'The "cuda" backend cannot be used on this machine: its llama.cpp binaries are missing or do not load on this system (no driver?)';
    const info: HostInfo = { ...cpuInfo, gpu: { ...cpuInfo.gpu, fallback: { requested: "cuda", reason } } };
    const shown = presentHostState({ phase: "ready", info }, true);
    assert.equal(shown.text, "$(warning) Qwen2.5 Coder 0.5B · CPU");
    assert.ok(
      shown.tooltip
        .split("\n")
        .includes(`CUDA was asked for but could not be used, so the host runs on CPU. ${reason}.`),
      shown.tooltip,
    );
  });

  it("flags a model change that did not load, names the model still in use, and says why", () => {
    const failedChange = {
      code: "unsupportedArchitecture" as const,
      message: 'The model architecture "mamba9" of /models/new.gguf is not supported by this llama.cpp build.',
    };
    const shown = presentHostState({ phase: "ready", info: cpuInfo, failedChange }, true);
    assert.equal(shown.text, "$(warning) Qwen2.5 Coder 0.5B · CPU");
    assert.equal(shown.isError, false);
    const lines = shown.tooltip.split("\n");
    assert.equal(
      lines[0],
      `The new model settings did not load, so the previous model stays in use. ${failedChange.message}`,
    );
    assert.ok(
      lines.some((line) => line.startsWith("Model: Qwen2.5 Coder 0.5B")),
      shown.tooltip,
    );
  });

  it("shows what the model file says about itself, so a demo model is labelled as one", () => {
    const demo: ModelInfo = {
      ...model,
      name: "Llama Assist DEMO model (scripted)",
      description: "A scripted demo model: plumbing, not intelligence.",
    };
    const shown = presentHostState(
      { phase: "ready", info: { ...cpuInfo, completionModel: demo, chatModel: demo } },
      true,
    );
    assert.equal(shown.text, "$(sparkle) Llama Assist DEMO model (scripted) · CPU");
    assert.match(shown.tooltip, /^ {2}about: A scripted demo model: plumbing, not intelligence\.$/m);
    assert.ok(
      !describeHost(cpuInfo).some((line) => line.includes("about:")),
      "a model without a description gets no line",
    );
  });

  it("shows loading progress as a percentage", () => {
    assert.equal(
      presentHostState({ phase: "loading", progress: 0.426 }, true).text,
      "$(loading~spin) Llama Assist: loading 43%",
    );
  });

  it("marks errors and says when it retries", () => {
    const shown = presentHostState(
      { phase: "error", error: { code: "hostCrashed", message: "The host crashed." }, restartInMs: 1500 },
      true,
    );
    assert.equal(shown.isError, true);
    assert.match(shown.tooltip, /The host crashed\. Restarting in 2 s\./);
  });

  it("asks for a model before anything else", () => {
    assert.match(presentHostState({ phase: "stopped" }, false).text, /Llama Assist: choose a model$/);
  });
});
