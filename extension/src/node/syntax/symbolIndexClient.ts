// The extension's side of the workspace symbol index's worker thread (symbolIndexWorker.ts): it starts and stops the
// thread, mirrors what the thread sends in a WorkspaceSymbolIndex that the prompt reads synchronously, and passes the
// thread's answers about imported files to the requests waiting for them.
import { Worker } from "node:worker_threads";
import { type ChunkEmbedder, IndexerRetrieval } from "../../core/retrieval/indexerRetrieval";
import { IndexerDefinitions } from "../../core/syntax/importedDefinitions";
import { WorkspaceSymbolIndex } from "../../core/syntax/symbolIndex";
import { isFromIndexer, type IndexerWorkerData, type ToIndexer } from "../../core/syntax/symbolIndexProtocol";

export interface SymbolIndexLog {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * The thread's V8 limits. Its young generation (48 MB by default in 64-bit Node) is garbage the index's peak carries
 * on top of the index: bench:retrieval's 10,000-file workspace peaked 22 to 24 MB lower by the end of a first start's
 * listing with 8 MB, and 28 MB lower over the whole start, its listing no slower (single runs, load average 3 to 6).
 */
export const indexerResourceLimits = { maxYoungGenerationSizeMb: 8 };

/** How long a thread asked to shut down may take before it is terminated: it may be stuck in a parse. */
const shutdownGraceMs = 2000;

export class SymbolIndexClient {
  readonly index = new WorkspaceSymbolIndex();
  readonly importedDefinitions = new IndexerDefinitions();
  readonly retrieval = new IndexerRetrieval();
  private worker: Worker | undefined;
  private embedder: ChunkEmbedder | undefined;
  /** Vectors the host has computed since the last embedding pass ended, for the log line that says it ended. */
  private embeddedInPass = 0;

  constructor(
    /** Absolute path of the bundled thread, dist/symbolIndexWorker.js. */
    private readonly workerScript: string,
    private readonly log: SymbolIndexLog,
    /** Told how far a listing's indexing has got, and (done === total) when it has ended. */
    private readonly progress: (done: number, total: number) => void = () => undefined,
    /** Told how many chunks have embeddings, and (done === total) when the embedding pass has ended. */
    private readonly embeddingProgress: (done: number, total: number) => void = () => undefined,
  ) {}

  /**
   * The embedding model that embeds the chunks in the background and each question, or none: retrieval then ranks by
   * keywords alone. Kept across worker restarts.
   */
  useEmbedder(embedder: ChunkEmbedder | undefined): void {
    this.embedder = embedder;
    this.retrieval.useEmbedder(embedder);
    this.post({ kind: "embeddings", model: embedder?.model ?? null });
  }

  private embed(worker: Worker, id: number, texts: string[]): void {
    const embedder = this.embedder;
    const answer = (vectors: number[][] | null): void => {
      if (this.worker === worker) worker.postMessage({ kind: "embedded", id, vectors } satisfies ToIndexer);
    };
    if (embedder === undefined) {
      answer(null);
      return;
    }
    embedder.embed(texts, "document").then(
      (vectors) => {
        if (this.worker === worker) this.embeddedInPass += vectors.length;
        answer(vectors);
      },
      (error: unknown) => {
        this.log.warn(`Workspace embeddings: ${error instanceof Error ? error.message : String(error)}`);
        answer(null);
      },
    );
  }

  /** Starts a thread for these folders in place of the running one; the index keeps its files till the next listing. */
  start(data: IndexerWorkerData): void {
    this.stop();
    const worker = new Worker(this.workerScript, { workerData: data, resourceLimits: indexerResourceLimits });
    this.worker = worker;
    this.embeddedInPass = 0;
    this.importedDefinitions.attach((message) => worker.postMessage(message));
    this.retrieval.attach((message) => worker.postMessage(message));
    if (this.embedder !== undefined) worker.postMessage({ kind: "embeddings", model: this.embedder.model });
    worker.on("message", (message: unknown) => {
      if (this.worker !== worker || !isFromIndexer(message)) return;
      switch (message.kind) {
        case "file":
          this.index.setFile(message.file, message.symbols);
          break;
        case "files":
          for (const { file, symbols } of message.files) this.index.setFile(file, symbols);
          break;
        case "removed":
          this.index.removeFile(message.file);
          break;
        case "progress":
          this.progress(message.done, message.total);
          break;
        case "retrieved":
          this.retrieval.receive(message);
          break;
        case "embed":
          this.embed(worker, message.id, message.texts);
          break;
        case "embeddingProgress":
          this.embeddingProgress(message.done, message.total);
          // The status bar's progress is gone when a pass ends; the log keeps what it did, so an unused lane shows.
          if (message.done === message.total && this.embeddedInPass > 0) {
            this.log.info(
              `Workspace embeddings: ${this.embeddedInPass} chunks embedded by the host; the index holds ${message.total} chunks.`,
            );
            this.embeddedInPass = 0;
          }
          break;
        case "idle": {
          const { indexedFiles, unchangedFiles, skippedFiles } = message;
          const done = indexedFiles + unchangedFiles + skippedFiles;
          this.progress(done, done);
          const elapsedMs = Math.round(message.elapsedMs);
          this.log.info(
            `Workspace symbol index: ${this.index.fileCount} files (${indexedFiles} parsed, ${unchangedFiles} unchanged ` +
              `since the stored index, ${skippedFiles} skipped) in ${elapsedMs} ms.`,
          );
          break;
        }
        case "failed":
          this.log.warn(`Workspace symbol index: ${message.message}`);
          break;
        case "definitions":
          this.importedDefinitions.receive(message);
          break;
      }
    });
    worker.on("error", (error) => this.log.warn(`The workspace symbol index stopped: ${error.message}`));
    worker.on("exit", () => {
      if (this.worker !== worker) return;
      // Completions go on without other files' definitions rather than wait for answers that will not come.
      this.worker = undefined;
      this.importedDefinitions.attach(undefined);
      this.retrieval.attach(undefined);
    });
  }

  /** Tells the running thread, if there is one, of a saved, created or deleted file. */
  post(message: ToIndexer): void {
    this.worker?.postMessage(message);
  }

  /** The workspace's files as listed anew: files no longer listed leave the index, the thread indexes the others. */
  indexFiles(files: string[]): void {
    const listed = new Set(files);
    for (const file of this.index.paths().filter((indexed) => !listed.has(indexed))) this.index.removeFile(file);
    this.post({ kind: "index", files });
  }

  /** Asks the running thread to end; requests it had not answered fail. */
  stop(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.importedDefinitions.attach(undefined);
    this.retrieval.attach(undefined);
    if (!worker) return;
    worker.postMessage({ kind: "shutdown" } satisfies ToIndexer);
    // The thread ends by itself once its queue is dropped; this bounds one stuck in a parse.
    setTimeout(() => void worker.terminate(), shutdownGraceMs).unref();
  }
}
