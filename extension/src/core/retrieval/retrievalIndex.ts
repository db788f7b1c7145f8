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
}

const storedVersion = 1;

const searchOptions = {
  fields: ["symbols", "path", "text"],
  tokenize: (text: string) => codeWords(text),
  processTerm: (term: string) => searchTerm(term),
  searchOptions: { boost: { symbols: 3, path: 2 }, combineWith: "OR" as const },
};

/**
 * A question's words that are in more than this share of the chunks say little about which chunk answers it, and each
 * costs a pass over all of those chunks: they are left out of the query, the rarest few excepted.
 */
const commonTermShare = 0.2;
/** The rarest terms a query keeps even when all of them are common. */
const minQueryTerms = 2;
const maxQueryTerms = 16;

/** MiniSearch with its terms' document frequencies readable: the query leaves out the most common terms. */
class ChunkSearch extends MiniSearch<ChunkDocument> {
  documentFrequency(term: string): number {
    let frequency = 0;
    for (const documents of this._index.get(term)?.values() ?? []) frequency = Math.max(frequency, documents.size);
    return frequency;
  }
}

/** The words of a workspace-relative path, without the extension: "src/auth/tokenStore.ts" gives "src auth tokenStore". */
function pathWords(relativePath: string): string {
  return relativePath.replace(/\.[^./]+$/, "").replace(/[/\\.-]+/g, " ");
}

export class RetrievalIndex {
  private readonly search: ChunkSearch;
  private readonly chunks: Map<number, IndexedChunk>;
  private readonly idsByPath = new Map<string, number[]>();
  private nextId = 0;

  constructor(stored?: StoredRetrievalIndex) {
    // MiniSearch.loadJS builds a plain MiniSearch whatever class it is called on: the loaded index is given this one's.
    this.search = stored
      ? (Object.setPrototypeOf(MiniSearch.loadJS(stored.search, searchOptions), ChunkSearch.prototype) as ChunkSearch)
      : new ChunkSearch(searchOptions);
    this.chunks = new Map(
      (stored?.chunks ?? []).map(([id, path, startLine, endLine, symbols]) => [
        id,
        { path, startLine, endLine, symbols },
      ]),
    );
    for (const [id, chunk] of this.chunks) {
      const ids = this.idsByPath.get(chunk.path) ?? [];
      ids.push(id);
      this.idsByPath.set(chunk.path, ids);
      this.nextId = Math.max(this.nextId, id + 1);
    }
  }

  get fileCount(): number {
    return this.idsByPath.size;
  }

  get chunkCount(): number {
    return this.chunks.size;
  }

  /** Replaces a file's chunks. `relativePath` is the path inside its workspace folder, whose words are searched. */
  setFile(filePath: string, relativePath: string, chunks: readonly Chunk[]): void {
    this.removeFile(filePath);
    const words = pathWords(relativePath);
    const ids: number[] = [];
    const documents: ChunkDocument[] = [];
    for (const chunk of chunks) {
      const id = this.nextId++;
      ids.push(id);
      this.chunks.set(id, {
        path: filePath,
        startLine: chunk.startLine,
        endLine: chunk.endLine,
        symbols: chunk.symbols,
      });
      documents.push({ id, symbols: chunk.symbols.join(" "), path: words, text: chunk.text });
    }
    this.search.addAll(documents);
    if (ids.length > 0) this.idsByPath.set(filePath, ids);
  }

  removeFile(filePath: string): void {
    const ids = this.idsByPath.get(filePath);
    if (!ids) return;
    this.search.discardAll(ids);
    for (const id of ids) this.chunks.delete(id);
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
      .map((term) => ({ term, frequency: this.search.documentFrequency(term) }))
      .filter(({ frequency }) => frequency > 0)
      .sort((a, b) => a.frequency - b.frequency);
    const common = this.chunks.size * commonTermShare;
    const kept = terms
      .filter(({ frequency }, rank) => rank < minQueryTerms || frequency <= common)
      .slice(0, maxQueryTerms)
      .map(({ term }) => term);
    if (kept.length === 0) return [];
    const ranked: RankedChunk[] = [];
    const results = this.search.search(kept.join(" "), {
      tokenize: (query) => query.split(" "),
      processTerm: (term) => term,
    });
    for (const result of results) {
      const chunk = this.chunks.get(result.id as number);
      if (chunk) ranked.push({ ...chunk, score: result.score });
      if (ranked.length >= limit) break;
    }
    return ranked;
  }

  toStored(): StoredRetrievalIndex {
    return {
      version: storedVersion,
      search: this.search.toJSON(),
      chunks: [...this.chunks].map(([id, chunk]) => [id, chunk.path, chunk.startLine, chunk.endLine, chunk.symbols]),
    };
  }

  /** Undefined for data this version did not write. */
  static fromStored(value: unknown): RetrievalIndex | undefined {
    if (typeof value !== "object" || value === null) return undefined;
    const stored = value as Partial<StoredRetrievalIndex>;
    if (stored.version !== storedVersion || !Array.isArray(stored.chunks) || typeof stored.search !== "object")
      return undefined;
    try {
      return new RetrievalIndex(stored as StoredRetrievalIndex);
    } catch {
      return undefined;
    }
  }
}
