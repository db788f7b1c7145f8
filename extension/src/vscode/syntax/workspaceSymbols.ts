import path from "node:path";
import { Worker } from "node:worker_threads";
import * as vscode from "vscode";
import { IndexerDefinitions } from "../../core/syntax/importedDefinitions";
import { excludeGlob, maxIndexedFiles, sourceFilesGlob, WorkspaceSymbolIndex } from "../../core/syntax/symbolIndex";
import { isFromIndexer, type IndexerWorkerData, type ToIndexer } from "../../core/syntax/symbolIndexProtocol";

/** The bundled worker sits next to dist/extension.js. */
const workerScript = path.join(__dirname, "symbolIndexWorker.js");

/**
 * Keeps a worker thread that parses the workspace's files into their top-level definitions, and
 * mirrors its results in a WorkspaceSymbolIndex that the prompt reads synchronously. Only folders
 * on disk are indexed; the worker reads files itself. The same worker parses the files a document
 * imports, for the completion's context, even where no folder is open.
 */
export class WorkspaceSymbols implements vscode.Disposable {
  readonly index = new WorkspaceSymbolIndex();
  readonly importedDefinitions = new IndexerDefinitions();
  private worker: Worker | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private scan: vscode.CancellationTokenSource | undefined;

  constructor(
    private readonly grammarDirectory: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const post = (message: ToIndexer): void => this.worker?.postMessage(message);
    this.subscriptions.push(
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (!this.covers(document.uri)) return;
        if (path.posix.basename(document.uri.path) === ".gitignore") {
          post({ kind: "update", file: document.uri.path });
          void this.rescan();
        } else post({ kind: "update", file: document.uri.path });
      }),
      vscode.workspace.onDidCreateFiles((event) => event.files.filter((uri) => this.covers(uri)).forEach((uri) => post({ kind: "update", file: uri.path }))),
      vscode.workspace.onDidDeleteFiles((event) => event.files.filter((uri) => this.covers(uri)).forEach((uri) => post({ kind: "remove", file: uri.path }))),
      vscode.workspace.onDidRenameFiles((event) =>
        event.files.forEach(({ oldUri, newUri }) => {
          if (this.covers(oldUri)) post({ kind: "remove", file: oldUri.path });
          if (this.covers(newUri)) post({ kind: "update", file: newUri.path });
        }),
      ),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.restart()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("files.exclude")) void this.rescan();
      }),
    );
    this.restart();
  }

  private roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === "file").map((folder) => folder.uri.path);
  }

  private covers(uri: vscode.Uri): boolean {
    return uri.scheme === "file" && this.roots().some((root) => uri.path.startsWith(`${root}/`));
  }

  private restart(): void {
    this.stopWorker();
    const roots = this.roots();
    if (this.grammarDirectory.scheme !== "file") return;
    const data: IndexerWorkerData = { grammarDirectory: this.grammarDirectory.fsPath, roots };
    const worker = new Worker(workerScript, { workerData: data });
    this.worker = worker;
    this.importedDefinitions.attach((message) => worker.postMessage(message));
    worker.on("message", (message: unknown) => {
      if (this.worker !== worker || !isFromIndexer(message)) return;
      switch (message.kind) {
        case "file":
          this.index.setFile(message.file, message.symbols);
          break;
        case "removed":
          this.index.removeFile(message.file);
          break;
        case "idle":
          this.log.info(`Workspace symbol index: ${this.index.fileCount} files (${message.skippedFiles} skipped) in ${Math.round(message.elapsedMs)} ms.`);
          break;
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
    });
    if (roots.length > 0) void this.rescan();
  }

  /** Lists the workspace's source files again (files.exclude applies) and has the worker index them. */
  private async rescan(): Promise<void> {
    this.scan?.cancel();
    this.scan?.dispose();
    const scan = new vscode.CancellationTokenSource();
    this.scan = scan;
    const filesExclude = vscode.workspace.getConfiguration("files").get<Record<string, unknown>>("exclude") ?? {};
    try {
      const uris = await vscode.workspace.findFiles(sourceFilesGlob(), excludeGlob(filesExclude), maxIndexedFiles, scan.token);
      if (scan.token.isCancellationRequested) return;
      const files = uris.filter((uri) => this.covers(uri)).map((uri) => uri.path);
      const listed = new Set(files);
      const gone = this.index.paths().filter((file) => !listed.has(file));
      for (const file of gone) this.index.removeFile(file);
      this.worker?.postMessage({ kind: "index", files } satisfies ToIndexer);
    } catch (error) {
      this.log.warn(`Workspace symbol index: could not list the workspace's files: ${String(error)}`);
    }
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = undefined;
    this.importedDefinitions.attach(undefined);
    if (!worker) return;
    worker.postMessage({ kind: "shutdown" } satisfies ToIndexer);
    // The worker ends by itself once its queue is dropped; this bounds a worker stuck in a parse.
    setTimeout(() => void worker.terminate(), 2000).unref();
  }

  dispose(): void {
    this.scan?.cancel();
    this.scan?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.stopWorker();
  }
}
