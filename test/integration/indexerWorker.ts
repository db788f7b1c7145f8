// The symbol index worker thread driven directly, as an integration test sees it: every message it sends, the symbol
// index and imported definitions they build as SymbolIndexClient builds them, and its retrieval answers.
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { IndexerRetrieval } from "../../extension/src/core/retrieval/indexerRetrieval";
import { IndexerDefinitions } from "../../extension/src/core/syntax/importedDefinitions";
import { WorkspaceSymbolIndex } from "../../extension/src/core/syntax/symbolIndex";
import {
  isFromIndexer,
  type FromIndexer,
  type IndexerWorkerData,
  type ToIndexer,
} from "../../extension/src/core/syntax/symbolIndexProtocol";

/** A worker thread, the index its messages build and its answers for imported files, as WorkspaceSymbols keeps them. */
export class IndexerWorker {
  readonly index = new WorkspaceSymbolIndex();
  readonly importedDefinitions = new IndexerDefinitions();
  readonly retrieval = new IndexerRetrieval();
  readonly messages: FromIndexer[] = [];
  private readonly worker: Worker;
  private waiters: Array<() => void> = [];

  constructor(script: string, data: IndexerWorkerData) {
    const worker = new Worker(script, { workerData: data });
    this.worker = worker;
    this.importedDefinitions.attach((message) => worker.postMessage(message));
    this.retrieval.attach((message) => worker.postMessage(message));
    this.worker.on("message", (message: unknown) => {
      assert.ok(isFromIndexer(message), `unexpected message ${JSON.stringify(message)}`);
      this.messages.push(message);
      if (message.kind === "file") this.index.setFile(message.file, message.symbols);
      if (message.kind === "files") for (const { file, symbols } of message.files) this.index.setFile(file, symbols);
      if (message.kind === "removed") this.index.removeFile(message.file);
      if (message.kind === "definitions") this.importedDefinitions.receive(message);
      if (message.kind === "retrieved") this.retrieval.receive(message);
      const pending = this.waiters;
      this.waiters = [];
      for (const waiter of pending) waiter();
    });
  }

  post(message: ToIndexer): void {
    this.worker.postMessage(message);
  }

  until(predicate: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (predicate()) resolve();
        else this.waiters.push(check);
      };
      check();
    });
  }

  idleCount(): number {
    return this.messages.filter((message) => message.kind === "idle").length;
  }

  /** Posts a listing and waits for the worker to be idle again; its idle report. */
  async list(files: string[]): Promise<Extract<FromIndexer, { kind: "idle" }>> {
    const before = this.idleCount();
    this.post({ kind: "index", files });
    await this.until(() => this.idleCount() > before);
    const idle = this.messages.findLast((message) => message.kind === "idle");
    assert.ok(idle?.kind === "idle");
    return idle;
  }

  exited(): Promise<number> {
    return new Promise((resolve) => this.worker.once("exit", resolve));
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
