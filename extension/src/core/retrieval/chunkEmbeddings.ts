// The chunks' embedding vectors, kept beside the keyword index, and the hybrid ranking that uses them. Vectors are
// unit length and stored as 8-bit integers: a 768-wide vector takes 768 bytes, so 100,000 chunks take ~75 MB, and the
// dot product of two stored vectors still orders chunks as the cosine similarity of the floats does (to ~1%).
import type { RankedChunk } from "./retrievalIndex";

export interface ChunkSpan {
  startLine: number;
  endLine: number;
  symbols: string[];
  text: string;
}

interface EmbeddedSpan {
  startLine: number;
  endLine: number;
  /** Not stored: a loaded index gets them again when the next listing sets each file. */
  symbols: string[];
  /** Of the chunk's text: a chunk that moved but did not change keeps its vector. */
  hash: number;
  vector: Int8Array | undefined;
}

/** A chunk whose text needs a vector. */
export interface PendingChunk {
  path: string;
  startLine: number;
  endLine: number;
  hash: number;
}

export interface StoredChunkEmbeddings {
  version: typeof storedVersion;
  /** The model the vectors came from: another model's vectors cannot be compared with its queries. */
  model: string;
  files: Record<string, Array<[startLine: number, endLine: number, hash: number, vector: string]>>;
}

const storedVersion = 1;
const quantum = 127;

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

/** The vector scaled to unit length and rounded to 8 bits; undefined for an empty or all-zero vector. */
export function quantize(vector: readonly number[]): Int8Array | undefined {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (!(norm > 0)) return undefined;
  const quantized = new Int8Array(vector.length);
  for (let index = 0; index < vector.length; index++) quantized[index] = Math.round((vector[index] / norm) * quantum);
  return quantized;
}

/** The cosine similarity of two quantized unit vectors (0 for vectors of different widths). */
export function similarity(a: Int8Array, b: Int8Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  for (let index = 0; index < a.length; index++) dot += a[index] * b[index];
  return dot / (quantum * quantum);
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

/** Keeps the `limit` best of a stream of scored items without sorting them all. */
function topByScore<T extends { score: number }>(items: Iterable<T>, limit: number): T[] {
  const best: T[] = [];
  for (const item of items) {
    if (best.length === limit && item.score <= best[best.length - 1].score) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].score < item.score) at--;
    best.splice(at, 0, item);
    if (best.length > limit) best.pop();
  }
  return best;
}

export class ChunkEmbeddings {
  private readonly files = new Map<string, EmbeddedSpan[]>();

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
    for (const spans of this.files.values()) for (const span of spans) span.vector = undefined;
  }

  /** A file's new chunks: those whose text is unchanged keep their vectors, the others wait for one. */
  setFile(path: string, chunks: readonly ChunkSpan[]): void {
    const previous = new Map<number, Int8Array>();
    for (const span of this.files.get(path) ?? []) if (span.vector) previous.set(span.hash, span.vector);
    const spans = chunks.map((chunk): EmbeddedSpan => {
      const hash = textHash(chunk.text);
      const { startLine, endLine, symbols } = chunk;
      return { startLine, endLine, symbols, hash, vector: previous.get(hash) };
    });
    if (spans.length === 0) this.files.delete(path);
    else this.files.set(path, spans);
  }

  removeFile(path: string): void {
    this.files.delete(path);
  }

  /** Files not in `paths` go: the keyword index dropped them while no one was listening. */
  keepOnly(paths: ReadonlySet<string>): void {
    for (const path of [...this.files.keys()]) if (!paths.has(path)) this.files.delete(path);
  }

  /** How many chunks there are, and how many have a vector. */
  counts(): { chunks: number; embedded: number } {
    let chunks = 0;
    let embedded = 0;
    for (const spans of this.files.values()) {
      chunks += spans.length;
      for (const span of spans) if (span.vector) embedded++;
    }
    return { chunks, embedded };
  }

  /** Up to `limit` chunks still without a vector, a file's chunks together (their text is read from one file). */
  pending(limit: number): PendingChunk[] {
    const found: PendingChunk[] = [];
    for (const [path, spans] of this.files) {
      for (const { startLine, endLine, hash, vector } of spans) {
        if (vector) continue;
        found.push({ path, startLine, endLine, hash });
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  /** Stores a chunk's vector; ignored when the chunk changed since it was handed out (its hash is gone). */
  store(chunk: PendingChunk, vector: readonly number[]): void {
    const span = this.files.get(chunk.path)?.find((candidate) => candidate.hash === chunk.hash && !candidate.vector);
    if (span) span.vector = quantize(vector) ?? new Int8Array(0);
  }

  /** The chunks nearest to a query vector, best first; the score is the cosine similarity. */
  nearest(query: readonly number[], limit: number): RankedChunk[] {
    const target = quantize(query);
    if (!target) return [];
    const scored = function* (files: Map<string, EmbeddedSpan[]>) {
      for (const [path, spans] of files) {
        for (const span of spans) {
          if (span.vector && span.vector.length === target.length)
            yield {
              path,
              startLine: span.startLine,
              endLine: span.endLine,
              symbols: span.symbols,
              score: similarity(target, span.vector),
            };
        }
      }
    };
    return topByScore(scored(this.files), limit);
  }

  toStored(): StoredChunkEmbeddings {
    const files: StoredChunkEmbeddings["files"] = {};
    for (const [path, spans] of this.files) {
      const embedded = spans.filter((span) => span.vector && span.vector.length > 0);
      if (embedded.length === 0) continue;
      files[path] = embedded.map((span) => [
        span.startLine,
        span.endLine,
        span.hash,
        Buffer.from(span.vector as Int8Array).toString("base64"),
      ]);
    }
    return { version: storedVersion, model: this.modelId, files };
  }

  /** Undefined for data this version did not write. */
  static fromStored(value: unknown): ChunkEmbeddings | undefined {
    if (typeof value !== "object" || value === null) return undefined;
    const stored = value as Partial<StoredChunkEmbeddings>;
    if (stored.version !== storedVersion || typeof stored.model !== "string" || typeof stored.files !== "object")
      return undefined;
    const embeddings = new ChunkEmbeddings(stored.model);
    for (const [path, spans] of Object.entries(stored.files ?? {})) {
      if (!Array.isArray(spans)) return undefined;
      embeddings.files.set(
        path,
        spans.map(([startLine, endLine, hash, vector]) => {
          const bytes = Buffer.from(vector, "base64");
          const vectorBytes = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
          return { startLine, endLine, symbols: [], hash, vector: vectorBytes };
        }),
      );
    }
    return embeddings;
  }
}
