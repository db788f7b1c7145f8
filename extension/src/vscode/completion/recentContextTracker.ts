import * as vscode from "vscode";
import type { ContextSnippet } from "../../core/completion/prompt";
import { RecentEdits, RecentViews, recentSnippets, type OpenDocuments } from "../../core/completion/recentContext";

/** Documents the user edits or reads as code; output channels, diffs and our own refactor previews are not. */
const trackedSchemes: ReadonlySet<string> = new Set(["file", "untitled", "vscode-remote", "vscode-vfs"]);

/** What the prompt takes from the user's recent work: a few edited ranges and one screen of a few viewed files. */
const limits = { edits: 8, views: 4, maxEdits: 3, maxViews: 2, maxViewLines: 24 };

/**
 * Remembers where the user edited and what they had on screen, as line numbers only (a
 * keystroke costs a few comparisons), and reads those lines when a prompt is built.
 */
export class RecentContextTracker implements vscode.Disposable {
  private readonly edits = new RecentEdits(limits.edits);
  private readonly views = new RecentViews(limits.views);
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (!trackedSchemes.has(event.document.uri.scheme)) return;
        const key = event.document.uri.toString();
        for (const change of event.contentChanges) {
          let addedLines = 0;
          for (let index = change.text.indexOf("\n"); index >= 0; index = change.text.indexOf("\n", index + 1))
            addedLines++;
          this.edits.record({
            key,
            startLine: change.range.start.line,
            oldEndLine: change.range.end.line,
            newEndLine: change.range.start.line + addedLines,
          });
        }
      }),
      vscode.window.onDidChangeTextEditorVisibleRanges((event) => this.recordView(event.textEditor)),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.recordView(editor)),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.edits.forget(document.uri.toString());
        this.views.forget(document.uri.toString());
      }),
    ];
  }

  private recordView(editor: vscode.TextEditor): void {
    const visible = editor.visibleRanges[0];
    if (!visible || !trackedSchemes.has(editor.document.uri.scheme)) return;
    this.views.record({
      key: editor.document.uri.toString(),
      startLine: visible.start.line,
      endLine: visible.end.line,
    });
  }

  /** Recent edits elsewhere (not in the lines around the cursor) and views of other files, for the prompt. */
  snippetsFor(document: vscode.TextDocument, position: vscode.Position, windowLines: number): ContextSnippet[] {
    const documents: OpenDocuments = {
      paths: (key) => {
        const open = findOpen(key);
        return open && { display: vscode.workspace.asRelativePath(open.uri), absolute: open.uri.path };
      },
      lines: (key, startLine, endLine) => {
        const open = findOpen(key);
        if (!open || startLine >= open.lineCount) return undefined;
        return open.getText(
          new vscode.Range(startLine, 0, Math.min(endLine, open.lineCount - 1), Number.MAX_SAFE_INTEGER),
        );
      },
    };
    return recentSnippets({
      edits: this.edits.list(),
      views: this.views.list(),
      currentKey: document.uri.toString(),
      cursorLine: position.line,
      windowLines,
      documents,
      maxEdits: limits.maxEdits,
      maxViews: limits.maxViews,
      maxViewLines: limits.maxViewLines,
    });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

function findOpen(key: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((document) => document.uri.toString() === key && !document.isClosed);
}
