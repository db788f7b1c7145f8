// Messages between the extension and the worker thread that builds the workspace symbol index.
import type { RetrievedChunk } from "../retrieval/retrievedChunk";
import type { Definition } from "./definitions";
import type { FileSymbol } from "./symbolIndex";

/** Given to the worker when it starts. */
export interface IndexerWorkerData {
  /** The grammars folder, whose queries/ the worker reads (it parses with native tree-sitter, not the .wasm files). */
  grammarDirectory: string;
  /** Workspace folders on disk, as absolute POSIX paths. */
  roots: string[];
  /** Where the retrieval index is kept between sessions (the workspace's extension storage); null: not kept. */
  retrievalStore: string | null;
}

export type ToIndexer =
  /** Files listed by VS Code (files.exclude already applied); the worker applies .gitignore and its size limits. */
  | { kind: "index"; files: string[] }
  /** A file was saved or created: index it again, before the rest of the queue. */
  | { kind: "update"; file: string }
  | { kind: "remove"; file: string }
  /** The definitions of a file the document being typed in imports, read as `languageId`; answered before any indexing. */
  | { kind: "definitions"; id: number; file: string; languageId: string }
  /**
   * The workspace chunks that best match a question (retrieval), answered beside the indexing queue; with the
   * question's embedding, ranked by keywords and embeddings together.
   */
  | { kind: "retrieve"; id: number; query: string; limit: number; vector?: number[] }
  /** The embedding model that answers `embed` from now on (an identity that changes with the file), or none. */
  | { kind: "embeddings"; model: string | null }
  /** The answer to `embed`: a vector per text, or null when the model could not embed them. */
  | { kind: "embedded"; id: number; vectors: number[][] | null }
  /** Stop indexing and let the thread end. */
  | { kind: "shutdown" };

export type FromIndexer =
  /** A file parsed, with its top-level symbols. */
  | { kind: "file"; file: string; symbols: FileSymbol[] }
  /** Files a listing found as they were when the stored index parsed them, with the symbols kept from that parse. */
  | { kind: "files"; files: Array<{ file: string; symbols: FileSymbol[] }> }
  | { kind: "removed"; file: string }
  /**
   * The queue is empty. `indexedFiles`: parsed since the listing; `unchangedFiles`: taken from the stored index
   * unread; `skippedFiles`: not indexed (ignored, binary, too large, unreadable, without a grammar).
   */
  | { kind: "idle"; indexedFiles: number; unchangedFiles: number; skippedFiles: number; elapsedMs: number }
  /** How far a listing's indexing has got, every few files. */
  | { kind: "progress"; done: number; total: number }
  | { kind: "retrieved"; id: number; chunks: RetrievedChunk[] }
  /** Chunks' texts to embed as documents, after the keyword indexing has ended. */
  | { kind: "embed"; id: number; texts: string[] }
  /** How many of the index's chunks have an embedding. */
  | { kind: "embeddingProgress"; done: number; total: number }
  | { kind: "failed"; message: string }
  /** The answer to the request `id`: null for a file that cannot be read, is too large or binary, or has no grammar. */
  | { kind: "definitions"; id: number; definitions: Definition[] | null };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isToIndexer(value: unknown): value is ToIndexer {
  if (!isRecord(value)) return false;
  if (value.kind === "index")
    return Array.isArray(value.files) && value.files.every((file) => typeof file === "string");
  if (value.kind === "shutdown") return true;
  if (value.kind === "retrieve")
    return (
      typeof value.id === "number" &&
      typeof value.query === "string" &&
      typeof value.limit === "number" &&
      (value.vector === undefined || isVector(value.vector))
    );
  if (value.kind === "embeddings") return value.model === null || typeof value.model === "string";
  if (value.kind === "embedded")
    return (
      typeof value.id === "number" &&
      (value.vectors === null || (Array.isArray(value.vectors) && value.vectors.every(isVector)))
    );
  if (value.kind === "definitions")
    return typeof value.id === "number" && typeof value.file === "string" && typeof value.languageId === "string";
  return (value.kind === "update" || value.kind === "remove") && typeof value.file === "string";
}

export function isFromIndexer(value: unknown): value is FromIndexer {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case "file":
      return isIndexedFile(value);
    case "files":
      return Array.isArray(value.files) && value.files.every(isIndexedFile);
    case "removed":
      return typeof value.file === "string";
    case "idle":
      return (
        typeof value.indexedFiles === "number" &&
        typeof value.unchangedFiles === "number" &&
        typeof value.skippedFiles === "number" &&
        typeof value.elapsedMs === "number"
      );
    case "failed":
      return typeof value.message === "string";
    case "progress":
      return typeof value.done === "number" && typeof value.total === "number";
    case "retrieved":
      return typeof value.id === "number" && Array.isArray(value.chunks) && value.chunks.every(isRetrievedChunk);
    case "embed":
      return (
        typeof value.id === "number" &&
        Array.isArray(value.texts) &&
        value.texts.every((text) => typeof text === "string")
      );
    case "embeddingProgress":
      return typeof value.done === "number" && typeof value.total === "number";
    case "definitions":
      return (
        typeof value.id === "number" &&
        (value.definitions === null ||
          (Array.isArray(value.definitions) &&
            value.definitions.every(
              (definition) =>
                isRecord(definition) &&
                typeof definition.name === "string" &&
                typeof definition.signature === "string" &&
                typeof definition.topLevel === "boolean",
            )))
      );
    default:
      return false;
  }
}

function isIndexedFile(value: unknown): value is { file: string; symbols: FileSymbol[] } {
  return (
    isRecord(value) &&
    typeof value.file === "string" &&
    Array.isArray(value.symbols) &&
    value.symbols.every(
      (symbol) => isRecord(symbol) && typeof symbol.name === "string" && typeof symbol.signature === "string",
    )
  );
}

function isVector(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === "number");
}

function isRetrievedChunk(value: unknown): value is RetrievedChunk {
  return (
    isRecord(value) &&
    typeof value.path === "string" &&
    typeof value.startLine === "number" &&
    typeof value.endLine === "number" &&
    typeof value.text === "string" &&
    Array.isArray(value.symbols) &&
    value.symbols.every((symbol) => typeof symbol === "string")
  );
}

export function isIndexerWorkerData(value: unknown): value is IndexerWorkerData {
  return (
    isRecord(value) &&
    (value.retrievalStore === null || typeof value.retrievalStore === "string") &&
    typeof value.grammarDirectory === "string" &&
    Array.isArray(value.roots) &&
    value.roots.every((root) => typeof root === "string")
  );
}
