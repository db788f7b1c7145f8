// The worker thread that builds the workspace symbol index: whole-file parses stay off the extension host's thread.
// It parses with native tree-sitter (node_modules, outside the bundle), and with web-tree-sitter where that has no
// binary for the platform; the extension host keeps web-tree-sitter. The same parse cuts each file into the chunks the
// chat's workspace retrieval ranks (node/retrieval/workspaceRetrieval.ts), which this thread keeps and searches. A
// listed file whose size and modification time are those it had when the stored index parsed it is not read again:
// its stored chunks stay, and its stored symbols go to the extension.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { diskFiles } from "./diskFiles";
import { nativeDefinitionsLoader, nativeOrFallback } from "./nativeDefinitions";
import { WorkspaceRetrieval } from "../retrieval/workspaceRetrieval";
import { DefinitionsByLanguage, SymbolIndexer, type FileSymbol } from "../../core/syntax/symbolIndex";
import { isIndexerWorkerData, isToIndexer, type FromIndexer } from "../../core/syntax/symbolIndexProtocol";
import { WasmDefinitions } from "../../core/syntax/wasmDefinitions";

/** Progress is reported every this many files of a listing. */
const progressEvery = 50;
/**
 * Unchanged files' stored symbols go to the extension this many files to a message: a restart over 10,000 unchanged
 * files would otherwise be 10,000 messages for the extension host's thread to take one by one.
 */
const unchangedBatch = 500;
/**
 * Chunks per embedding request: small, so that a question's embedding (on its own lane in the host) waits for little,
 * and a change of model or a new listing stops the pass soon.
 */
const embeddingBatch = 8;
const saveIntervalMs = 60_000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  let unchanged: Array<{ file: string; symbols: FileSymbol[] }> = [];
  const flushUnchanged = (): void => {
    if (unchanged.length === 0) return;
    port.postMessage({ kind: "files", files: unchanged } satisfies FromIndexer);
    unchanged = [];
  };
  // Whatever follows a batch of unchanged files (their removal included) must not arrive before it.
  const post = (message: FromIndexer): void => {
    flushUnchanged();
    port.postMessage(message);
  };
  if (!isIndexerWorkerData(workerData)) {
    post({ kind: "failed", message: "the symbol index worker started without its settings" });
    return;
  }
  const { grammarDirectory, roots, retrievalStore } = workerData;
  const retrieval = new WorkspaceRetrieval(roots, retrievalStore);
  await retrieval.load();
  const grammars = { load: (file: string) => readFile(path.join(grammarDirectory, file)) };
  const wasm = new WasmDefinitions(grammars);
  const definitions = new DefinitionsByLanguage(
    await nativeOrFallback(
      () => nativeDefinitionsLoader(grammars),
      wasm.load,
      (message) => post({ kind: "failed", message }),
    ),
    (languageId, error) =>
      post({
        kind: "failed",
        message: `the ${languageId} grammar did not load, so ${languageId} files are not indexed: ${messageOf(error)}`,
      }),
  );
  const indexer = new SymbolIndexer(definitions, diskFiles, roots);

  // Saved files jump the queue: the user is looking at them.
  let backlog: string[] = [];
  const urgent: string[] = [];
  let running = false;
  let indexedFiles = 0;
  let unchangedFiles = 0;
  let skippedFiles = 0;
  let startedAt = performance.now();
  let listed = 0;
  let savedAt = performance.now();
  let embeddingModel: string | null = null;
  let embedding = false;
  let nextEmbedId = 1;
  const embedAnswers = new Map<number, (vectors: number[][] | null) => void>();

  const save = (): Promise<void> =>
    retrieval
      .save()
      .catch((error: unknown) =>
        post({ kind: "failed", message: `the retrieval index was not saved: ${messageOf(error)}` }),
      );

  /**
   * Embeds the chunks that lack a vector, a batch at a time through the extension (which asks the host), once the
   * keyword indexing has nothing left to do: keyword retrieval is ready first, and embeddings improve it after.
   */
  const embedPending = async (): Promise<void> => {
    if (embedding || embeddingModel === null) return;
    embedding = true;
    try {
      for (;;) {
        const model: string | null = embeddingModel;
        if (model === null || running || urgent.length > 0 || backlog.length > 0) break;
        const batch = await retrieval.pendingEmbeddings(embeddingBatch);
        if (batch.chunks.length === 0) break;
        const id = nextEmbedId++;
        const vectors = await new Promise<number[][] | null>((resolve) => {
          embedAnswers.set(id, resolve);
          post({ kind: "embed", id, texts: batch.texts });
        });
        // A failed batch ends the pass; the next idle queue or model starts another.
        if (vectors === null || embeddingModel !== model) break;
        retrieval.storeEmbeddings(batch.chunks, vectors);
        const { chunks, embedded } = retrieval.embeddingCounts();
        post({ kind: "embeddingProgress", done: embedded, total: chunks });
      }
    } finally {
      embedding = false;
    }
    const { chunks, embedded } = retrieval.embeddingCounts();
    post({ kind: "embeddingProgress", done: chunks, total: chunks });
    if (embedded > 0) await save();
  };

  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (;;) {
        // A saved file is read whatever its stamp: a save within the file system's time resolution keeps it.
        const saved = urgent.shift();
        const file = saved ?? backlog.shift();
        if (file === undefined) {
          // Terms no longer common go back into the index through a parse of the files that hold them.
          const restore = retrieval.restoreRareTerms();
          if (restore.length === 0) break;
          backlog.push(...restore);
          if (listed > 0) listed += restore.length;
          continue;
        }
        try {
          const verdict = await indexer.indexFile(file, saved === undefined ? retrieval.stamp(file) : undefined);
          if (verdict.indexed) {
            indexedFiles++;
            retrieval.setFile(file, verdict.chunks, { stamp: verdict.stamp, symbols: verdict.symbols });
            post({ kind: "file", file, symbols: verdict.symbols });
          } else if (verdict.reason === "unchanged") {
            unchangedFiles++;
            unchanged.push({ file, symbols: retrieval.symbols(file) });
            if (unchanged.length >= unchangedBatch) flushUnchanged();
          } else {
            skippedFiles++;
            // A file that became ignored, binary or too large must leave the index.
            retrieval.removeFile(file);
            post({ kind: "removed", file });
          }
        } catch (error) {
          skippedFiles++;
          post({ kind: "failed", message: `${file}: ${messageOf(error)}` });
        }
        const done = indexedFiles + unchangedFiles + skippedFiles;
        // Not post: progress need not wait for the batch of unchanged files to fill.
        if (backlog.length > 0 && done % progressEvery === 0)
          port.postMessage({ kind: "progress", done, total: listed } satisfies FromIndexer);
      }
      post({ kind: "idle", indexedFiles, unchangedFiles, skippedFiles, elapsedMs: performance.now() - startedAt });
      // Writing the whole index after each saved file would cost more than the file: saves wait for a listing's end
      // or a quiet minute. A save lost to a shutdown is made good by the next session's listing.
      const listingDone = listed > 0;
      listed = 0;
      if (listingDone || performance.now() - savedAt >= saveIntervalMs) {
        savedAt = performance.now();
        await save();
      }
    } finally {
      running = false;
    }
    void embedPending();
  };

  port.on("message", (message: unknown) => {
    if (!isToIndexer(message)) return;
    switch (message.kind) {
      case "definitions": {
        // A completion is waiting: answered beside the indexing queue, not after it.
        const { id, file, languageId } = message;
        indexer.importedDefinitions(file, languageId).then(
          (definitions) => post({ kind: "definitions", id, definitions: definitions ?? null }),
          (error: unknown) => {
            post({ kind: "definitions", id, definitions: null });
            post({ kind: "failed", message: `${file}: ${messageOf(error)}` });
          },
        );
        return;
      }
      case "retrieve": {
        const { id, query, limit, vector } = message;
        retrieval.retrieve(query, limit, vector).then(
          (chunks) => post({ kind: "retrieved", id, chunks }),
          (error: unknown) => {
            post({ kind: "retrieved", id, chunks: [] });
            post({ kind: "failed", message: `retrieval: ${messageOf(error)}` });
          },
        );
        return;
      }
      case "embeddings":
        embeddingModel = message.model;
        if (message.model !== null) retrieval.useEmbeddingModel(message.model);
        void embedPending();
        return;
      case "embedded": {
        const answer = embedAnswers.get(message.id);
        embedAnswers.delete(message.id);
        answer?.(message.vectors);
        return;
      }
      case "index":
        backlog = [...message.files];
        listed = backlog.length;
        retrieval.keepOnly(message.files);
        indexedFiles = 0;
        unchangedFiles = 0;
        skippedFiles = 0;
        startedAt = performance.now();
        break;
      case "update":
        if (path.posix.basename(message.file) === ".gitignore") indexer.invalidateGitignore(message.file);
        else urgent.push(message.file);
        break;
      case "remove":
        backlog = backlog.filter((file) => file !== message.file);
        retrieval.removeFile(message.file);
        post({ kind: "removed", file: message.file });
        break;
      case "shutdown":
        backlog = [];
        urgent.length = 0;
        embeddingModel = null;
        for (const answer of embedAnswers.values()) answer(null);
        // Native parsers, trees and queries are the garbage collector's to free, and a file being indexed may still
        // parse with web-tree-sitter: closing the port ends the thread, and its WASM memory with it.
        port.close();
        return;
    }
    void drain();
  });
}

main().catch((error: unknown) => {
  parentPort?.postMessage({
    kind: "failed",
    message: `the symbol index did not start: ${messageOf(error)}`,
  } satisfies FromIndexer);
  // Ending the thread tells the extension that no request will be answered.
  parentPort?.close();
});
