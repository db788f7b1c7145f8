// What the workspace index knew of each file when it indexed it, kept with the retrieval index between sessions: the
// file's stamp (size and modification time) and the top-level symbols its parse gave. A listing after a restart skips
// every file whose stamp has not changed and sends the symbol index its stored symbols instead of a parse.
import type { FileStamp, FileSymbol } from "../syntax/symbolIndex";
import { RetrievalIndex, type StoredIndexRecord } from "./retrievalIndex";

/** One file: its stamp, and its symbols as one string (see joinSymbols). */
type StoredFile = [path: string, size: number, mtimeMs: number, symbols: string];

/**
 * The whole workspace index as it is written to the extension's storage, a record at a time (one JSON line each):
 * this header, the retrieval index's records, then the files' stamps and symbols in records of `filesPerRecord`.
 */
export type StoredWorkspaceRecord =
  ["workspace", { version: typeof storedVersion; files: number }] | StoredIndexRecord | ["files", StoredFile[]];

/**
 * Version 2 was the retrieval index alone, with no stamps: a store of it is discarded whole and the listing indexes
 * every file again, since nothing says which of its files are still as they were. Version 3 was one JSON value.
 */
const storedVersion = 4;

const filesPerRecord = 250;

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

  get size(): number {
    return this.files.size;
  }

  *storedRecords(): Generator<["files", StoredFile[]]> {
    let part: StoredFile[] = [];
    for (const [filePath, { size, mtimeMs, symbols }] of this.files) {
      part.push([filePath, size, mtimeMs, symbols]);
      if (part.length < filesPerRecord) continue;
      yield ["files", part];
      part = [];
    }
    if (part.length > 0) yield ["files", part];
  }
}

/** The stored form, a record at a time: neither may change until the last. */
export function* storedWorkspaceRecords(index: RetrievalIndex, files: IndexedFiles): Generator<StoredWorkspaceRecord> {
  yield ["workspace", { version: storedVersion, files: files.size }];
  yield* index.storedRecords();
  yield* files.storedRecords();
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

export interface StoredWorkspaceReader {
  /** False for a record that is not the next one this version would have written: nothing more is read. */
  read(record: unknown): boolean;
  /** Undefined unless every record this version wrote was read: the workspace is indexed anew. */
  finish(): { index: RetrievalIndex; files: IndexedFiles } | undefined;
}

/** Reads what storedWorkspaceRecords wrote, in its order; an older format's first record is refused. */
export function storedWorkspaceReader(): StoredWorkspaceReader {
  let expected: number | undefined;
  let index: RetrievalIndex | undefined;
  const indexReader = RetrievalIndex.reader();
  const stored: StoredFile[] = [];
  return {
    read(record) {
      if (!Array.isArray(record) || record.length !== 2) return false;
      const [kind, value] = record as [unknown, unknown];
      if (expected === undefined) {
        if (kind !== "workspace" || typeof value !== "object" || value === null) return false;
        const header = value as { version?: unknown; files?: unknown };
        if (header.version !== storedVersion || typeof header.files !== "number") return false;
        expected = header.files;
        return true;
      }
      if (kind !== "files") return index === undefined && indexReader.read(record);
      index ??= indexReader.finish();
      if (index === undefined || !Array.isArray(value) || !value.every(isStoredFile)) return false;
      stored.push(...value);
      return true;
    },
    finish() {
      index ??= indexReader.finish();
      if (index === undefined || stored.length !== expected) return undefined;
      // A file with chunks and no stamp is one to parse again (restoreRareTerms): the listing will.
      return { index, files: new IndexedFiles(stored) };
    },
  };
}

/** Undefined for records this version did not write (an older format included), or fewer than it wrote. */
export function fromStoredWorkspaceIndex(records: unknown): { index: RetrievalIndex; files: IndexedFiles } | undefined {
  if (!Array.isArray(records)) return undefined;
  const reader = storedWorkspaceReader();
  return records.every((record) => reader.read(record)) ? reader.finish() : undefined;
}
