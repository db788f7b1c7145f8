import assert from "node:assert/strict";
import { builtInCatalog } from "../../../extension/src/core/models/catalog";
import type { ModelInfo } from "../../../extension/src/core/protocol/host";
import {
  assessModel,
  memoryNeededBytes,
  recommend,
  withOwnModelsFreed,
  type Hardware,
} from "../../../extension/src/core/models/recommend";

const gib = 1024 ** 3;
const noGpu: Hardware["gpu"] = { type: "cpu", names: [], vramTotalBytes: 0, vramFreeBytes: 0 };
const models = builtInCatalog().models;
const byId = (id: string) => {
  const model = models.find((entry) => entry.id === id);
  if (model === undefined) throw new Error(id);
  return model;
};

interface Row {
  profile: string;
  hardware: Hardware;
  completion: string;
  /** undefined: no chat model fits beside the completion model. */
  chat: string | undefined;
  placement: "gpu" | "cpu";
  reason: RegExp;
}

const table: Row[] = [
  {
    profile: "CPU only, 4 GB RAM, 2 cores",
    hardware: { ramBytes: 4 * gib, cpuCores: 2, gpu: noGpu },
    completion: "qwen2.5-coder-0.5b-q8_0",
    chat: undefined,
    placement: "cpu",
    reason: /runs on the CPU in 4 GB RAM with an 8k context; no chat model fits beside it in this memory/,
  },
  {
    profile: "CPU only, 8 GB RAM, 4 cores",
    hardware: { ramBytes: 8 * gib, cpuCores: 4, gpu: noGpu },
    completion: "qwen2.5-coder-0.5b-q8_0",
    chat: "qwen2.5-coder-3b-instruct-q4_k_m",
    placement: "cpu",
    reason: /runs on the CPU in 8 GB RAM with an 8k context/,
  },
  {
    profile: "NVIDIA, 6 GB VRAM (5.6 free), 16 GB RAM",
    hardware: {
      ramBytes: 16 * gib,
      cpuCores: 8,
      gpu: { type: "cuda", names: ["RTX 3060 Laptop"], vramTotalBytes: 6 * gib, vramFreeBytes: 5.6 * gib },
    },
    completion: "qwen2.5-coder-1.5b-q8_0",
    chat: "qwen2.5-coder-3b-instruct-q4_k_m",
    placement: "gpu",
    reason: /fits 6 GB VRAM with an 8k context, fully offloaded/,
  },
  {
    profile: "NVIDIA, 24 GB VRAM (23 free), 64 GB RAM",
    hardware: {
      ramBytes: 64 * gib,
      cpuCores: 16,
      gpu: { type: "cuda", names: ["RTX 4090"], vramTotalBytes: 24 * gib, vramFreeBytes: 23 * gib },
    },
    completion: "qwen2.5-coder-7b-q8_0",
    chat: "llama-3.1-8b-instruct-q4_k_m",
    placement: "gpu",
    reason: /fits 24 GB VRAM with an 8k context, fully offloaded/,
  },
  {
    profile: "Apple M2, 16 GB unified memory",
    hardware: {
      ramBytes: 16 * gib,
      cpuCores: 8,
      gpu: { type: "metal", names: ["Apple M2"], vramTotalBytes: 10.7 * gib, vramFreeBytes: 10.7 * gib },
    },
    completion: "qwen2.5-coder-3b-q8_0",
    chat: "llama-3.1-8b-instruct-q4_k_m",
    placement: "gpu",
    reason: /fits 16 GB unified memory with an 8k context, fully on the GPU/,
  },
  {
    profile: "Apple M1, 8 GB unified memory",
    hardware: {
      ramBytes: 8 * gib,
      cpuCores: 8,
      gpu: { type: "metal", names: ["Apple M1"], vramTotalBytes: 5.3 * gib, vramFreeBytes: 5.3 * gib },
    },
    completion: "qwen2.5-coder-1.5b-q8_0",
    chat: "qwen2.5-coder-3b-instruct-q4_k_m",
    placement: "gpu",
    reason: /fits 8 GB unified memory/,
  },
];

describe("model recommendation", function () {
  for (const row of table) {
    it(`${row.profile}: ${row.completion} for completion, ${row.chat ?? "no model"} for chat`, function () {
      const recommendation = recommend(models, row.hardware);
      assert.ok(recommendation !== undefined);
      assert.equal(recommendation.completion.model.id, row.completion);
      assert.equal(recommendation.chat?.model.id, row.chat);
      assert.equal(recommendation.shared, false);
      assert.equal(recommendation.completion.placement.kind, row.placement);
      if (recommendation.chat !== undefined) assert.equal(recommendation.chat.placement.kind, row.placement);
      assert.match(recommendation.completion.reason, row.reason);
    });
  }

  it("the recommended pair fits the memory it was given", function () {
    for (const row of table) {
      const recommendation = recommend(models, row.hardware);
      assert.ok(recommendation !== undefined);
      const { completion, chat, contextSize } = recommendation;
      const need =
        memoryNeededBytes(completion.model, contextSize) +
        (chat === undefined ? 0 : memoryNeededBytes(chat.model, contextSize));
      const available =
        row.hardware.gpu.type === "cpu"
          ? row.hardware.ramBytes / 2
          : row.hardware.gpu.type === "metal"
            ? row.hardware.ramBytes * 0.65
            : row.hardware.gpu.vramFreeBytes;
      assert.ok(
        need <= available,
        `${row.profile}: ${(need / gib).toFixed(1)} GiB > ${(available / gib).toFixed(1)} GiB`,
      );
    }
  });

  it("one model serves both roles, and says so, when two do not fit", function () {
    const recommendation = recommend(models, { ramBytes: 4 * gib, cpuCores: 8, gpu: noGpu });
    assert.ok(recommendation !== undefined);
    assert.equal(recommendation.shared, true);
    assert.equal(recommendation.completion.model, recommendation.chat?.model);
    assert.ok(
      recommendation.completion.model.roles.includes("completion") &&
        recommendation.completion.model.roles.includes("chat"),
    );
    assert.match(recommendation.chat?.reason ?? "", /one model for completion and chat/);
  });

  it("a machine that holds only the smallest completion model gets it, at the largest context that fits", function () {
    // 1.5 GiB of RAM for models (half of 3 GiB): the 0.5B model fits even at 8k, no chat model fits beside it, and
    // a 2-core CPU is too slow for a shared 1.5B model on every keystroke.
    const recommendation = recommend(models, { ramBytes: 3 * gib, cpuCores: 2, gpu: noGpu });
    assert.ok(recommendation !== undefined);
    assert.equal(recommendation.completion.model.id, "qwen2.5-coder-0.5b-q8_0");
    assert.equal(recommendation.chat, undefined);
    assert.equal(recommendation.contextSize, 8192);
    const tight = recommend(models, { ramBytes: 1.7 * gib, cpuCores: 2, gpu: noGpu });
    assert.ok(tight !== undefined);
    assert.equal(tight.completion.model.id, "qwen2.5-coder-0.5b-q8_0");
    assert.ok(tight.contextSize < 8192, `context ${tight.contextSize}`);
  });

  it("recommends nothing on a machine too small for any model", function () {
    assert.equal(recommend(models, { ramBytes: 1 * gib, cpuCores: 2, gpu: noGpu }), undefined);
  });

  it("labels models for the quick pick: fits, partially offloaded, slow on the CPU, too large", function () {
    const sixGb: Hardware = {
      ramBytes: 16 * gib,
      cpuCores: 8,
      gpu: { type: "cuda", names: [], vramTotalBytes: 6 * gib, vramFreeBytes: 5.6 * gib },
    };
    assert.equal(assessModel(byId("qwen2.5-coder-1.5b-q8_0"), "completion", sixGb, 8192).fit, "fits");
    const partial = assessModel(byId("qwen2.5-coder-7b-q8_0"), "completion", sixGb, 8192);
    assert.equal(partial.fit, "partial");
    assert.match(partial.detail, /partially offloaded.*\d+ of 28 layers on the GPU/);
    const cpu: Hardware = { ramBytes: 32 * gib, cpuCores: 4, gpu: noGpu };
    assert.equal(assessModel(byId("qwen2.5-coder-7b-q8_0"), "completion", cpu, 8192).fit, "slow");
    const small: Hardware = { ramBytes: 8 * gib, cpuCores: 4, gpu: noGpu };
    const tooLarge = assessModel(byId("qwen2.5-coder-7b-q8_0"), "completion", small, 8192);
    assert.equal(tooLarge.fit, "tooLarge");
    assert.match(tooLarge.detail, /too large: needs about \d+\.\d GB/);
  });

  it("needs more memory for a longer context", function () {
    const model = byId("llama-3.1-8b-instruct-q4_k_m");
    assert.equal(memoryNeededBytes(model, 8192) - memoryNeededBytes(model, 4096), 4096 * model.kvBytesPerToken);
  });

  it("counts the VRAM our own running models hold as free, once per distinct model", function () {
    const hardware: Hardware = {
      ramBytes: 32 * gib,
      cpuCores: 8,
      gpu: { type: "cuda", names: [], vramTotalBytes: 12 * gib, vramFreeBytes: 4 * gib },
    };
    const model = (path: string, offloadedLayers: number): ModelInfo => ({
      path,
      name: path,
      architecture: "qwen2",
      sizeBytes: 4 * gib,
      trainContextSize: 32768,
      contextSize: 4096,
      layers: 28,
      offloadedLayers,
      fillInTheMiddle: true,
      chatWrapper: "ChatML",
    });
    const gpu = { type: "cuda" as const, names: [], vramTotalBytes: 12 * gib, vramUsedBytes: 8 * gib };
    const shared = withOwnModelsFreed(hardware, {
      gpu,
      threads: 8,
      completionModel: model("/a", 28),
      chatModel: model("/a", 28),
    });
    assert.equal(shared.gpu.vramFreeBytes, 8 * gib);
    const halfOffloaded = withOwnModelsFreed(hardware, {
      gpu,
      threads: 8,
      completionModel: model("/a", 28),
      chatModel: model("/b", 14),
    });
    assert.equal(halfOffloaded.gpu.vramFreeBytes, 10 * gib);
    assert.equal(withOwnModelsFreed(hardware, undefined), hardware);
  });
});
