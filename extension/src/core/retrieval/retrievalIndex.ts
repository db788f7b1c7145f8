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
}

const storedVersion = 2;

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
 * are dropped, and it is no longer indexed in chunk text (symbol names and paths keep it). Checked each time the
 * index has doubled since the last check, so a listing's first few folders do not decide alone.
 */
const commonTextShare = 0.5;
const minChunksToDrop = 5_000;

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
  /** Drops the text postings of the terms in more than `limit` chunks' text; returns those terms. */
  dropCommonText(limit: number): string[] {
    const textField = this._fieldIds.text;
    const common: string[] = [];
    for (const [term, fields] of this._index) if ((fields.get(textField)?.size ?? 0) > limit) common.push(term);
    for (const term of common) {
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
function textTerms(text: string, symbols: string): string {
  const own = new Set(codeWords(symbols).map(searchTerm));
  const terms: string[] = [];
  for (const word of codeWords(text)) {
    const term = searchTerm(word);
    if (term !== null && !own.has(term)) terms.push(term);
  }
  return terms.join(" ");
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
  /** The chunk count at the last check for common text terms. */
  private checkedAt = 0;

  constructor(stored?: StoredRetrievalIndex) {
    this.commonText = new Set(stored?.commonTextTerms);
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
    for (const chunk of chunks) {
      const id = this.freeIds.pop() ?? this.chunkPaths.length;
      ids.push(id);
      this.place(id, filePath, chunk.startLine, chunk.endLine, chunk.symbols);
      const symbols = chunk.symbols.join(" ");
      documents.push({ id, symbols, path: words, text: textTerms(chunk.text, symbols) });
    }
    this.search.addAll(documents);
    if (ids.length > 0) this.idsByPath.set(filePath, ids);
    if (this.chunkTotal >= minChunksToDrop && this.chunkTotal >= 2 * this.checkedAt) {
      this.checkedAt = this.chunkTotal;
      for (const term of this.search.dropCommonText(this.chunkTotal * commonTextShare)) this.commonText.add(term);
    }
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
    return {
      version: storedVersion,
      search: this.search.toJSON(),
      commonTextTerms: [...this.commonText],
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
      !Array.isArray(stored.commonTextTerms)
    )
      return undefined;
    try {
      return new RetrievalIndex(stored as StoredRetrievalIndex);
    } catch {
      return undefined;
    }
  }
}
