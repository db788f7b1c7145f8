// What the workspace index knew of each file when it indexed it, kept with the retrieval index between sessions: the
// file's stamp (size and modification time) and the top-level symbols its parse gave. A listing after a restart skips
// every file whose stamp has not changed and sends the symbol index its stored symbols instead of a parse.
import type { FileStamp, FileSymbol } from "../syntax/symbolIndex";
import { RetrievalIndex, type StoredRetrievalIndex } from "./retrievalIndex";

/** One file: its stamp, and its symbols as one string (see joinSymbols). */
type StoredFile = [path: string, size: number, mtimeMs: number, symbols: string];

/** The whole workspace index as it is written to the extension's storage. */
export interface StoredWorkspaceIndex {
  version: typeof storedVersion;
  retrieval: StoredRetrievalIndex;
  files: StoredFile[];
}

/**
 * Version 2 was the retrieval index alone, with no stamps: a store of it is discarded whole and the listing indexes
 * every file again, since nothing says which of its files are still as they were.
 */
const storedVersion = 3;

/** Between a symbol's name and its signature, and between symbols: no name or signature of a text file holds it. */
const separator = "\u0000";

/**
 * A file's symbols as one string. Names and signatures are cut from each file's text, and kept as they are they could
 * keep that whole text in memory (V8 slices strings): a 10,000-file workspace's symbols would hold all its files. The
 * joined string is a copy, and one string per file costs far less than an object per symbol.
 */
function joinSymbols(symbols: readonly FileSymbol[]): string {
  return symbols.flatMap(({ name, signature }) => [name, signature]).join(separator);
}

function splitSymbols(joined: string): FileSymbol[] {
  if (joined === "") return [];
  const parts = joined.split(separator);
  const symbols: FileSymbol[] = [];
  for (let part = 0; part + 1 < parts.length; part += 2)
    symbols.push({ name: parts[part], signature: parts[part + 1] });
  return symbols;
}

export class IndexedFiles {
  private readonly files = new Map<string, { size: number; mtimeMs: number; symbols: string }>();

  constructor(stored: readonly StoredFile[] = []) {
    for (const [filePath, size, mtimeMs, symbols] of stored) this.files.set(filePath, { size, mtimeMs, symbols });
  }

  set(filePath: string, stamp: FileStamp, symbols: readonly FileSymbol[]): void {
    this.files.set(filePath, { size: stamp.size, mtimeMs: stamp.mtimeMs, symbols: joinSymbols(symbols) });
  }

  /** The file's stamp when it was indexed; undefined for a file to be read whatever its stamp. */
  stamp(filePath: string): FileStamp | undefined {
    const file = this.files.get(filePath);
    return file && { size: file.size, mtimeMs: file.mtimeMs };
  }

  symbols(filePath: string): FileSymbol[] {
    return splitSymbols(this.files.get(filePath)?.symbols ?? "");
  }

  delete(filePath: string): boolean {
    return this.files.delete(filePath);
  }

  paths(): string[] {
    return [...this.files.keys()];
  }

  toStored(): StoredFile[] {
    return [...this.files].map(([filePath, { size, mtimeMs, symbols }]) => [filePath, size, mtimeMs, symbols]);
  }
}

export function toStoredWorkspaceIndex(index: RetrievalIndex, files: IndexedFiles): StoredWorkspaceIndex {
  return { version: storedVersion, retrieval: index.toStored(), files: files.toStored() };
}

function isStoredFile(value: unknown): value is StoredFile {
  return (
    Array.isArray(value) &&
    value.length === 4 &&
    typeof value[0] === "string" &&
    typeof value[1] === "number" &&
    typeof value[2] === "number" &&
    typeof value[3] === "string"
  );
}

/** Undefined for data this version did not write (an older format included): the workspace is indexed anew. */
export function fromStoredWorkspaceIndex(value: unknown): { index: RetrievalIndex; files: IndexedFiles } | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const stored = value as Partial<StoredWorkspaceIndex>;
  if (stored.version !== storedVersion || !Array.isArray(stored.files) || !stored.files.every(isStoredFile))
    return undefined;
  const index = RetrievalIndex.fromStored(stored.retrieval);
  if (index === undefined) return undefined;
  // A file with chunks and no stamp is one to parse again (restoreRareTerms): the listing will.
  return { index, files: new IndexedFiles(stored.files) };
}
