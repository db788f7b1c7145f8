// Checks a model file before llama.cpp sees it, so that the common mistakes get a specific, actionable error
// instead of whatever llama.cpp prints (or a crash).
import { open, stat } from "node:fs/promises";
import { readGgufFileInfo } from "node-llama-cpp";
import { HostFailure, errorText } from "./failure";

const ggufMagic = "GGUF";

export interface CheckedModelFile {
  sizeBytes: number;
  architecture: string;
}

export async function checkModelFile(modelPath: string): Promise<CheckedModelFile> {
  const stats = await stat(modelPath).catch(() => undefined);
  if (stats === undefined || !stats.isFile()) {
    throw new HostFailure("modelNotFound", `Model file not found: ${modelPath}`);
  }
  const magic = await readMagic(modelPath);
  if (magic !== ggufMagic) {
    throw new HostFailure("notGguf", `Not a GGUF model file (it does not start with "GGUF"): ${modelPath}`);
  }
  let architecture: string;
  try {
    const info = await readGgufFileInfo(modelPath, {
      readTensorInfo: false,
      logWarnings: false,
      sourceType: "filesystem",
    });
    architecture = String(info.metadata.general?.architecture ?? "");
  } catch (error) {
    throw new HostFailure(
      "corruptModel",
      `The GGUF header of ${modelPath} cannot be read (${errorText(error)}); the file may be truncated or damaged.`,
    );
  }
  // Whether llama.cpp knows the architecture only llama.cpp can tell: classifyLoadError names its refusal.
  return { sizeBytes: stats.size, architecture };
}

async function readMagic(modelPath: string): Promise<string> {
  const handle = await open(modelPath, "r");
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await handle.close();
  }
}

/** Names a failure of llama.cpp's own load after checkModelFile passed. */
export function classifyLoadError(
  modelPath: string,
  architecture: string,
  error: unknown,
  nativeLog: string,
): HostFailure {
  if (error instanceof HostFailure) return error;
  const text = [errorText(error), nativeLog].filter((part) => part !== "").join(": ");
  if (/unknown model architecture|unsupported model architecture/i.test(text)) {
    return new HostFailure(
      "unsupportedArchitecture",
      `The model architecture "${architecture}" of ${modelPath} is not supported by this llama.cpp build (${text}). Choose a model of another architecture ("Llama Assist: Choose Models" lists ones that run), or update Llama Assist.`,
    );
  }
  if (/out of memory|failed to allocate|cannot allocate|insufficient memory|too large for the available/i.test(text)) {
    return new HostFailure(
      "outOfMemory",
      `Not enough memory to load ${modelPath}: ${text} Choose a smaller model or context size.`,
    );
  }
  return new HostFailure(
    "corruptModel",
    `llama.cpp could not load ${modelPath} (${text}); the file may be truncated or damaged.`,
  );
}
