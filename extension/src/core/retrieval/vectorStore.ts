// The chunks' embedding vectors held for search: unit vectors rounded to 8 bits, in a few large typed arrays rather
// than an array per chunk, so that 70,000 chunks of a 768-wide model take 51 MB plus 6.5 MB of sign bits, and a
// question is answered in two passes:
// - every vector's sign bits (one bit per dimension, 32 to a Uint32) against the question's, by Hamming distance,
// - then the few hundred nearest by that measure rescored exactly, by the dot product of their 8-bit vectors.
// Why two passes: at 70,000 x 768, npm run bench:retrieval measured (CPU time, on a loaded 2-core machine) 75 to 90 ms
// a question for the exact 8-bit scan, even as a tight loop over contiguous bytes (JavaScript has no SIMD: a multiply
// and an add per dimension), against 6 to 10 ms for the two passes: the Hamming pass does 32 dimensions per XOR and
// popcount, and rescoring 400 candidates is 0.3M multiplies. The sign bits keep the angle's order well enough that
// the nearest 50 by cosine lie within the nearest 400 by Hamming distance: the bench prints the exact scan's recall
// beside the two passes' (the same), and the unit tests compare them on clustered vectors. A store no larger than the
// rescoring depth is scanned exactly.

/** 8-bit scale of a unit vector's components: the dot product of two stored vectors is the cosine times 127². */
export const quantum = 127;

/**
 * Vectors live in blocks of this many slots: a store that grows never copies what it has (a doubling array of 51 MB
 * would hold 150 MB for a moment), and the scan is still a tight loop over long runs of contiguous bytes.
 */
const blockSlots = 2048;

/** How many candidates of the Hamming pass are rescored, at least; a store of this many vectors or fewer is scanned exactly. */
export const rescoreDepth = 400;
/** And at least this many per result asked for. */
const rescorePerResult = 8;

export interface ScoredOwner<T> {
  owner: T;
  /** The cosine similarity of the two 8-bit vectors. */
  score: number;
}

/** The vector scaled to unit length and rounded to 8 bits; undefined for an empty or all-zero vector. */
export function quantize(vector: ArrayLike<number>): Int8Array | undefined {
  let norm = 0;
  for (let index = 0; index < vector.length; index++) norm += vector[index] * vector[index];
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

/** Sets `words` words of `into` from `at` to the vector's sign bits: bit d is set when component d is positive. */
function writeSigns(vector: Int8Array, from: number, dimensions: number, into: Uint32Array, at: number): void {
  const words = Math.ceil(dimensions / 32);
  for (let word = 0; word < words; word++) {
    let bits = 0;
    const end = Math.min(dimensions, (word + 1) * 32);
    for (let dimension = word * 32; dimension < end; dimension++)
      if (vector[from + dimension] > 0) bits |= 1 << (dimension & 31);
    into[at + word] = bits >>> 0;
  }
}

/** Keeps the `limit` best (highest score, the earlier slot on a tie) of the slots offered, best first. */
class TopSlots {
  readonly slots: number[] = [];
  readonly scores: number[] = [];

  constructor(private readonly limit: number) {}

  offer(slot: number, score: number): void {
    const { slots, scores, limit } = this;
    if (slots.length === limit && score <= scores[slots.length - 1]) return;
    let at = slots.length;
    while (at > 0 && scores[at - 1] < score) at--;
    slots.splice(at, 0, slot);
    scores.splice(at, 0, score);
    if (slots.length > limit) {
      slots.pop();
      scores.pop();
    }
  }
}

export class VectorStore<T> {
  private width = 0;
  private words = 0;
  private vectorBlocks: Int8Array[] = [];
  private signBlocks: Uint32Array[] = [];
  /** Per slot, whose vector it holds; undefined for a free slot. */
  private owners: Array<T | undefined> = [];
  private readonly free: number[] = [];
  private used = 0;

  /** The vectors' width; 0 until the first vector sets it. */
  get dimensions(): number {
    return this.width;
  }

  get size(): number {
    return this.used;
  }

  /** Slots in use or freed, the highest first free slot: what toStored writes. */
  get slotCount(): number {
    return this.owners.length;
  }

  /** Stores a quantized vector; undefined when its width is not the store's. */
  add(vector: Int8Array, owner: T): number | undefined {
    if (this.width === 0) this.setWidth(vector.length);
    if (vector.length !== this.width || vector.length === 0) return undefined;
    const slot = this.free.pop() ?? this.owners.length;
    if (slot === this.owners.length) this.owners.push(owner);
    else this.owners[slot] = owner;
    const block = Math.floor(slot / blockSlots);
    if (block === this.vectorBlocks.length) {
      this.vectorBlocks.push(new Int8Array(blockSlots * this.width));
      this.signBlocks.push(new Uint32Array(blockSlots * this.words));
    }
    const local = slot % blockSlots;
    this.vectorBlocks[block].set(vector, local * this.width);
    writeSigns(vector, 0, this.width, this.signBlocks[block], local * this.words);
    this.used++;
    return slot;
  }

  /** The slot's vector now belongs to another owner (a chunk that moved but did not change). */
  reassign(slot: number, owner: T): void {
    this.owners[slot] = owner;
  }

  remove(slot: number): void {
    if (this.owners[slot] === undefined) return;
    this.owners[slot] = undefined;
    this.free.push(slot);
    this.used--;
  }

  /** Forgets every vector and the width, and gives the memory back. */
  clear(): void {
    this.width = 0;
    this.words = 0;
    this.vectorBlocks = [];
    this.signBlocks = [];
    this.owners = [];
    this.free.length = 0;
    this.used = 0;
  }

  private setWidth(width: number): void {
    this.width = width;
    this.words = Math.ceil(width / 32);
  }

  /**
   * The owners of the stored vectors nearest to a quantized query, best first: Hamming distance of the sign bits
   * chooses the candidates, the 8-bit dot product ranks them (see the top of this file). Exact when the store is small.
   */
  nearest(query: Int8Array, limit: number): Array<ScoredOwner<T>> {
    const depth = Math.max(rescoreDepth, limit * rescorePerResult);
    if (this.used <= depth) return this.nearestExact(query, limit);
    if (query.length !== this.width || limit <= 0) return [];
    const querySigns = new Uint32Array(this.words);
    writeSigns(query, 0, this.width, querySigns, 0);
    const candidates = this.hammingCandidates(querySigns, depth);
    const top = new TopSlots(limit);
    for (const slot of candidates) top.offer(slot, this.dot(query, slot));
    return this.scored(top);
  }

  /** The same by the 8-bit dot product of every stored vector: the reference the two passes are measured against. */
  nearestExact(query: Int8Array, limit: number): Array<ScoredOwner<T>> {
    if (query.length !== this.width || limit <= 0) return [];
    const top = new TopSlots(limit);
    const width = this.width;
    const owners = this.owners;
    for (let block = 0; block < this.vectorBlocks.length; block++) {
      const vectors = this.vectorBlocks[block];
      const first = block * blockSlots;
      const end = Math.min(blockSlots, owners.length - first);
      for (let local = 0; local < end; local++) {
        if (owners[first + local] === undefined) continue;
        const base = local * width;
        let dot = 0;
        for (let dimension = 0; dimension < width; dimension++) dot += query[dimension] * vectors[base + dimension];
        top.offer(first + local, dot);
      }
    }
    return this.scored(top);
  }

  /**
   * The `depth` slots whose sign bits differ least from the query's (more where several share the cut-off distance
   * and fewer than all of them fit: those first in slot order are kept). Distances are small integers, so a histogram
   * finds the cut-off in one more pass instead of a sort.
   */
  private hammingCandidates(querySigns: Uint32Array, depth: number): number[] {
    const words = this.words;
    const owners = this.owners;
    const distances = new Uint16Array(owners.length);
    const histogram = new Uint32Array(this.width + 2);
    const unused = this.width + 1;
    for (let block = 0; block < this.signBlocks.length; block++) {
      const signs = this.signBlocks[block];
      const first = block * blockSlots;
      const end = Math.min(blockSlots, owners.length - first);
      for (let local = 0; local < end; local++) {
        if (owners[first + local] === undefined) {
          distances[first + local] = unused;
          continue;
        }
        const base = local * words;
        let distance = 0;
        for (let word = 0; word < words; word++) {
          let bits = signs[base + word] ^ querySigns[word];
          bits = (bits - ((bits >>> 1) & 0x55555555)) | 0;
          bits = (bits & 0x33333333) + ((bits >>> 2) & 0x33333333);
          bits = (bits + (bits >>> 4)) & 0x0f0f0f0f;
          distance += Math.imul(bits, 0x01010101) >>> 24;
        }
        distances[first + local] = distance;
        histogram[distance]++;
      }
    }
    let cutoff = 0;
    let below = 0;
    while (cutoff < this.width && below + histogram[cutoff] < depth) below += histogram[cutoff++];
    let atCutoff = depth - below;
    const candidates: number[] = [];
    for (let slot = 0; slot < distances.length; slot++) {
      const distance = distances[slot];
      if (distance < cutoff) candidates.push(slot);
      else if (distance === cutoff && atCutoff > 0) {
        candidates.push(slot);
        atCutoff--;
      }
    }
    return candidates;
  }

  private dot(query: Int8Array, slot: number): number {
    const vectors = this.vectorBlocks[Math.floor(slot / blockSlots)];
    const base = (slot % blockSlots) * this.width;
    let dot = 0;
    for (let dimension = 0; dimension < this.width; dimension++) dot += query[dimension] * vectors[base + dimension];
    return dot;
  }

  private scored(top: TopSlots): Array<ScoredOwner<T>> {
    return top.slots.map((slot, index) => ({
      owner: this.owners[slot] as T,
      score: top.scores[index] / (quantum * quantum),
    }));
  }

  /** The vectors of slots 0 to slotCount - 1 in order (a freed slot's bytes too), as views: nothing is copied. */
  storedVectors(): Int8Array[] {
    const parts: Int8Array[] = [];
    for (let block = 0; block < this.vectorBlocks.length; block++) {
      const slots = Math.min(blockSlots, this.owners.length - block * blockSlots);
      parts.push(this.vectorBlocks[block].subarray(0, slots * this.width));
    }
    return parts;
  }

  /**
   * A store over `vectors` (what storedVectors wrote: `owners.length` slots of `width` bytes), the owners in slot
   * order with undefined for a free slot. The full blocks are views of `vectors`, which must not change after.
   */
  static fromStored<T>(width: number, vectors: Int8Array, owners: Array<T | undefined>): VectorStore<T> {
    const store = new VectorStore<T>();
    if (owners.length === 0 || width === 0) return store;
    store.setWidth(width);
    store.owners = owners;
    for (let first = 0; first < owners.length; first += blockSlots) {
      const slots = Math.min(blockSlots, owners.length - first);
      const bytes = vectors.subarray(first * width, (first + slots) * width);
      // The last block gets room for the slots still to come; a full block can stay where it was read.
      const block = slots === blockSlots ? bytes : new Int8Array(blockSlots * width);
      if (block !== bytes) block.set(bytes);
      const signs = new Uint32Array(blockSlots * store.words);
      for (let local = 0; local < slots; local++) writeSigns(block, local * width, width, signs, local * store.words);
      store.vectorBlocks.push(block);
      store.signBlocks.push(signs);
    }
    owners.forEach((owner, slot) => {
      if (owner === undefined) store.free.push(slot);
      else store.used++;
    });
    return store;
  }
}
