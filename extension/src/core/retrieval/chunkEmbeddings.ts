// The chunks' embedding vectors, kept beside the keyword index, and the hybrid ranking that uses them. Each chunk's
// vector is in the VectorStore (unit length, 8 bits a component, searched in two passes); here is which chunk holds
// which vector, which chunks still wait for one, and the stored form: a short JSON header naming the chunks, then the
// vectors' bytes as they are in memory, since base64 in JSON cost a 768-wide model's workspace twice its size on disk
// and a parse of all of it on load.
import type { RankedChunk, RetrievalIndex } from "./retrievalIndex";
import { VectorStore, quantize } from "./vectorStore";

export { quantize, similarity } from "./vectorStore";

export interface ChunkSpan {
  startLine: number;
  endLine: number;
  symbols: string[];
  text: string;
}

interface EmbeddedSpan {
  path: string;
  startLine: number;
  endLine: number;
  /** Not stored: a loaded index gets them again when the next listing sets each file. */
  symbols: string[];
  /** Of the chunk's text: a chunk that moved but did not change keeps its vector. */
  hash: number;
  /** Its vector's slot in the store; undefined while it waits for one, `noVector` when it has none (no text). */
  slot: number | undefined;
}

/** A chunk whose text needs a vector. */
export interface PendingChunk {
  path: string;
  startLine: number;
  endLine: number;
  hash: number;
}

/** The stored form's header: each file's embedded chunks, with the slot of its vector in the bytes that follow. */
interface StoredHeader {
  /** The model the vectors came from: another model's vectors cannot be compared with its queries. */
  model: string;
  dimensions: number;
  /** Vectors in the bytes that follow, `dimensions` bytes each (a freed slot's too). */
  slots: number;
  files: Array<[path: string, chunks: Array<[startLine: number, endLine: number, hash: number, slot: number]>]>;
}

/**
 * "LAEV", then the format's version and the header's length (both 32-bit little-endian), the header (UTF-8 JSON) and
 * the vectors. Version 1 was JSON throughout: a file of it, or of any other version, is not read, and its chunks are
 * embedded again.
 */
const magic = [0x4c, 0x41, 0x45, 0x56];
const storedVersion = 2;
const prefixBytes = 12;
const noVector = -1;

/** 53-bit string hash (cyrb53): collisions between a chunk's old and new text are out of reach in practice. */
export function textHash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Reciprocal rank fusion's damping constant: 60, as in Cormack et al. (2009) and most hybrid search engines. */
export const fusionDamping = 60;

function chunkKey(chunk: Pick<RankedChunk, "path" | "startLine" | "endLine">): string {
  return `${chunk.path}\u0000${chunk.startLine}\u0000${chunk.endLine}`;
}

/**
 * Reciprocal rank fusion: each chunk scores the sum of 1 / (damping + rank) over the lists it is in (rank from 1), so
 * a chunk near the top of both rankings beats one at the top of only one, and neither ranking's raw scores (BM25's
 * unbounded ones, cosine's narrow band) need to be comparable. The fused score replaces the chunk's score.
 */
export function fuseRankings(
  rankings: ReadonlyArray<readonly RankedChunk[]>,
  limit: number,
  damping = fusionDamping,
): RankedChunk[] {
  const fused = new Map<string, RankedChunk>();
  for (const ranking of rankings) {
    ranking.forEach((chunk, index) => {
      const key = chunkKey(chunk);
      const score = 1 / (damping + index + 1);
      const existing = fused.get(key);
      if (existing) existing.score += score;
      else fused.set(key, { ...chunk, score });
    });
  }
  return [...fused.values()].sort((a, b) => b.score - a.score).slice(0, limit);
}

/** How deep each ranking goes before fusion: a chunk ranked lower by one adds little, whatever the other says. */
export const fusionDepth = 50;

/**
 * The chunks for a question: with the question's vector, BM25's ranking and the embeddings' fused; without it, or
 * before any chunk has a vector, BM25's alone.
 */
export function hybridRanking(
  index: RetrievalIndex,
  embeddings: ChunkEmbeddings,
  query: string,
  limit: number,
  vector?: ArrayLike<number>,
): RankedChunk[] {
  const nearest = vector === undefined ? [] : embeddings.nearest(vector, Math.max(limit, fusionDepth));
  return nearest.length === 0
    ? index.query(query, limit)
    : fuseRankings([index.query(query, Math.max(limit, fusionDepth)), nearest], limit);
}

export class ChunkEmbeddings {
  private readonly files = new Map<string, EmbeddedSpan[]>();
  private vectors = new VectorStore<EmbeddedSpan>();

  constructor(
    /** The model whose vectors these are; "" until one is known. */
    private modelId = "",
  ) {}

  get model(): string {
    return this.modelId;
  }

  /** A different model: every vector is dropped and every chunk waits for a new one. */
  useModel(model: string): void {
    if (model === this.modelId) return;
    this.modelId = model;
    this.vectors.clear();
    for (const spans of this.files.values()) for (const span of spans) span.slot = undefined;
  }

  /** A file's new chunks: those whose text is unchanged keep their vectors, the others wait for one. */
  setFile(path: string, chunks: readonly ChunkSpan[]): void {
    // By hash, the old chunks' slots; a text that is there twice has a vector for each copy.
    const previous = new Map<number, number[]>();
    for (const span of this.files.get(path) ?? []) {
      if (span.slot === undefined) continue;
      const slots = previous.get(span.hash);
      if (slots) slots.push(span.slot);
      else previous.set(span.hash, [span.slot]);
    }
    const spans = chunks.map((chunk): EmbeddedSpan => {
      const hash = textHash(chunk.text);
      const { startLine, endLine, symbols } = chunk;
      const span: EmbeddedSpan = { path, startLine, endLine, symbols, hash, slot: previous.get(hash)?.shift() };
      if (span.slot !== undefined && span.slot !== noVector) this.vectors.reassign(span.slot, span);
      return span;
    });
    for (const slots of previous.values()) for (const slot of slots) if (slot !== noVector) this.vectors.remove(slot);
    if (spans.length === 0) this.files.delete(path);
    else this.files.set(path, spans);
  }

  removeFile(path: string): void {
    for (const span of this.files.get(path) ?? [])
      if (span.slot !== undefined && span.slot !== noVector) this.vectors.remove(span.slot);
    this.files.delete(path);
  }

  /** Files not in `paths` go: the keyword index dropped them while no one was listening. */
  keepOnly(paths: ReadonlySet<string>): void {
    for (const path of [...this.files.keys()]) if (!paths.has(path)) this.removeFile(path);
  }

  /** How many chunks there are, and how many have a vector. */
  counts(): { chunks: number; embedded: number } {
    let chunks = 0;
    let embedded = 0;
    for (const spans of this.files.values()) {
      chunks += spans.length;
      for (const span of spans) if (span.slot !== undefined) embedded++;
    }
    return { chunks, embedded };
  }

  /** Up to `limit` chunks still without a vector, a file's chunks together (their text is read from one file). */
  pending(limit: number): PendingChunk[] {
    const found: PendingChunk[] = [];
    for (const [path, spans] of this.files) {
      for (const { startLine, endLine, hash, slot } of spans) {
        if (slot !== undefined) continue;
        found.push({ path, startLine, endLine, hash });
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  /**
   * Stores a chunk's vector; ignored when the chunk changed since it was handed out (its hash is gone). An empty
   * vector, or one of another width than the store's, leaves the chunk with none.
   */
  store(chunk: PendingChunk, vector: ArrayLike<number>): void {
    const span = this.files
      .get(chunk.path)
      ?.find((candidate) => candidate.hash === chunk.hash && candidate.slot === undefined);
    if (!span) return;
    const quantized = quantize(vector);
    span.slot = (quantized && this.vectors.add(quantized, span)) ?? noVector;
  }

  /** The chunks nearest to a query vector, best first; the score is the cosine similarity of the 8-bit vectors. */
  nearest(query: ArrayLike<number>, limit: number): RankedChunk[] {
    const target = quantize(query);
    return target ? this.vectors.nearest(target, limit).map(ranked) : [];
  }

  /** The same by a scan of every vector: what the bench and the tests hold nearest() to. */
  nearestExact(query: ArrayLike<number>, limit: number): RankedChunk[] {
    const target = quantize(query);
    return target ? this.vectors.nearestExact(target, limit).map(ranked) : [];
  }

  /** The stored form, in parts to be written one after the other: the vectors are not copied. */
  toStored(): Uint8Array[] {
    const files: StoredHeader["files"] = [];
    for (const [path, spans] of this.files) {
      const embedded = spans.filter((span) => span.slot !== undefined && span.slot !== noVector);
      if (embedded.length > 0)
        files.push([path, embedded.map((span) => [span.startLine, span.endLine, span.hash, span.slot as number])]);
    }
    const header: StoredHeader = {
      model: this.modelId,
      dimensions: this.vectors.dimensions,
      slots: this.vectors.slotCount,
      files,
    };
    const headerBytes = new TextEncoder().encode(JSON.stringify(header));
    const prefix = new Uint8Array(prefixBytes);
    prefix.set(magic);
    const view = new DataView(prefix.buffer);
    view.setUint32(4, storedVersion, true);
    view.setUint32(8, headerBytes.length, true);
    const vectors = this.vectors
      .storedVectors()
      .map((part) => new Uint8Array(part.buffer, part.byteOffset, part.length));
    return [prefix, headerBytes, ...vectors];
  }

  /**
   * Undefined for bytes this version did not write (an older version's store among them) or cut short. The vectors
   * stay where they are in `bytes`, which must not change after.
   */
  static fromStored(bytes: Uint8Array): ChunkEmbeddings | undefined {
    if (bytes.length < prefixBytes || magic.some((byte, index) => bytes[index] !== byte)) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    if (view.getUint32(4, true) !== storedVersion) return undefined;
    const headerEnd = prefixBytes + view.getUint32(8, true);
    if (headerEnd > bytes.length) return undefined;
    let header: StoredHeader;
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(prefixBytes, headerEnd))) as StoredHeader;
    } catch {
      return undefined;
    }
    const { model, dimensions, slots, files } = header;
    if (typeof model !== "string" || !Number.isInteger(dimensions) || !Number.isInteger(slots) || !Array.isArray(files))
      return undefined;
    if (bytes.length - headerEnd !== dimensions * slots) return undefined;
    const embeddings = new ChunkEmbeddings(model);
    const owners = new Array<EmbeddedSpan | undefined>(slots).fill(undefined);
    for (const [path, chunks] of files) {
      const spans = chunks.map(([startLine, endLine, hash, slot]): EmbeddedSpan => ({
        path,
        startLine,
        endLine,
        symbols: [],
        hash,
        slot,
      }));
      for (const span of spans) {
        const slot = span.slot as number;
        if (!Number.isInteger(slot) || slot < 0 || slot >= slots || owners[slot] !== undefined) return undefined;
        owners[slot] = span;
      }
      embeddings.files.set(path, spans);
    }
    const vectorBytes = bytes.subarray(headerEnd);
    embeddings.vectors = VectorStore.fromStored(
      dimensions,
      new Int8Array(vectorBytes.buffer, vectorBytes.byteOffset, vectorBytes.length),
      owners,
    );
    return embeddings;
  }
}

function ranked({ owner, score }: { owner: EmbeddedSpan; score: number }): RankedChunk {
  const { path, startLine, endLine, symbols } = owner;
  return { path, startLine, endLine, symbols, score };
}
