import path from "node:path";
import * as vscode from "vscode";
import type { ChunkEmbedder, Retriever } from "../../core/retrieval/indexerRetrieval";
import type { IndexerDefinitions } from "../../core/syntax/importedDefinitions";
import {
  excludeGlob,
  maxIndexedFiles,
  sourceFilesGlob,
  type WorkspaceSymbolIndex,
} from "../../core/syntax/symbolIndex";
import type { ToIndexer } from "../../core/syntax/symbolIndexProtocol";
import { SymbolIndexClient } from "../../node/syntax/symbolIndexClient";

/** The bundled worker sits next to dist/extension.js. */
const workerScript = path.join(__dirname, "symbolIndexWorker.js");
/** The retrieval index's file in the workspace's extension storage; its embeddings are kept beside it. */
const retrievalStoreName = "retrieval-index.json";
const embeddingsStoreName = "retrieval-index-embeddings.bin";

interface ProgressView {
  report(done: number, total: number): void;
  end(): void;
}

/**
 * Keeps the workspace symbol index's worker thread (SymbolIndexClient) told of the workspace: its folders, its files
 * as VS Code lists them, and the files saved, created, deleted and renamed. Only folders on disk are indexed; the
 * worker reads files itself. The same worker parses the files a document imports, for the completion's context, even
 * where no folder is open. It also cuts the files into the chunks of the chat's workspace retrieval, which it keeps
 * in the workspace's extension storage; a listing's indexing shows its progress in the status bar.
 */
export class WorkspaceSymbols implements vscode.Disposable {
  readonly index: WorkspaceSymbolIndex;
  readonly importedDefinitions: IndexerDefinitions;
  readonly retrieval: Retriever;
  private readonly client: SymbolIndexClient;
  private readonly subscriptions: vscode.Disposable[] = [];
  private scan: vscode.CancellationTokenSource | undefined;
  private indexing: ProgressView | undefined;
  private embedding: ProgressView | undefined;

  constructor(
    private readonly grammarDirectory: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    /** The workspace's extension storage; undefined without a workspace, and then retrieval is not kept. */
    private readonly storage: vscode.Uri | undefined,
  ) {
    this.client = new SymbolIndexClient(
      workerScript,
      log,
      (done, total) =>
        (this.indexing = this.showProgress(this.indexing, "indexing the workspace", "files", done, total)),
      (done, total) =>
        (this.embedding = this.showProgress(this.embedding, "embedding the workspace", "chunks", done, total)),
    );
    this.index = this.client.index;
    this.importedDefinitions = this.client.importedDefinitions;
    this.retrieval = this.client.retrieval;
    const post = (message: ToIndexer): void => this.client.post(message);
    this.subscriptions.push(
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (!this.covers(document.uri)) return;
        if (path.posix.basename(document.uri.path) === ".gitignore") {
          post({ kind: "update", file: document.uri.path });
          void this.rescan();
        } else post({ kind: "update", file: document.uri.path });
      }),
      vscode.workspace.onDidCreateFiles((event) =>
        event.files.filter((uri) => this.covers(uri)).forEach((uri) => post({ kind: "update", file: uri.path })),
      ),
      vscode.workspace.onDidDeleteFiles((event) =>
        event.files.filter((uri) => this.covers(uri)).forEach((uri) => post({ kind: "remove", file: uri.path })),
      ),
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
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((folder) => folder.uri.scheme === "file")
      .map((folder) => folder.uri.path);
  }

  private covers(uri: vscode.Uri): boolean {
    return uri.scheme === "file" && this.roots().some((root) => uri.path.startsWith(`${root}/`));
  }

  /** The embedding model for the chunks and the questions, or none (keyword ranking alone). */
  useEmbedder(embedder: ChunkEmbedder | undefined): void {
    this.client.useEmbedder(embedder);
    if (embedder !== undefined) return;
    this.embedding?.end();
    this.embedding = undefined;
  }

  private restart(): void {
    this.client.stop();
    this.endProgress();
    const roots = this.roots();
    if (this.grammarDirectory.scheme !== "file") return;
    this.client.start({ grammarDirectory: this.grammarDirectory.fsPath, roots, retrievalStore: this.retrievalStore() });
    if (roots.length > 0) void this.rescan();
  }

  private retrievalStore(): string | null {
    return this.storage?.scheme === "file" ? vscode.Uri.joinPath(this.storage, retrievalStoreName).fsPath : null;
  }

  /** Forgets the kept retrieval index and indexes the workspace from scratch. */
  async rebuild(): Promise<void> {
    this.client.stop();
    const store = this.retrievalStore();
    if (store !== null && this.storage !== undefined) {
      for (const name of [retrievalStoreName, embeddingsStoreName]) {
        const file = vscode.Uri.joinPath(this.storage, name);
        await vscode.workspace.fs.delete(file).then(undefined, () => undefined);
      }
    }
    this.restart();
  }

  private endProgress(): void {
    this.indexing?.end();
    this.embedding?.end();
    this.indexing = undefined;
    this.embedding = undefined;
  }

  /** The status bar's progress for a pass: shown while done < total, ended (and undefined returned) when it ends. */
  private showProgress(
    view: ProgressView | undefined,
    title: string,
    unit: string,
    done: number,
    total: number,
  ): ProgressView | undefined {
    if (done >= total) {
      view?.end();
      return undefined;
    }
    if (!view) {
      let end = (): void => undefined;
      let report: (done: number, total: number) => void = () => undefined;
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Llama Assist: ${title}` },
        (progress) =>
          new Promise<void>((resolve) => {
            report = (partDone, partTotal) => progress.report({ message: `${partDone}/${partTotal} ${unit}` });
            end = resolve;
          }),
      );
      view = { report: (partDone, partTotal) => report(partDone, partTotal), end: () => end() };
    }
    view.report(done, total);
    return view;
  }

  /** Lists the workspace's source files again (files.exclude applies) and has the worker index them. */
  private async rescan(): Promise<void> {
    this.scan?.cancel();
    this.scan?.dispose();
    const scan = new vscode.CancellationTokenSource();
    this.scan = scan;
    const filesExclude = vscode.workspace.getConfiguration("files").get<Record<string, unknown>>("exclude") ?? {};
    try {
      const uris = await vscode.workspace.findFiles(
        sourceFilesGlob(),
        excludeGlob(filesExclude),
        maxIndexedFiles,
        scan.token,
      );
      if (scan.token.isCancellationRequested) return;
      if (uris.length >= maxIndexedFiles)
        this.log.warn(
          `Workspace symbol index: the workspace has more than ${maxIndexedFiles} source files; only the first ${maxIndexedFiles} listed are indexed.`,
        );
      this.client.indexFiles(uris.filter((uri) => this.covers(uri)).map((uri) => uri.path));
    } catch (error) {
      this.log.warn(`Workspace symbol index: could not list the workspace's files: ${String(error)}`);
    }
  }

  dispose(): void {
    this.endProgress();
    this.scan?.cancel();
    this.scan?.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.client.stop();
  }
}
