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

/**
 * What the index stores on disk between sessions, as a sequence of records each small enough to be written and read
 * on its own (storedRecords, StoredIndexReader): the whole index as one JSON value cost a 10,000-file workspace's
 * worker thread its object graph and its text at once, over 100 MB above the index itself, at every save and load.
 * First the header, then the terms' postings, the chunks and the per-file counts of dropped terms, each in records of
 * at most `recordSize` entries.
 */
export type StoredIndexRecord =
  | ["index", StoredIndexHeader]
  | ["documents", number[][]]
  | ["terms", StoredTerm[]]
  | ["chunks", Array<[id: number, path: string, startLine: number, endLine: number, symbols: string[]]>]
  /**
   * Per file, how many of its chunks hold each dropped term in their text: pairs of an index into `commonTextTerms`
   * and a count. What keeps the dropped terms' chunk counts exact as files change.
   */
  | ["counts", Array<[path: string, counts: number[]]>];

/** A term, then for each field that holds it: the field's id, and pairs of a document's short id and frequency. */
type StoredTerm = [term: string, ...fields: Array<number | number[]>];

interface StoredIndexHeader {
  version: typeof storedVersion;
  /** MiniSearch's plain form without its documents and terms: they follow in records of their own. */
  search: AsPlainObject;
  /** Terms whose text postings were dropped as too common (ChunkSearch.dropCommonText). */
  commonTextTerms: string[];
  /** The chunk count when common terms were last looked for. */
  checkedAt: number;
  /** How many documents, terms, chunks and files' counts follow: fewer is a store cut short. */
  documents: number;
  terms: number;
  chunks: number;
  counts: number;
}

const recordSize = 250;

/** Version 3 was one JSON value. */
const storedVersion = 4;

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
   * MiniSearch's plain form (toJSON) without its documents and terms, which storedDocuments and storedTerms give a
   * part at a time, as arrays of numbers: objects keyed by number, as toJSON writes them, cost several times as much
   * to build, to parse and to turn back into maps.
   */
  storedHeader(): AsPlainObject {
    return {
      documentCount: this._documentCount,
      nextId: this._nextId,
      documentIds: {},
      fieldIds: this._fieldIds,
      fieldLength: {},
      averageFieldLength: this._avgFieldLength,
      // The index stores no fields (no storeFields option).
      storedFields: {},
      dirtCount: this._dirtCount,
      index: [],
      serializationVersion: 2,
    };
  }

  get documentTotal(): number {
    return this._documentIds.size;
  }

  /** Per document: its short id, its id, then its fields' lengths; `size` documents at a time. */
  *storedDocuments(size: number): Generator<number[][]> {
    let part: number[][] = [];
    for (const [shortId, id] of this._documentIds) {
      part.push([shortId, id as number, ...(this._fieldLength.get(shortId) ?? [])]);
      if (part.length < size) continue;
      yield part;
      part = [];
    }
    if (part.length > 0) yield part;
  }

  loadDocuments(documents: readonly number[][]): void {
    for (const [shortId, id, ...lengths] of documents) {
      this._documentIds.set(shortId, id);
      this._idToShortId.set(id, shortId);
      this._fieldLength.set(shortId, lengths);
    }
  }

  /** Per term: the term, then per field its id and its postings as pairs of a short id and a frequency. */
  *storedTerms(size: number): Generator<StoredTerm[]> {
    let part: StoredTerm[] = [];
    for (const [term, fields] of this._index) {
      const stored: StoredTerm = [term];
      for (const [fieldId, frequencies] of fields) {
        const pairs: number[] = [];
        for (const [shortId, frequency] of frequencies) pairs.push(shortId, frequency);
        stored.push(fieldId, pairs);
      }
      part.push(stored);
      if (part.length < size) continue;
      yield part;
      part = [];
    }
    if (part.length > 0) yield part;
  }

  loadTerms(terms: readonly StoredTerm[]): void {
    for (const [term, ...fields] of terms) {
      const byField = new Map<number, Map<number, number>>();
      for (let field = 0; field + 1 < fields.length; field += 2) {
        const pairs = fields[field + 1] as number[];
        const postings = new Map<number, number>();
        for (let pair = 0; pair + 1 < pairs.length; pair += 2) postings.set(pairs[pair], pairs[pair + 1]);
        byField.set(fields[field] as number, postings);
      }
      this._index.set(term, byField);
    }
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

  constructor(stored?: { search: ChunkSearch; commonText: Set<string>; checkedAt: number }) {
    this.commonText = stored?.commonText ?? new Set();
    this.checkedAt = stored?.checkedAt ?? 0;
    this.search = stored?.search ?? new ChunkSearch(searchOptions(this.commonText));
    for (const term of this.commonText) this.addCommonTerm(term);
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

  /** The stored form, a record at a time (see StoredIndexRecord): the index must not change until the last. */
  *storedRecords(): Generator<StoredIndexRecord> {
    const commonTextTerms: string[] = [];
    const storedSlots = new Map<number, number>();
    this.commonTerms.forEach((term, slot) => {
      if (term === undefined) return;
      storedSlots.set(slot, commonTextTerms.length);
      commonTextTerms.push(term);
    });
    const counts: Array<[string, number[]]> = [];
    for (const [filePath, pairs] of this.commonByPath) {
      const stored: number[] = [];
      for (let pair = 0; pair + 1 < pairs.length; pair += 2) {
        const slot = storedSlots.get(pairs[pair]);
        if (slot !== undefined) stored.push(slot, pairs[pair + 1]);
      }
      if (stored.length > 0) counts.push([filePath, stored]);
    }
    yield [
      "index",
      {
        version: storedVersion,
        search: this.search.storedHeader(),
        commonTextTerms,
        checkedAt: this.checkedAt,
        documents: this.search.documentTotal,
        terms: this.search.termCount,
        chunks: this.chunkTotal,
        counts: counts.length,
      },
    ];
    for (const documents of this.search.storedDocuments(recordSize)) yield ["documents", documents];
    for (const terms of this.search.storedTerms(recordSize)) yield ["terms", terms];
    let chunks: Array<[number, string, number, number, string[]]> = [];
    for (const [filePath, ids] of this.idsByPath) {
      for (const id of ids) {
        const symbols = this.chunkSymbols[id];
        chunks.push([
          id,
          filePath,
          this.lines[2 * id],
          this.lines[2 * id + 1],
          symbols === "" ? [] : symbols.split("\n"),
        ]);
      }
      if (chunks.length < recordSize) continue;
      yield ["chunks", chunks];
      chunks = [];
    }
    if (chunks.length > 0) yield ["chunks", chunks];
    for (let first = 0; first < counts.length; first += recordSize)
      yield ["counts", counts.slice(first, first + recordSize)];
  }

  /** Reads the records storedRecords wrote, in their order. */
  static reader(): StoredIndexReader {
    let index: RetrievalIndex | undefined;
    let header: StoredIndexHeader | undefined;
    let documents = 0;
    let terms = 0;
    let chunks = 0;
    let counts = 0;
    const paths = new Map<string, string>();
    const read = (record: unknown): boolean => {
      if (!Array.isArray(record) || record.length !== 2 || typeof record[0] !== "string") return false;
      const [kind, value] = record as [string, unknown];
      if (kind === "index") {
        if (header !== undefined || !isStoredIndexHeader(value)) return false;
        header = value;
        const commonText = new Set(value.commonTextTerms);
        // MiniSearch.loadJS builds a plain MiniSearch whatever class it is called on: it is given this one's.
        const search = Object.setPrototypeOf(
          MiniSearch.loadJS(value.search, searchOptions(commonText)),
          ChunkSearch.prototype,
        ) as ChunkSearch;
        index = new RetrievalIndex({ search, commonText, checkedAt: value.checkedAt });
        return true;
      }
      if (index === undefined || !Array.isArray(value)) return false;
      if (kind === "documents") {
        index.search.loadDocuments(value as number[][]);
        documents += value.length;
        return true;
      }
      if (kind === "terms") {
        index.search.loadTerms(value as StoredTerm[]);
        terms += value.length;
        return true;
      }
      if (kind === "chunks") {
        for (const [id, storedPath, startLine, endLine, symbols] of value as Array<
          [number, string, number, number, string[]]
        >) {
          let filePath = paths.get(storedPath);
          if (filePath === undefined) {
            filePath = storedPath;
            paths.set(filePath, filePath);
          }
          index.place(id, filePath, startLine, endLine, symbols);
          const ids = index.idsByPath.get(filePath) ?? [];
          ids.push(id);
          index.idsByPath.set(filePath, ids);
        }
        chunks += value.length;
        return true;
      }
      if (kind === "counts") {
        for (const [storedPath, pairs] of value as Array<[string, number[]]>) {
          const filePath = paths.get(storedPath);
          if (filePath === undefined) continue;
          for (let pair = 0; pair + 1 < pairs.length; pair += 2) index.commonCounts[pairs[pair]] += pairs[pair + 1];
          index.commonByPath.set(filePath, pairs);
        }
        counts += value.length;
        return true;
      }
      return false;
    };
    const finish = (): RetrievalIndex | undefined => {
      if (index === undefined || header === undefined) return undefined;
      if (
        documents !== header.documents ||
        terms !== header.terms ||
        chunks !== header.chunks ||
        counts !== header.counts
      )
        return undefined;
      for (let id = 0; id < index.chunkPaths.length; id++)
        if (index.chunkPaths[id] === undefined) index.freeIds.push(id);
      return index;
    };
    return {
      read: (record) => {
        try {
          return read(record);
        } catch {
          return false;
        }
      },
      finish,
    };
  }

  /** Undefined for records this version did not write, or fewer than it wrote. */
  static fromStored(records: unknown): RetrievalIndex | undefined {
    if (!Array.isArray(records)) return undefined;
    const reader = RetrievalIndex.reader();
    return records.every((record) => reader.read(record)) ? reader.finish() : undefined;
  }
}

export interface StoredIndexReader {
  /** False for a record that is not the next one this version would have written: nothing more is read. */
  read(record: unknown): boolean;
  /** The index, undefined unless every record was read. */
  finish(): RetrievalIndex | undefined;
}

function isStoredIndexHeader(value: unknown): value is StoredIndexHeader {
  if (typeof value !== "object" || value === null) return false;
  const header = value as Partial<StoredIndexHeader>;
  return (
    header.version === storedVersion &&
    typeof header.search === "object" &&
    Array.isArray(header.commonTextTerms) &&
    typeof header.checkedAt === "number" &&
    typeof header.documents === "number" &&
    typeof header.terms === "number" &&
    typeof header.chunks === "number" &&
    typeof header.counts === "number"
  );
}
