import * as vscode from "vscode";
import { DefinitionContext } from "../../core/syntax/definitionContext";
import { linesReader, textReader, type DocumentReader } from "../../core/syntax/documentReader";
import { DocumentTree, type TextChange } from "../../core/syntax/documentTree";
import type { ChunkEmbedder, Retriever } from "../../core/retrieval/indexerRetrieval";
import type { ImportedDefinitions } from "../../core/syntax/importedDefinitions";
import { QueryStore } from "../../core/syntax/queries";
import { SyntaxRuntime } from "../../core/syntax/syntaxRuntime";
import { WorkspaceSymbols } from "./workspaceSymbols";
import type { WorkspaceSymbolIndex } from "../../core/syntax/symbolIndex";

/** Context from other files may hold up a completion by at most this much; later results serve the next one. */
const contextTimeLimitMs = 40;

/**
 * One incrementally updated parse tree per open document, for the completion pipeline. Trees
 * are created when a grammar is ready, updated on every change, and deleted on close.
 */
export class DocumentTrees implements vscode.Disposable {
  private readonly trees = new Map<string, DocumentTree>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private runtime: SyntaxRuntime | undefined;
  /** Settles once the runtime has loaded (undefined if it failed or this was disposed first). */
  private readonly runtimeLoaded: Promise<SyntaxRuntime | undefined>;
  /** The compiled queries that go with the runtime; refactors share them. */
  readonly queries: QueryStore;
  private context: DefinitionContext | undefined;
  private readonly workspaceSymbols: WorkspaceSymbols;
  private disposed = false;

  constructor(
    grammarDir: vscode.Uri,
    private readonly maxParsedFileChars: () => number,
    private readonly log: vscode.LogOutputChannel,
    retrievalStorage: vscode.Uri | undefined,
  ) {
    const grammars = {
      load: async (fileName: string) => vscode.workspace.fs.readFile(vscode.Uri.joinPath(grammarDir, fileName)),
    };
    this.queries = new QueryStore(grammars);
    this.workspaceSymbols = new WorkspaceSymbols(grammarDir, log, retrievalStorage);
    this.runtimeLoaded = SyntaxRuntime.create(grammars).then(
      (runtime) => {
        if (this.disposed) {
          runtime.dispose();
          return undefined;
        }
        this.runtime = runtime;
        this.context = new DefinitionContext({
          runtime,
          queries: this.queries,
          imported: this.workspaceSymbols.importedDefinitions,
          roots: (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.path),
          symbols: this.workspaceSymbols.index,
          timeLimitMs: contextTimeLimitMs,
        });
        for (const document of vscode.workspace.textDocuments) void this.open(document);
        return runtime;
      },
      (error: unknown) => {
        log.error(
          `Completions and refactors run without syntax trees: the tree-sitter runtime did not load: ${String(error)}`,
        );
        return undefined;
      },
    );
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((document) => void this.open(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.change(event)),
      vscode.workspace.onDidCloseTextDocument((document) => this.close(document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.context?.invalidate(document.uri.path)),
      vscode.workspace.onDidCreateFiles((event) => event.files.forEach((uri) => this.context?.invalidate(uri.path))),
      vscode.workspace.onDidDeleteFiles((event) => event.files.forEach((uri) => this.context?.invalidate(uri.path))),
      vscode.workspace.onDidRenameFiles((event) =>
        event.files.forEach(({ oldUri, newUri }) =>
          [oldUri, newUri].forEach((uri) => this.context?.invalidate(uri.path)),
        ),
      ),
    );
  }

  /** The workspace's definitions by name, for the chat's @symbol mentions. */
  get symbolIndex(): WorkspaceSymbolIndex {
    return this.workspaceSymbols.index;
  }

  /** The worker that reads and parses imported files, for refactors' definitions too. */
  get importedDefinitions(): ImportedDefinitions {
    return this.workspaceSymbols.importedDefinitions;
  }

  /** The workspace index's chunks that match a question, for the chat. */
  get retrieval(): Retriever {
    return this.workspaceSymbols.retrieval;
  }

  /** The embedding model for workspace retrieval, or none: keyword ranking alone. */
  useEmbedder(embedder: ChunkEmbedder | undefined): void {
    this.workspaceSymbols.useEmbedder(embedder);
  }

  /** Indexes the workspace from scratch, its kept retrieval index forgotten. */
  rebuildWorkspaceIndex(): Promise<void> {
    return this.workspaceSymbols.rebuild();
  }

  /** Signatures of imported symbols, once the runtime has loaded. */
  get definitionContext(): DefinitionContext | undefined {
    return this.context;
  }

  /** The runtime, once loaded; completion checks parse through it. */
  get syntaxRuntime(): SyntaxRuntime | undefined {
    return this.runtime;
  }

  /** The same runtime for callers that can wait for it to load: the extension keeps one per window. */
  whenRuntimeLoaded(): Promise<SyntaxRuntime | undefined> {
    return this.runtimeLoaded.then((runtime) => (this.disposed ? undefined : runtime));
  }

  /** The document's tree, re-parsed when a request asks for it; undefined without a grammar, still loading, or too large. */
  parsedTreeOf(document: vscode.TextDocument): DocumentTree | undefined {
    const tree = this.trees.get(document.uri.toString());
    return tree && documentLength(document) <= this.maxParsedFileChars() ? tree : undefined;
  }

  private async open(document: vscode.TextDocument): Promise<void> {
    const runtime = this.runtime;
    const key = document.uri.toString();
    if (!runtime || this.trees.has(key)) return;
    try {
      const language = await runtime.language(document.languageId);
      if (!language || this.disposed || this.trees.has(key) || document.isClosed) return;
      const text = documentLength(document) > this.maxParsedFileChars() ? undefined : document.getText();
      const tree = new DocumentTree(runtime, language, text, this.maxParsedFileChars());
      this.trees.set(key, tree);
      // A copy, because the next change edits the document's tree while the prefetch waits for its queries.
      const parsed = text === undefined ? undefined : tree.treeFor(textReader(text), text.length)?.copy();
      if (parsed && text !== undefined && this.context) {
        void this.context
          .prefetchImports({
            languageId: document.languageId,
            path: document.uri.path,
            tree: parsed,
            cursor: 0,
            parse: tree.lastParse,
          })
          // A failed prefetch leaves the reading to the first request that needs the file.
          .catch(() => undefined)
          .finally(() => parsed.delete());
      } else parsed?.delete();
    } catch (error) {
      this.log.warn(`No syntax tree for ${document.languageId}: ${String(error)}`);
    }
  }

  private change(event: vscode.TextDocumentChangeEvent): void {
    const tree = this.trees.get(event.document.uri.toString());
    if (!tree || event.contentChanges.length === 0) return;
    const changes: TextChange[] = event.contentChanges.map((change) => ({
      rangeOffset: change.rangeOffset,
      rangeLength: change.rangeLength,
      start: { row: change.range.start.line, column: change.range.start.character },
      end: { row: change.range.end.line, column: change.range.end.character },
      text: change.text,
    }));
    // Only an edit here: the re-parse waits for a completion request, and reads the text that request reads anyway.
    if (documentLength(event.document) > this.maxParsedFileChars()) tree.dropTree();
    else tree.edit(changes);
  }

  private close(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.trees.get(key)?.dispose();
    this.trees.delete(key);
  }

  dispose(): void {
    this.disposed = true;
    for (const subscription of this.subscriptions) subscription.dispose();
    this.workspaceSymbols.dispose();
    for (const tree of this.trees.values()) tree.dispose();
    this.trees.clear();
    this.queries.dispose();
    this.context = undefined;
    this.runtime?.dispose();
    this.runtime = undefined;
  }
}

/** The document's length without copying its text, which for a 5 MB file would cost more than the keystroke. */
export function documentLength(document: vscode.TextDocument): number {
  return document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
}

/** Reads a document line by line, without getText()'s copy of all of it; lines past its end read as its end. */
export function documentReader(document: vscode.TextDocument): DocumentReader {
  return linesReader({
    line: (row) => (row < document.lineCount ? document.lineAt(row).text : undefined),
    // VS Code's positionAt puts the "\n" of a "\r\n" at the line's end, where its "\r" is.
    positionAt: (index) => {
      const row = document.positionAt(index).line;
      return { row, column: index - document.offsetAt(new vscode.Position(row, 0)) };
    },
    eol: document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n",
  });
}

export function register(
  grammarDir: vscode.Uri,
  maxParsedFileChars: () => number,
  log: vscode.LogOutputChannel,
  retrievalStorage: vscode.Uri | undefined,
): DocumentTrees {
  return new DocumentTrees(grammarDir, maxParsedFileChars, log, retrievalStorage);
}
