// The retrieval index as the symbol index worker keeps it: fed with the chunks of each file the worker parses, kept on
// disk in the workspace's extension storage between sessions, and read back for the chunks' text when a question
// retrieves them.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Chunk } from "../../core/retrieval/chunks";
import { RetrievalIndex } from "../../core/retrieval/retrievalIndex";
import type { RetrievedChunk } from "../../core/retrieval/retrievedChunk";

export class WorkspaceRetrieval {
  private index = new RetrievalIndex();
  private dirty = false;

  constructor(
    /** Workspace folders, absolute POSIX paths: chunks are searched by their path inside one. */
    private readonly roots: readonly string[],
    /** The index's file; null: nothing is kept between sessions. */
    private readonly store: string | null,
  ) {}

  /** The index of the last session, if it was kept and this version can read it; a fresh one otherwise. */
  async load(): Promise<void> {
    if (this.store === null) return;
    const text = await readFile(this.store, "utf8").catch(() => undefined);
    if (text === undefined) return;
    try {
      this.index = RetrievalIndex.fromStored(JSON.parse(text)) ?? this.index;
    } catch {
      // A file cut short by a crash: the listing that follows indexes everything again.
    }
  }

  setFile(filePath: string, chunks: readonly Chunk[]): void {
    const root = this.roots.find((candidate) => filePath.startsWith(`${candidate.replace(/\/+$/, "")}/`));
    this.index.setFile(filePath, root === undefined ? filePath : path.posix.relative(root, filePath), chunks);
    this.dirty = true;
  }

  removeFile(filePath: string): void {
    if (!this.index.has(filePath)) return;
    this.index.removeFile(filePath);
    this.dirty = true;
  }

  /** A new listing of the workspace: files kept from the last session that it no longer lists go. */
  keepOnly(files: readonly string[]): void {
    const listed = new Set(files);
    for (const file of this.index.paths()) if (!listed.has(file)) this.removeFile(file);
  }

  /** Writes the index if it changed; a temporary file and a rename, so a crash never leaves half an index. */
  async save(): Promise<void> {
    if (this.store === null || !this.dirty) return;
    this.dirty = false;
    await mkdir(path.dirname(this.store), { recursive: true });
    const temporary = `${this.store}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.index.toStored()));
    await rename(temporary, this.store);
  }

  /** The best chunks for a question with their text as the files have it now; chunks of files gone are skipped. */
  async retrieve(query: string, limit: number): Promise<RetrievedChunk[]> {
    const ranked = this.index.query(query, limit);
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
