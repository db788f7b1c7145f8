// Hardware-aware model choice: which catalog models fit this machine, where they run, and which pair to recommend.
// Estimates are deliberately simple (weights + f16 KV cache + a compute allowance); the host's own load is the
// final word, and it names an out-of-memory refusal.
import type { HostInfo } from "../protocol/host";
import type { CatalogModel, ModelRole } from "./catalog";

export interface Hardware {
  ramBytes: number;
  cpuCores: number;
  gpu: {
    type: "cuda" | "vulkan" | "metal" | "cpu";
    names: readonly string[];
    vramTotalBytes: number;
    vramFreeBytes: number;
  };
}

export type Placement =
  { kind: "gpu" } | { kind: "partial"; gpuLayers: number } | { kind: "cpu" } | { kind: "tooLarge" };

export interface RoleChoice {
  model: CatalogModel;
  placement: Placement;
  /** Why this model, for the quick pick: "fits 8 GB VRAM with an 8k context, fully offloaded". */
  reason: string;
}

export interface Recommendation {
  contextSize: number;
  completion: RoleChoice;
  /**
   * Undefined when no chat model fits beside the completion model (and none can serve both roles at a usable speed):
   * ghost text, used on every keystroke, is worth more than a chat that would not fit.
   */
  chat: RoleChoice | undefined;
  /** One model serves both roles, loaded once, because memory does not allow two. */
  shared: boolean;
}

export type Fit = "fits" | "partial" | "slow" | "tooLarge";

export interface Assessment {
  fit: Fit;
  placement: Placement;
  detail: string;
}

const gib = 1024 ** 3;
const mib = 1024 ** 2;
/** Recommendation tries these context sizes, largest first, and takes the first that gives both roles a model. */
export const candidateContextSizes: readonly number[] = [8192, 4096, 2048];
/** VRAM kept free for the desktop and the driver. */
const vramReserveBytes = 512 * mib;
/** Share of RAM a model may take when it runs on the CPU: the editor and everything else need the rest. */
const ramShare = 0.5;
/** Share of unified memory macOS lets the GPU wire (recommendedMaxWorkingSetSize is about two thirds to three quarters). */
const unifiedGpuShare = 0.65;
/** A model split below this share of its layers on the GPU runs at about CPU speed. */
const usefulOffloadShare = 0.5;

/**
 * The probe runs beside our own host, whose models hold VRAM that a new choice would free: count their offloaded
 * weights as free, or the recommendation shrinks every time it is asked.
 */
export function withOwnModelsFreed(hardware: Hardware, running: HostInfo | undefined): Hardware {
  if (running === undefined || hardware.gpu.type === "cpu") return hardware;
  const models =
    running.chatModel.path === running.completionModel.path
      ? [running.completionModel]
      : [running.completionModel, running.chatModel];
  const held = models.reduce(
    (sum, model) => sum + (model.layers > 0 ? (model.sizeBytes * model.offloadedLayers) / model.layers : 0),
    0,
  );
  const vramFreeBytes = Math.min(hardware.gpu.vramTotalBytes, hardware.gpu.vramFreeBytes + held);
  return { ...hardware, gpu: { ...hardware.gpu, vramFreeBytes } };
}

/** Memory a model needs with a given context: weights, f16 KV cache, and an allowance for compute buffers. */
export function memoryNeededBytes(model: CatalogModel, contextSize: number): number {
  return model.sizeBytes + model.kvBytesPerToken * contextSize + 256 * mib + 0.05 * model.sizeBytes;
}

/** On the CPU, generation speed falls with model size; these keep completion responsive and chat readable. */
function cpuParameterCap(role: ModelRole, hardware: Hardware): number {
  const manyCores = hardware.cpuCores >= 8;
  if (role === "completion") return manyCores ? 1.5 : 0.5;
  return manyCores ? 8 : 3.2;
}

interface Budget {
  gpu: number;
  ram: number;
  unified: boolean;
}

function budgetOf(hardware: Hardware): Budget {
  switch (hardware.gpu.type) {
    case "metal":
      return { gpu: hardware.ramBytes * unifiedGpuShare, ram: 0, unified: true };
    case "cpu":
      return { gpu: 0, ram: hardware.ramBytes * ramShare, unified: false };
    default:
      return {
        gpu: Math.max(0, hardware.gpu.vramFreeBytes - vramReserveBytes),
        ram: hardware.ramBytes * ramShare,
        unified: false,
      };
  }
}

/** Places one model in what is left of the budget and returns the placement and the budget after it. */
function place(model: CatalogModel, contextSize: number, budget: Budget): { placement: Placement; left: Budget } {
  const need = memoryNeededBytes(model, contextSize);
  if (need <= budget.gpu) return { placement: { kind: "gpu" }, left: { ...budget, gpu: budget.gpu - need } };
  if (budget.gpu > 0 && !budget.unified && need - budget.gpu <= budget.ram) {
    const gpuLayers = Math.floor((model.layers * budget.gpu) / need);
    if (gpuLayers > 0) {
      return {
        placement: { kind: "partial", gpuLayers },
        left: { ...budget, gpu: 0, ram: budget.ram - (need - budget.gpu) },
      };
    }
  }
  if (need <= budget.ram) return { placement: { kind: "cpu" }, left: { ...budget, ram: budget.ram - need } };
  return { placement: { kind: "tooLarge" }, left: budget };
}

function runsAtCpuSpeed(model: CatalogModel, placement: Placement): boolean {
  return (
    placement.kind === "cpu" ||
    (placement.kind === "partial" && placement.gpuLayers < model.layers * usefulOffloadShare)
  );
}

/** How good a model is for a role where it was placed; 0 means "do not recommend". */
function value(model: CatalogModel, role: ModelRole, placement: Placement, hardware: Hardware): number {
  const preference = model.preference[role];
  if (preference === undefined || placement.kind === "tooLarge") return 0;
  const slow = runsAtCpuSpeed(model, placement);
  if (slow && model.parametersBillions > cpuParameterCap(role, hardware)) return 0;
  // With a GPU present, a model at CPU speed wastes it; a CPU-only machine has no better place.
  if (slow) return hardware.gpu.type === "cpu" ? preference : preference * 0.35;
  return placement.kind === "partial" ? preference * 0.6 : preference;
}

function gigabytes(bytes: number): string {
  return `${Math.round(bytes / gib)} GB`;
}

/** "an 8k context", "a 4k context". */
function contextPhrase(contextSize: number): string {
  const label = contextSize >= 1024 ? `${Math.round(contextSize / 1024)}k` : String(contextSize);
  return `${/^(8|11|18)/.test(label) ? "an" : "a"} ${label} context`;
}

export function describePlacement(
  model: CatalogModel,
  placement: Placement,
  hardware: Hardware,
  contextSize: number,
): string {
  const context = `with ${contextPhrase(contextSize)}`;
  switch (placement.kind) {
    case "gpu":
      return hardware.gpu.type === "metal"
        ? `fits ${gigabytes(hardware.ramBytes)} unified memory ${context}, fully on the GPU`
        : `fits ${gigabytes(hardware.gpu.vramTotalBytes)} VRAM ${context}, fully offloaded`;
    case "partial":
      return `partially offloaded ${context}: ${placement.gpuLayers} of ${model.layers} layers on the GPU, the rest in RAM`;
    case "cpu":
      return `runs on the CPU in ${gigabytes(hardware.ramBytes)} RAM ${context}`;
    case "tooLarge":
      return `too large: needs about ${(memoryNeededBytes(model, contextSize) / gib).toFixed(1)} GB ${context}`;
  }
}

/** How one model alone would run on this machine in a role, for the quick pick's labels. */
export function assessModel(model: CatalogModel, role: ModelRole, hardware: Hardware, contextSize: number): Assessment {
  const { placement } = place(model, contextSize, budgetOf(hardware));
  const detail = describePlacement(model, placement, hardware, contextSize);
  if (placement.kind === "tooLarge") return { fit: "tooLarge", placement, detail };
  if (value(model, role, placement, hardware) === 0)
    return { fit: "slow", placement, detail: `${detail}; slow on this CPU` };
  return { fit: placement.kind === "partial" ? "partial" : "fits", placement, detail };
}

interface Plan {
  completion: { model: CatalogModel; placement: Placement };
  chat: { model: CatalogModel; placement: Placement } | undefined;
  score: number;
}

function bestPlan(
  models: readonly CatalogModel[],
  hardware: Hardware,
  contextSize: number,
  withChat: boolean,
): Plan | undefined {
  const budget = budgetOf(hardware);
  let best: Plan | undefined;
  const consider = (plan: Plan): void => {
    if (plan.score > 0 && (best === undefined || plan.score > best.score)) best = plan;
  };
  for (const completionModel of models.filter((model) => model.roles.includes("completion"))) {
    // Completion is placed first: its latency is what the user feels on every keystroke.
    const first = place(completionModel, contextSize, budget);
    const completionValue = value(completionModel, "completion", first.placement, hardware);
    if (completionValue === 0) continue;
    const completion = { model: completionModel, placement: first.placement };
    if (!withChat) {
      consider({ completion, chat: undefined, score: completionValue });
      continue;
    }
    if (completionModel.roles.includes("chat")) {
      const chatValue = value(completionModel, "chat", first.placement, hardware);
      // A shared model counts a little less than two good ones, so it wins only when two do not fit.
      if (chatValue > 0) consider({ completion, chat: completion, score: (completionValue + chatValue) * 0.9 });
    }
    for (const chatModel of models.filter((model) => model !== completionModel && model.roles.includes("chat"))) {
      const second = place(chatModel, contextSize, first.left);
      const chatValue = value(chatModel, "chat", second.placement, hardware);
      if (chatValue > 0)
        consider({
          completion,
          chat: { model: chatModel, placement: second.placement },
          score: completionValue + chatValue,
        });
    }
  }
  return best;
}

/**
 * The recommended completion and chat models for this machine: both roles at the largest context that allows them,
 * else the completion model alone, else undefined when nothing in the catalog fits.
 */
export function recommend(models: readonly CatalogModel[], hardware: Hardware): Recommendation | undefined {
  for (const withChat of [true, false]) {
    for (const contextSize of candidateContextSizes) {
      const plan = bestPlan(models, hardware, contextSize, withChat);
      if (plan !== undefined) return recommendationOf(plan, hardware, contextSize);
    }
  }
  return undefined;
}

function recommendationOf(plan: Plan, hardware: Hardware, contextSize: number): Recommendation {
  const shared = plan.completion.model === plan.chat?.model;
  const note =
    plan.chat === undefined
      ? "; no chat model fits beside it in this memory"
      : shared
        ? "; one model for completion and chat, as memory does not allow two"
        : "";
  const choice = (part: NonNullable<Plan["chat"]>): RoleChoice => ({
    ...part,
    reason: `${describePlacement(part.model, part.placement, hardware, contextSize)}${note}`,
  });
  return {
    contextSize,
    completion: choice(plan.completion),
    chat: plan.chat === undefined ? undefined : choice(plan.chat),
    shared,
  };
}
