// The worker thread that builds the workspace symbol index: whole-file parses stay off the extension host's thread.
// It parses with native tree-sitter (node_modules, outside the bundle), and with web-tree-sitter where that has no
// binary for the platform; the extension host keeps web-tree-sitter. The same parse cuts each file into the chunks the
// chat's workspace retrieval ranks (node/retrieval/workspaceRetrieval.ts), which this thread keeps and searches.
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { nativeDefinitionsLoader, nativeOrFallback } from "./nativeDefinitions";
import { WorkspaceRetrieval } from "../retrieval/workspaceRetrieval";
import { DefinitionsByLanguage, SymbolIndexer } from "../../core/syntax/symbolIndex";
import { isIndexerWorkerData, isToIndexer, type FromIndexer } from "../../core/syntax/symbolIndexProtocol";
import { WasmDefinitions } from "../../core/syntax/wasmDefinitions";

/** Progress is reported every this many files of a listing. */
const progressEvery = 50;
const saveIntervalMs = 60_000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const post = (message: FromIndexer): void => port.postMessage(message);
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
  const indexer = new SymbolIndexer(
    definitions,
    {
      size: (file) =>
        stat(file).then(
          (info) => (info.isFile() ? info.size : undefined),
          () => undefined,
        ),
      read: (file) => readFile(file).catch(() => undefined),
    },
    roots,
  );

  // Saved files jump the queue: the user is looking at them.
  let backlog: string[] = [];
  const urgent: string[] = [];
  let running = false;
  let indexedFiles = 0;
  let skippedFiles = 0;
  let startedAt = performance.now();
  let listed = 0;
  let savedAt = performance.now();

  const drain = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (let file = urgent.shift() ?? backlog.shift(); file !== undefined; file = urgent.shift() ?? backlog.shift()) {
        try {
          const verdict = await indexer.indexFile(file);
          if (verdict.indexed) {
            indexedFiles++;
            retrieval.setFile(file, verdict.chunks);
            post({ kind: "file", file, symbols: verdict.symbols });
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
        const done = indexedFiles + skippedFiles;
        if (backlog.length > 0 && done % progressEvery === 0) post({ kind: "progress", done, total: listed });
      }
      post({ kind: "idle", indexedFiles, skippedFiles, elapsedMs: performance.now() - startedAt });
      // Writing the whole index after each saved file would cost more than the file: saves wait for a listing's end
      // or a quiet minute. A save lost to a shutdown is made good by the next session's listing.
      const listingDone = listed > 0;
      listed = 0;
      if (!listingDone && performance.now() - savedAt < saveIntervalMs) return;
      savedAt = performance.now();
      await retrieval
        .save()
        .catch((error: unknown) =>
          post({ kind: "failed", message: `the retrieval index was not saved: ${messageOf(error)}` }),
        );
    } finally {
      running = false;
    }
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
        const { id, query, limit } = message;
        retrieval.retrieve(query, limit).then(
          (chunks) => post({ kind: "retrieved", id, chunks }),
          (error: unknown) => {
            post({ kind: "retrieved", id, chunks: [] });
            post({ kind: "failed", message: `retrieval: ${messageOf(error)}` });
          },
        );
        return;
      }
      case "index":
        backlog = [...message.files];
        listed = backlog.length;
        retrieval.keepOnly(message.files);
        indexedFiles = 0;
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
