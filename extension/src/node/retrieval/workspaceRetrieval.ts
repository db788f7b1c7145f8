// The retrieval index as the symbol index worker keeps it: fed with the chunks of each file the worker parses, kept on
// disk in the workspace's extension storage between sessions, and read back for the chunks' text when a question
// retrieves them. With it, each file's stamp and symbols when it was parsed, so that the next session's listing skips
// the files that have not changed. Beside it, the chunks' embeddings (when an embedding model is set), kept in a file
// of their own.
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Chunk } from "../../core/retrieval/chunks";
import { ChunkEmbeddings, type PendingChunk, hybridRanking, textHash } from "../../core/retrieval/chunkEmbeddings";
import { IndexedFiles, storedWorkspaceReader, storedWorkspaceRecords } from "../../core/retrieval/indexedFiles";
import { RetrievalIndex } from "../../core/retrieval/retrievalIndex";
import type { RetrievedChunk } from "../../core/retrieval/retrievedChunk";
import type { FileStamp, FileSymbol } from "../../core/syntax/symbolIndex";

export class WorkspaceRetrieval {
  private index = new RetrievalIndex();
  private files = new IndexedFiles();
  private embeddings = new ChunkEmbeddings();
  private dirty = false;
  private embeddingsDirty = false;

  constructor(
    /** Workspace folders, absolute POSIX paths: chunks are searched by their path inside one. */
    private readonly roots: readonly string[],
    /** The index's file; null: nothing is kept between sessions. */
    private readonly store: string | null,
  ) {}

  /**
   * The index of the last session, if it was kept and this version can read it; a fresh one otherwise (a store of an
   * older format too), and the listing that follows indexes every file.
   */
  async load(): Promise<void> {
    if (this.store === null) return;
    const loaded = await readStore(this.store).catch(() => undefined);
    if (loaded) ({ index: this.index, files: this.files } = loaded);
    // The JSON store of earlier versions is not read: its chunks are embedded again, into the binary one.
    await rm(this.embeddingsStore(this.store, ".json"), { force: true });
    const vectors = await readFile(this.embeddingsStore(this.store, ".bin")).catch(() => undefined);
    // A file cut short or of another version: as above, the chunks are embedded again.
    if (vectors !== undefined) this.embeddings = ChunkEmbeddings.fromStored(vectors) ?? this.embeddings;
  }

  private embeddingsStore(store: string, extension: ".bin" | ".json"): string {
    return path.join(path.dirname(store), `${path.basename(store, ".json")}-embeddings${extension}`);
  }

  /**
   * A file's chunks as a parse gave them. `parsed`: the file's stamp before it was read and its symbols, which let the
   * next listing skip it while the stamp holds; without them it is parsed again then.
   */
  setFile(filePath: string, chunks: readonly Chunk[], parsed?: { stamp: FileStamp; symbols: FileSymbol[] }): void {
    const root = this.roots.find((candidate) => filePath.startsWith(`${candidate.replace(/\/+$/, "")}/`));
    this.index.setFile(filePath, root === undefined ? filePath : path.posix.relative(root, filePath), chunks);
    if (parsed) this.files.set(filePath, parsed.stamp, parsed.symbols);
    else this.files.delete(filePath);
    this.embeddings.setFile(filePath, chunks);
    this.dirty = true;
    this.embeddingsDirty = true;
  }

  /** The file's stamp when it was parsed, if its chunks and symbols are kept from then. */
  stamp(filePath: string): FileStamp | undefined {
    return this.files.stamp(filePath);
  }

  /** The symbols of a file the index holds, as its parse gave them. */
  symbols(filePath: string): FileSymbol[] {
    return this.files.symbols(filePath);
  }

  removeFile(filePath: string): void {
    this.embeddings.removeFile(filePath);
    const known = this.files.delete(filePath);
    if (!this.index.has(filePath) && !known) return;
    this.index.removeFile(filePath);
    this.dirty = true;
    this.embeddingsDirty = true;
  }

  /** A new listing of the workspace: files kept from the last session that it no longer lists go. */
  keepOnly(files: readonly string[]): void {
    const listed = new Set(files);
    for (const file of new Set([...this.index.paths(), ...this.files.paths()]))
      if (!listed.has(file)) this.removeFile(file);
    this.embeddings.keepOnly(new Set(this.index.paths()));
  }

  /**
   * The files to parse again because a term their chunks hold, dropped from the index as common, is common no more
   * (RetrievalIndex.restoreRareTerms): their stamps are forgotten, so no listing skips them.
   */
  restoreRareTerms(): string[] {
    const files = this.index.restoreRareTerms();
    for (const file of files) this.files.delete(file);
    if (files.length > 0) this.dirty = true;
    return files;
  }

  /** The embedding model whose vectors are wanted from now on; another model's are dropped. */
  useEmbeddingModel(model: string): void {
    if (model === this.embeddings.model) return;
    this.embeddings.useModel(model);
    this.embeddingsDirty = true;
  }

  embeddingCounts(): { chunks: number; embedded: number } {
    return this.embeddings.counts();
  }

  /**
   * Up to `limit` chunks without a vector, with their text as the files have it now. A chunk whose file changed since
   * it was indexed gets an empty vector: the update that follows the change sets the file again.
   */
  async pendingEmbeddings(limit: number): Promise<{ chunks: PendingChunk[]; texts: string[] }> {
    const chunks: PendingChunk[] = [];
    const texts: string[] = [];
    const files = new Map<string, string[] | undefined>();
    for (const chunk of this.embeddings.pending(limit)) {
      if (!files.has(chunk.path))
        files.set(
          chunk.path,
          await readFile(chunk.path, "utf8").then(
            (text) => text.split("\n"),
            () => undefined,
          ),
        );
      const text = files
        .get(chunk.path)
        ?.slice(chunk.startLine, chunk.endLine + 1)
        .join("\n");
      if (text === undefined || textHash(text) !== chunk.hash) {
        this.embeddings.store(chunk, []);
        continue;
      }
      chunks.push(chunk);
      texts.push(text);
    }
    return { chunks, texts };
  }

  storeEmbeddings(chunks: readonly PendingChunk[], vectors: readonly number[][]): void {
    chunks.forEach((chunk, index) => this.embeddings.store(chunk, vectors[index] ?? []));
    this.embeddingsDirty = true;
  }

  /** Writes the index and the embeddings, each if it changed. */
  async save(): Promise<void> {
    if (this.store === null) return;
    if (this.dirty) {
      this.dirty = false;
      await writeRecords(this.store, storedWorkspaceRecords(this.index, this.files));
    }
    if (this.embeddingsDirty) {
      this.embeddingsDirty = false;
      await writeWhole(this.embeddingsStore(this.store, ".bin"), this.embeddings.toStored());
    }
  }

  /**
   * The best chunks for a question (hybridRanking: with its embedding, BM25's ranking and the embeddings' fused), with
   * their text as the files have it now; chunks of files gone are skipped.
   */
  async retrieve(query: string, limit: number, vector?: readonly number[]): Promise<RetrievedChunk[]> {
    const ranked = hybridRanking(this.index, this.embeddings, query, limit, vector);
    const texts = new Map<string, Promise<string[] | undefined>>();
    const chunks: RetrievedChunk[] = [];
    for (const chunk of ranked) {
      let lines = texts.get(chunk.path);
      if (!lines) {
        lines = readFile(chunk.path, "utf8").then(
          (text) => text.split("\n"),
          () => undefined,
        );
        texts.set(chunk.path, lines);
      }
      const fileLines = await lines;
      if (!fileLines || chunk.startLine >= fileLines.length) continue;
      const { path: filePath, startLine, endLine, symbols } = chunk;
      chunks.push({
        path: filePath,
        startLine,
        endLine,
        symbols,
        text: fileLines.slice(startLine, endLine + 1).join("\n"),
      });
    }
    return chunks;
  }
}

/** A temporary file and a rename, so a crash never leaves half a file. */
async function writeWhole(file: string, data: readonly Uint8Array[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}

/**
 * Writes each record as a line as soon as it is made, so that one record at a time is in memory, not the whole
 * index's text; synchronously, so that the index cannot change between its first record and its last (this thread has
 * nothing else to do meanwhile). A temporary file and a rename, as writeWhole.
 */
async function writeRecords(file: string, records: Iterable<unknown>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const descriptor = openSync(temporary, "w");
  try {
    for (const record of records) writeSync(descriptor, `${JSON.stringify(record)}\n`);
  } finally {
    closeSync(descriptor);
  }
  await rename(temporary, file);
}

/**
 * The stored index, read and parsed a line (a record) at a time, so that only the index being built and one record
 * are in memory at once; undefined for a store of another version, or one cut short (a crash: see writeWhole).
 */
async function readStore(file: string): Promise<{ index: RetrievalIndex; files: IndexedFiles } | undefined> {
  const reader = storedWorkspaceReader();
  const stream = createReadStream(file, { encoding: "utf8" });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (!reader.read(JSON.parse(line))) return undefined;
  } finally {
    lines.close();
    stream.destroy();
  }
  return reader.finish();
}
