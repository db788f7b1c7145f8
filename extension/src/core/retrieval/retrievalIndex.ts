// The workspace's chunks ranked by BM25 (MiniSearch), with code-aware terms: a chunk's symbol names and its file's
// path words weigh more than its body. Only where each chunk is lives here, not its text: the text is read from the
// file when the chunk is retrieved, which keeps a 10,000-file workspace's index small.
import MiniSearch, { type AsPlainObject } from "minisearch";
import type { Chunk } from "./chunks";
import { codeWords, searchTerm } from "./codeTokens";

export interface IndexedChunk {
  /** The file's absolute POSIX path. */
  path: string;
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  symbols: string[];
}

export interface RankedChunk extends IndexedChunk {
  score: number;
}

interface ChunkDocument {
  id: number;
  symbols: string;
  path: string;
  text: string;
}

/** What the index stores on disk between sessions. */
export interface StoredRetrievalIndex {
  version: typeof storedVersion;
  search: AsPlainObject;
  chunks: Array<[id: number, path: string, startLine: number, endLine: number, symbols: string[]]>;
  /** Terms whose text postings were dropped as too common (ChunkSearch.dropCommonText). */
  commonTextTerms: string[];
  /**
   * Per file, how many of its chunks hold each dropped term in their text: pairs of an index into `commonTextTerms`
   * and a count. What keeps the dropped terms' chunk counts exact as files change.
   */
  commonTextCounts: Array<[path: string, counts: number[]]>;
  /** The chunk count when common terms were last looked for. */
  checkedAt: number;
}

const storedVersion = 3;

/** `commonText`: the terms no longer indexed in chunk text. */
function searchOptions(commonText: ReadonlySet<string>) {
  return {
    fields: ["symbols", "path", "text"],
    // A chunk's text comes cut into terms already (textTerms): only the other fields are cut here.
    tokenize: (text: string, field?: string) => (field === "text" ? text.split(" ") : codeWords(text)),
    processTerm: (term: string, field?: string) =>
      field !== "text" ? searchTerm(term) : commonText.has(term) ? null : term,
    searchOptions: { boost: { symbols: 3, path: 2 }, combineWith: "OR" as const },
  };
}

/**
 * In a workspace of at least `minChunksToDrop` chunks, a term in the text of more than `commonTextShare` of them
 * ("function", "return", "self") ranks nothing and would hold a large part of the index's memory: its text postings
 * are dropped, and it is no longer indexed in chunk text (symbol names and paths keep it).
 *
 * The index is kept across sessions and updated file by file, so the drop must stay right as files change. Dropped
 * postings cannot be recomputed without the chunks' text, which the index does not keep: rather than a rebuild when
 * the chunk count has moved, the index counts exactly, per file, the chunks whose text holds each dropped term (a few
 * numbers per file), so it always knows each dropped term's document frequency. A dropped term that has become rare
 * again is restored by indexing anew the files that hold it (restoreRareTerms). Restoring costs those files' parse,
 * so it waits until the term is in at most `restoreShare` of the chunks (below it a query uses the term again:
 * commonTermShare), or the workspace has shrunk well under `minChunksToDrop`: a term near the line does not go back
 * and forth. New common terms are looked for whenever the chunk count has moved by `recheckShare` since the last
 * look, not after every file (a look is a pass over every term); a term that grows common in between only costs
 * memory until the next look.
 */
const commonTextShare = 0.5;
const minChunksToDrop = 5_000;
const restoreShare = 0.2;
const restoreBelowChunks = 4_000;
const recheckShare = 0.25;

/**
 * A question's words that are in more than this share of the chunks say little about which chunk answers it, and each
 * costs a pass over all of those chunks: they are left out of the query, the rarest few excepted.
 */
const commonTermShare = 0.2;
/** The rarest terms a query keeps even when all of them are common. */
const minQueryTerms = 2;
const maxQueryTerms = 16;
/**
 * A query's time goes into scoring each (term, field, chunk) posting of its terms, one to two microseconds each: past
 * the rarest two, terms are taken rarest first while their postings stay within this many. A workspace of a few
 * thousand chunks never comes near it; on 70,000 it keeps a query's CPU time near 10 ms.
 */
const maxScannedPostings = 8_000;

/** MiniSearch with its terms' frequencies readable: the query leaves out the most common terms. */
class ChunkSearch extends MiniSearch<ChunkDocument> {
  /**
   * Drops the text postings of the terms in more than `limit` chunks' text; returns those terms, each with the ids of
   * the chunks that held it. Postings of discarded chunks wait for MiniSearch's vacuum: they are not counted.
   */
  dropCommonText(limit: number): Array<{ term: string; chunkIds: number[] }> {
    const textField = this._fieldIds.text;
    const common: Array<{ term: string; chunkIds: number[] }> = [];
    for (const [term, fields] of this._index) {
      const postings = fields.get(textField);
      if (postings === undefined || postings.size <= limit) continue;
      const chunkIds: number[] = [];
      for (const shortId of postings.keys()) {
        const id: unknown = this._documentIds.get(shortId);
        if (typeof id === "number") chunkIds.push(id);
      }
      if (chunkIds.length > limit) common.push({ term, chunkIds });
    }
    for (const { term } of common) {
      const fields = this._index.get(term);
      fields?.delete(textField);
      if (fields?.size === 0) this._index.delete(term);
    }
    return common;
  }

  /**
   * `documents`: the chunks with the term in one field at most (`atLeast` for a term known to be more common than its
   * postings say); `postings`: in all fields, the query's cost.
   */
  frequencies(term: string, atLeast: number): { documents: number; postings: number } {
    let documents = atLeast;
    let postings = 0;
    for (const inField of this._index.get(term)?.values() ?? []) {
      documents = Math.max(documents, inField.size);
      postings += inField.size;
    }
    return { documents, postings };
  }
}

/** The words of a workspace-relative path, without the extension: "src/auth/tokenStore.ts" gives "src auth tokenStore". */
function pathWords(relativePath: string): string {
  return relativePath.replace(/\.[^./]+$/, "").replace(/[/\\.-]+/g, " ");
}

/**
 * A chunk's text as the terms the index keeps of it, space-separated. Its own symbol names' terms are left out: the
 * symbols field holds them, weighted up, and a second copy in the text field would cost as much memory again.
 */
function textTerms(text: string, symbols: string): string[] {
  const own = new Set(codeWords(symbols).map(searchTerm));
  const terms: string[] = [];
  for (const word of codeWords(text)) {
    const term = searchTerm(word);
    if (term !== null && !own.has(term)) terms.push(term);
  }
  return terms;
}

export class RetrievalIndex {
  private readonly search: ChunkSearch;
  /**
   * Where each chunk is, by its id (MiniSearch's document id): its file's path (one string per file, shared by its
   * chunks), its first and last line in `lines`, and its symbol names joined by newlines. Ids of removed chunks are
   * used again. Tens of thousands of chunks as objects would cost more than these arrays.
   */
  private readonly chunkPaths: Array<string | undefined> = [];
  private lines = new Int32Array(2048);
  private readonly chunkSymbols: string[] = [];
  private readonly freeIds: number[] = [];
  private readonly idsByPath = new Map<string, number[]>();
  private chunkTotal = 0;
  private readonly commonText: Set<string>;
  /**
   * The dropped terms by slot (undefined once restored), each slot's term and its count of chunks; per file, pairs of
   * a slot and how many of the file's chunks hold that term, to take away when the file changes.
   */
  private readonly commonTerms: Array<string | undefined> = [];
  private readonly commonSlots = new Map<string, number>();
  private readonly commonCounts: number[] = [];
  private readonly commonByPath = new Map<string, number[]>();
  /** The chunk count at the last check for common text terms. */
  private checkedAt: number;

  constructor(stored?: StoredRetrievalIndex) {
    this.commonText = new Set(stored?.commonTextTerms);
    this.checkedAt = stored?.checkedAt ?? 0;
    const options = searchOptions(this.commonText);
    // MiniSearch.loadJS builds a plain MiniSearch whatever class it is called on: the loaded index is given this one's.
    this.search = stored
      ? (Object.setPrototypeOf(MiniSearch.loadJS(stored.search, options), ChunkSearch.prototype) as ChunkSearch)
      : new ChunkSearch(options);
    const paths = new Map<string, string>();
    for (const [id, storedPath, startLine, endLine, symbols] of stored?.chunks ?? []) {
      let filePath = paths.get(storedPath);
      if (filePath === undefined) {
        filePath = storedPath;
        paths.set(filePath, filePath);
      }
      this.place(id, filePath, startLine, endLine, symbols);
      const ids = this.idsByPath.get(filePath) ?? [];
      ids.push(id);
      this.idsByPath.set(filePath, ids);
    }
    for (let id = 0; id < this.chunkPaths.length; id++) if (this.chunkPaths[id] === undefined) this.freeIds.push(id);
    for (const term of stored?.commonTextTerms ?? []) this.addCommonTerm(term);
    for (const [storedPath, counts] of stored?.commonTextCounts ?? []) {
      const filePath = paths.get(storedPath);
      if (filePath === undefined) continue;
      for (let pair = 0; pair + 1 < counts.length; pair += 2) this.commonCounts[counts[pair]] += counts[pair + 1];
      this.commonByPath.set(filePath, counts);
    }
  }

  get fileCount(): number {
    return this.idsByPath.size;
  }

  get chunkCount(): number {
    return this.chunkTotal;
  }

  /** Replaces a file's chunks. `relativePath` is the path inside its workspace folder, whose words are searched. */
  setFile(filePath: string, relativePath: string, chunks: readonly Chunk[]): void {
    this.removeFile(filePath);
    const words = pathWords(relativePath);
    const ids: number[] = [];
    const documents: ChunkDocument[] = [];
    /** Per dropped term's slot, how many of these chunks hold it. */
    const common = new Map<number, number>();
    for (const chunk of chunks) {
      const id = this.freeIds.pop() ?? this.chunkPaths.length;
      ids.push(id);
      this.place(id, filePath, chunk.startLine, chunk.endLine, chunk.symbols);
      const symbols = chunk.symbols.join(" ");
      const terms = textTerms(chunk.text, symbols);
      documents.push({ id, symbols, path: words, text: terms.join(" ") });
      if (this.commonSlots.size === 0) continue;
      const held = new Set<number>();
      for (const term of terms) {
        const slot = this.commonSlots.get(term);
        if (slot !== undefined) held.add(slot);
      }
      for (const slot of held) common.set(slot, (common.get(slot) ?? 0) + 1);
    }
    this.search.addAll(documents);
    if (ids.length > 0) this.idsByPath.set(filePath, ids);
    if (common.size > 0) {
      const counts: number[] = [];
      for (const [slot, count] of common) {
        counts.push(slot, count);
        this.commonCounts[slot] += count;
      }
      this.commonByPath.set(filePath, counts);
    }
    this.dropCommonText();
  }

  /** When the chunk count has moved enough since the last look: drops the text postings of terms now common. */
  private dropCommonText(): void {
    if (this.chunkTotal < minChunksToDrop || Math.abs(this.chunkTotal - this.checkedAt) < recheckShare * this.checkedAt)
      return;
    this.checkedAt = this.chunkTotal;
    const added = new Map<string, number[]>();
    for (const { term, chunkIds } of this.search.dropCommonText(this.chunkTotal * commonTextShare)) {
      const slot = this.addCommonTerm(term);
      const perFile = new Map<string, number>();
      for (const id of chunkIds) {
        const filePath = this.chunkPaths[id];
        if (filePath !== undefined) perFile.set(filePath, (perFile.get(filePath) ?? 0) + 1);
      }
      for (const [filePath, count] of perFile) {
        const counts = added.get(filePath) ?? this.commonByPath.get(filePath) ?? [];
        counts.push(slot, count);
        added.set(filePath, counts);
        this.commonCounts[slot] += count;
      }
    }
    for (const [filePath, counts] of added) this.commonByPath.set(filePath, counts);
  }

  private addCommonTerm(term: string): number {
    const slot = this.commonTerms.length;
    this.commonTerms.push(term);
    this.commonSlots.set(term, slot);
    this.commonCounts.push(0);
    this.commonText.add(term);
    return slot;
  }

  /**
   * Takes back into chunk text the dropped terms that are no longer common (see commonTextShare), and returns the
   * files whose chunks hold them: their text postings are gone, so each must be set again from a fresh parse.
   */
  restoreRareTerms(): string[] {
    const restored = new Set<number>();
    this.commonTerms.forEach((term, slot) => {
      if (term === undefined) return;
      if (this.chunkTotal >= restoreBelowChunks && this.commonCounts[slot] > restoreShare * this.chunkTotal) return;
      restored.add(slot);
      this.commonTerms[slot] = undefined;
      this.commonSlots.delete(term);
      this.commonCounts[slot] = 0;
      this.commonText.delete(term);
    });
    if (restored.size === 0) return [];
    const files: string[] = [];
    for (const [filePath, counts] of this.commonByPath) {
      const kept: number[] = [];
      for (let pair = 0; pair + 1 < counts.length; pair += 2)
        if (!restored.has(counts[pair])) kept.push(counts[pair], counts[pair + 1]);
      if (kept.length === counts.length) continue;
      files.push(filePath);
      if (kept.length > 0) this.commonByPath.set(filePath, kept);
      else this.commonByPath.delete(filePath);
    }
    return files;
  }

  removeFile(filePath: string): void {
    const ids = this.idsByPath.get(filePath);
    if (!ids) return;
    this.search.discardAll(ids);
    for (const id of ids) {
      this.chunkPaths[id] = undefined;
      this.chunkSymbols[id] = "";
      this.freeIds.push(id);
    }
    this.chunkTotal -= ids.length;
    this.idsByPath.delete(filePath);
    const counts = this.commonByPath.get(filePath);
    if (counts === undefined) return;
    for (let pair = 0; pair + 1 < counts.length; pair += 2) this.commonCounts[counts[pair]] -= counts[pair + 1];
    this.commonByPath.delete(filePath);
  }

  has(filePath: string): boolean {
    return this.idsByPath.has(filePath);
  }

  paths(): string[] {
    return [...this.idsByPath.keys()];
  }

  /** The best chunks for a question, best first. */
  query(text: string, limit: number): RankedChunk[] {
    const terms = [
      ...new Set(
        codeWords(text)
          .map(searchTerm)
          .filter((term) => term !== null),
      ),
    ]
      // A term dropped from chunk text is in most chunks: as common as any can be.
      .map((term) => ({ term, ...this.search.frequencies(term, this.commonText.has(term) ? this.chunkTotal : 0) }))
      .filter(({ documents }) => documents > 0)
      .sort((a, b) => a.documents - b.documents);
    const common = this.chunkTotal * commonTermShare;
    const kept: string[] = [];
    let scanned = 0;
    for (const { term, documents, postings } of terms) {
      const rare = kept.length < minQueryTerms;
      if (!rare && (documents > common || scanned + postings > maxScannedPostings || kept.length >= maxQueryTerms))
        break;
      kept.push(term);
      scanned += postings;
    }
    if (kept.length === 0) return [];
    const ranked: RankedChunk[] = [];
    const results = this.search.search(kept.join(" "), {
      tokenize: (query) => query.split(" "),
      processTerm: (term) => term,
    });
    for (const result of results) {
      const id = result.id as number;
      const filePath = this.chunkPaths[id];
      if (filePath === undefined) continue;
      const symbols = this.chunkSymbols[id];
      ranked.push({
        path: filePath,
        startLine: this.lines[2 * id],
        endLine: this.lines[2 * id + 1],
        symbols: symbols === "" ? [] : symbols.split("\n"),
        score: result.score,
      });
      if (ranked.length >= limit) break;
    }
    return ranked;
  }

  private place(id: number, filePath: string, startLine: number, endLine: number, symbols: readonly string[]): void {
    if (2 * id + 1 >= this.lines.length) {
      const grown = new Int32Array(Math.max(this.lines.length * 2, 2 * id + 2));
      grown.set(this.lines);
      this.lines = grown;
    }
    while (this.chunkPaths.length <= id) {
      this.chunkPaths.push(undefined);
      this.chunkSymbols.push("");
    }
    this.chunkPaths[id] = filePath;
    this.lines[2 * id] = startLine;
    this.lines[2 * id + 1] = endLine;
    this.chunkSymbols[id] = symbols.join("\n");
    this.chunkTotal++;
  }

  toStored(): StoredRetrievalIndex {
    const commonTextTerms: string[] = [];
    const storedSlots = new Map<number, number>();
    this.commonTerms.forEach((term, slot) => {
      if (term === undefined) return;
      storedSlots.set(slot, commonTextTerms.length);
      commonTextTerms.push(term);
    });
    const commonTextCounts: StoredRetrievalIndex["commonTextCounts"] = [];
    for (const [filePath, counts] of this.commonByPath) {
      const stored: number[] = [];
      for (let pair = 0; pair + 1 < counts.length; pair += 2) {
        const slot = storedSlots.get(counts[pair]);
        if (slot !== undefined) stored.push(slot, counts[pair + 1]);
      }
      if (stored.length > 0) commonTextCounts.push([filePath, stored]);
    }
    return {
      version: storedVersion,
      search: this.search.toJSON(),
      commonTextTerms,
      commonTextCounts,
      checkedAt: this.checkedAt,
      chunks: [...this.idsByPath].flatMap(([filePath, ids]) =>
        ids.map((id): StoredRetrievalIndex["chunks"][number] => [
          id,
          filePath,
          this.lines[2 * id],
          this.lines[2 * id + 1],
          this.chunkSymbols[id] === "" ? [] : this.chunkSymbols[id].split("\n"),
        ]),
      ),
    };
  }

  /** Undefined for data this version did not write. */
  static fromStored(value: unknown): RetrievalIndex | undefined {
    if (typeof value !== "object" || value === null) return undefined;
    const stored = value as Partial<StoredRetrievalIndex>;
    if (
      stored.version !== storedVersion ||
      !Array.isArray(stored.chunks) ||
      typeof stored.search !== "object" ||
      !Array.isArray(stored.commonTextTerms) ||
      !Array.isArray(stored.commonTextCounts) ||
      typeof stored.checkedAt !== "number"
    )
      return undefined;
    try {
      return new RetrievalIndex(stored as StoredRetrievalIndex);
    } catch {
      return undefined;
    }
  }
}
