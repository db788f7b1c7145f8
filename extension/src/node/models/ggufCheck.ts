// A structural check of a GGUF file (header, metadata, tensor table, file length) that reads only the header, so a
// downloaded or chosen file that llama.cpp would refuse, or crash on, is caught with a specific message first.
// Layout reference: ggml's gguf.h (v2/v3): magic, version, tensor count, metadata count, key-values, tensor infos,
// padding to `general.alignment`, tensor data.
import { open, type FileHandle } from "node:fs/promises";

export type GgufProblem = "notGguf" | "unsupportedVersion" | "corrupt" | "truncated";

export interface GgufSummary {
  version: number;
  architecture: string;
  name: string;
  tensorCount: number;
  /** Bytes the file must have: the tensor data's end. */
  expectedBytes: number;
  fileBytes: number;
  /** Whether the vocabulary has fill-in-the-middle prefix and suffix tokens (needed for completion). */
  fillInTheMiddle: boolean;
  contextLength?: number;
  blockCount?: number;
}

export type GgufCheck = { ok: true; summary: GgufSummary } | { ok: false; problem: GgufProblem; message: string };

/** Block size (values) and bytes per block of each ggml tensor type, from ggml.c's type_traits. */
const tensorTypes: ReadonlyMap<number, readonly [number, number]> = new Map([
  [0, [1, 4]],
  [1, [1, 2]],
  [2, [32, 18]],
  [3, [32, 20]],
  [6, [32, 22]],
  [7, [32, 24]],
  [8, [32, 34]],
  [9, [32, 36]],
  [10, [256, 84]],
  [11, [256, 110]],
  [12, [256, 144]],
  [13, [256, 176]],
  [14, [256, 210]],
  [15, [256, 292]],
  [16, [256, 66]],
  [17, [256, 74]],
  [18, [256, 98]],
  [19, [256, 50]],
  [20, [32, 18]],
  [21, [256, 110]],
  [22, [256, 82]],
  [23, [256, 136]],
  [24, [1, 1]],
  [25, [1, 2]],
  [26, [1, 4]],
  [27, [1, 8]],
  [28, [1, 8]],
  [29, [256, 56]],
  [30, [1, 2]],
  [34, [256, 54]],
  [35, [256, 66]],
  [39, [32, 17]],
]);

const scalarBytes: ReadonlyMap<number, number> = new Map([
  [0, 1],
  [1, 1],
  [2, 2],
  [3, 2],
  [4, 4],
  [5, 4],
  [6, 4],
  [7, 1],
  [10, 8],
  [11, 8],
  [12, 8],
]);
const stringType = 8;
const arrayType = 9;

/** Token texts by which llama.cpp recognises FIM tokens when the fim_* keys are missing. */
const fimPrefixTexts = new Set(["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<PRE>", "▁<PRE>", "<|fim▁begin|>"]);
const fimSuffixTexts = new Set(["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<SUF>", "▁<SUF>", "<|fim▁hole|>"]);

class Malformed extends Error {
  constructor(
    readonly problem: GgufProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Reads forward through the file in chunks; the header of a real model (its vocabulary) can be several MB. */
class HeaderReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly fileBytes: number,
  ) {}

  private async need(count: number): Promise<Buffer> {
    if (this.position + count > this.fileBytes) {
      throw new Malformed(
        "truncated",
        `the header ends early (needs byte ${this.position + count}, the file has ${this.fileBytes})`,
      );
    }
    const offset = this.position - this.bufferStart;
    if (offset + count > this.buffer.length) {
      const length = Math.min(Math.max(count, 1 << 20), this.fileBytes - this.position);
      const next = Buffer.alloc(length);
      const { bytesRead } = await this.handle.read(next, 0, length, this.position);
      if (bytesRead < count) throw new Malformed("truncated", "the file ended while its header was read");
      this.buffer = next.subarray(0, bytesRead);
      this.bufferStart = this.position;
    }
    const start = this.position - this.bufferStart;
    this.position += count;
    return this.buffer.subarray(start, start + count);
  }

  async u32(): Promise<number> {
    return (await this.need(4)).readUInt32LE(0);
  }

  async u64(): Promise<number> {
    const value = (await this.need(8)).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Malformed("corrupt", `a 64-bit count is implausibly large (${value})`);
    return Number(value);
  }

  async string(): Promise<string> {
    const length = await this.u64();
    if (length > this.fileBytes)
      throw new Malformed("corrupt", `a string claims ${length} bytes, more than the file holds`);
    return (await this.need(length)).toString("utf8");
  }

  async skip(count: number): Promise<void> {
    if (this.position + count > this.fileBytes) await this.need(count);
    this.position += count;
  }

  /** Reads a scalar metadata value as a number (integers and floats), for the few keys the check needs. */
  async scalar(type: number): Promise<number | undefined> {
    const size = scalarBytes.get(type);
    if (size === undefined) throw new Malformed("corrupt", `unknown metadata value type ${type}`);
    const bytes = await this.need(size);
    switch (type) {
      case 4:
        return bytes.readUInt32LE(0);
      case 5:
        return bytes.readInt32LE(0);
      case 10:
        return Number(bytes.readBigUInt64LE(0));
      default:
        return undefined;
    }
  }
}

/** `displayName` names the file in messages when `filePath` is a temporary name (a download's partial file). */
export async function checkGgufFile(filePath: string, displayName = filePath): Promise<GgufCheck> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, "r");
  } catch (error) {
    return { ok: false, problem: "notGguf", message: `${displayName} cannot be opened (${(error as Error).message}).` };
  }
  try {
    const { size } = await handle.stat();
    return { ok: true, summary: await readStructure(new HeaderReader(handle, size)) };
  } catch (error) {
    if (error instanceof Malformed)
      return { ok: false, problem: error.problem, message: describeProblem(displayName, error) };
    throw error;
  } finally {
    await handle.close();
  }
}

function describeProblem(filePath: string, error: Malformed): string {
  switch (error.problem) {
    case "notGguf":
      return `${filePath} is not a GGUF model file: ${error.message}. Choose a .gguf file (for example from a "-GGUF" repository on Hugging Face).`;
    case "unsupportedVersion":
      return `${filePath} uses an old or unknown GGUF version: ${error.message}. Download a current GGUF build of the model.`;
    case "truncated":
      return `${filePath} is incomplete: ${error.message}. Download it again.`;
    case "corrupt":
      return `${filePath} is damaged: ${error.message}. Download it again.`;
  }
}

async function readStructure(reader: HeaderReader): Promise<GgufSummary> {
  if (reader.fileBytes < 4) throw new Malformed("notGguf", "it is shorter than a GGUF header");
  const magic = (await reader.u32()) === 0x46554747;
  if (!magic) throw new Malformed("notGguf", 'it does not start with "GGUF"');
  const version = await reader.u32();
  if (version !== 2 && version !== 3)
    throw new Malformed("unsupportedVersion", `version ${version}; llama.cpp reads versions 2 and 3`);
  const tensorCount = await reader.u64();
  const metadataCount = await reader.u64();
  // Each entry takes at least a few bytes, so counts beyond the file size can only be damage.
  if (tensorCount > reader.fileBytes / 8 || metadataCount > reader.fileBytes / 8) {
    throw new Malformed("corrupt", `implausible counts (${tensorCount} tensors, ${metadataCount} metadata entries)`);
  }

  const texts = new Map<string, string>();
  const numbers = new Map<string, number>();
  let hasFimPrefix = false;
  let hasFimSuffix = false;
  for (let index = 0; index < metadataCount; index++) {
    const key = await reader.string();
    const type = await reader.u32();
    if (type === stringType) {
      texts.set(key, await reader.string());
    } else if (type === arrayType) {
      const itemType = await reader.u32();
      const count = await reader.u64();
      if (count > reader.fileBytes) throw new Malformed("corrupt", `the array ${key} claims ${count} items`);
      if (itemType === stringType) {
        const isVocabulary = key === "tokenizer.ggml.tokens";
        for (let item = 0; item < count; item++) {
          const text = await reader.string();
          if (isVocabulary) {
            hasFimPrefix ||= fimPrefixTexts.has(text);
            hasFimSuffix ||= fimSuffixTexts.has(text);
          }
        }
      } else {
        const size = scalarBytes.get(itemType);
        if (size === undefined)
          throw new Malformed("corrupt", `the array ${key} has items of unknown type ${itemType}`);
        await reader.skip(size * count);
      }
    } else {
      const value = await reader.scalar(type);
      if (value !== undefined) numbers.set(key, value);
    }
  }

  const architecture = texts.get("general.architecture") ?? "";
  if (architecture === "") throw new Malformed("corrupt", "it has no general.architecture key");
  const alignment = numbers.get("general.alignment") ?? 32;
  if (alignment === 0 || alignment % 8 !== 0) throw new Malformed("corrupt", `general.alignment is ${alignment}`);

  let dataBytes = 0;
  for (let index = 0; index < tensorCount; index++) {
    const name = await reader.string();
    const dimensionCount = await reader.u32();
    if (dimensionCount < 1 || dimensionCount > 4)
      throw new Malformed("corrupt", `tensor ${name} has ${dimensionCount} dimensions`);
    let elements = 1;
    const firstDimension = await reader.u64();
    elements *= firstDimension;
    for (let dimension = 1; dimension < dimensionCount; dimension++) elements *= await reader.u64();
    const typeId = await reader.u32();
    const offset = await reader.u64();
    const traits = tensorTypes.get(typeId);
    if (traits === undefined) throw new Malformed("corrupt", `tensor ${name} has an unknown type ${typeId}`);
    const [blockValues, blockBytes] = traits;
    if (firstDimension % blockValues !== 0)
      throw new Malformed("corrupt", `tensor ${name}'s rows do not fill whole blocks of its type`);
    if (offset % alignment !== 0)
      throw new Malformed("corrupt", `tensor ${name}'s data offset ${offset} is not aligned`);
    dataBytes = Math.max(dataBytes, offset + (elements / blockValues) * blockBytes);
  }
  const dataStart = Math.ceil(reader.position / alignment) * alignment;
  const expectedBytes = dataStart + dataBytes;
  if (reader.fileBytes < expectedBytes) {
    throw new Malformed("truncated", `its tensors need ${expectedBytes} bytes but the file has ${reader.fileBytes}`);
  }

  const hasFimKeys =
    (numbers.has("tokenizer.ggml.fim_pre_token_id") || numbers.has("tokenizer.ggml.prefix_token_id")) &&
    (numbers.has("tokenizer.ggml.fim_suf_token_id") || numbers.has("tokenizer.ggml.suffix_token_id"));
  return {
    version,
    architecture,
    name: texts.get("general.name") ?? "",
    tensorCount,
    expectedBytes,
    fileBytes: reader.fileBytes,
    fillInTheMiddle: hasFimKeys || (hasFimPrefix && hasFimSuffix),
    contextLength: numbers.get(`${architecture}.context_length`),
    blockCount: numbers.get(`${architecture}.block_count`),
  };
}
