import * as vscode from "vscode";
import path from "node:path";
import type { Proposal } from "../../core/refactor/pipeline";
import type { TargetSnapshot } from "../../core/refactor/reapply";
import type { Finding } from "../../core/shield/types";
import { previewScheme } from "./refactorIds";

/** One refactor waiting for Accept or Reject, with its own diff editor. */
export interface PendingRefactor {
  id: string;
  title: string;
  /** "replace": the target in `documentUri`; "newFile": a file to create at `newFileUri`. */
  output:
    | { kind: "replace"; documentUri: vscode.Uri; snapshot: TargetSnapshot }
    | { kind: "newFile"; newFileUri: vscode.Uri };
  original: string;
  proposal: Proposal;
  originalUri: vscode.Uri;
  proposedUri: vscode.Uri;
}

const diagnosticSource = "Llama Assist Refactor";

/**
 * The previews of pending refactors: their virtual documents (the original as sent, and the proposal), the Shield
 * findings and parse warning shown on the proposal, and the diff editors they live in.
 */
export class Previews implements vscode.Disposable {
  private readonly pending = new Map<string, PendingRefactor>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection("llamaAssistRefactor");
  private readonly subscriptions: vscode.Disposable[];
  private nextId = 1;

  constructor() {
    const provider: vscode.TextDocumentContentProvider = {
      provideTextDocumentContent: (uri) => {
        const found = this.byUri(uri);
        if (found === undefined) return "This refactor preview is no longer pending.\n";
        return uri.toString() === found.originalUri.toString() ? found.original : found.proposal.proposedDocument;
      },
    };
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(previewScheme, provider),
      // Closing the diff editor by hand is a Reject: nothing may stay pending without a preview to accept it from.
      vscode.window.tabGroups.onDidChangeTabs((event) => {
        for (const tab of event.closed) {
          const input = tab.input;
          if (input instanceof vscode.TabInputTextDiff && input.modified.scheme === previewScheme) {
            const found = this.byUri(input.modified);
            if (found !== undefined && !this.isShown(found)) void this.discard(found);
          }
        }
      }),
    ];
  }

  /** Registers a refactor and opens its diff editor. */
  async open(
    entry: Omit<PendingRefactor, "id" | "originalUri" | "proposedUri">,
    fileName: string,
  ): Promise<PendingRefactor> {
    const id = String(this.nextId++);
    // The file's own name keeps syntax highlighting and language features in the preview.
    const base = path.posix.basename(fileName);
    const pending: PendingRefactor = {
      ...entry,
      id,
      originalUri: vscode.Uri.from({ scheme: previewScheme, path: `/${id}/original/${base}` }),
      proposedUri: vscode.Uri.from({ scheme: previewScheme, path: `/${id}/proposed/${base}` }),
    };
    this.pending.set(id, pending);
    this.diagnostics.set(pending.proposedUri, previewDiagnostics(pending));
    await vscode.commands.executeCommand("vscode.diff", pending.originalUri, pending.proposedUri, pending.title, {
      preview: false,
    });
    return pending;
  }

  /** The pending refactor a preview document belongs to (either side). */
  byUri(uri: vscode.Uri): PendingRefactor | undefined {
    if (uri.scheme !== previewScheme) return undefined;
    return this.pending.get(uri.path.split("/")[1] ?? "");
  }

  /** The refactor of the active diff editor, or the only one pending. */
  active(): PendingRefactor | undefined {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputTextDiff) {
      const found = this.byUri(input.modified);
      if (found !== undefined) return found;
    }
    const editorUri = vscode.window.activeTextEditor?.document.uri;
    const fromEditor = editorUri === undefined ? undefined : this.byUri(editorUri);
    if (fromEditor !== undefined) return fromEditor;
    return this.pending.size === 1 ? [...this.pending.values()][0] : undefined;
  }

  isPending(entry: PendingRefactor): boolean {
    return this.pending.get(entry.id) === entry;
  }

  /** Forgets the refactor and closes its diff editor. */
  async discard(entry: PendingRefactor): Promise<void> {
    if (!this.pending.delete(entry.id)) return;
    this.diagnostics.delete(entry.proposedUri);
    const tabs = vscode.window.tabGroups.all.flatMap((group) =>
      group.tabs.filter(
        (tab) =>
          tab.input instanceof vscode.TabInputTextDiff &&
          tab.input.modified.toString() === entry.proposedUri.toString(),
      ),
    );
    if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
  }

  private isShown(entry: PendingRefactor): boolean {
    return vscode.window.tabGroups.all.some((group) =>
      group.tabs.some(
        (tab) =>
          tab.input instanceof vscode.TabInputTextDiff &&
          tab.input.modified.toString() === entry.proposedUri.toString(),
      ),
    );
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.diagnostics.dispose();
    this.pending.clear();
  }
}

/** Findings as squiggles on the proposal and as a list in the Problems panel; the parse warning beside them. */
function previewDiagnostics(entry: PendingRefactor): vscode.Diagnostic[] {
  const diagnostics = entry.proposal.findings.map((finding) => findingDiagnostic(finding));
  if (entry.proposal.breaksParse) {
    const line = entry.output.kind === "replace" ? lineOf(entry.original, entry.output.snapshot.start) : 0;
    const diagnostic = new vscode.Diagnostic(
      new vscode.Range(line, 0, line, 0),
      "The proposed code does not parse, though the original did. Check it before accepting.",
      vscode.DiagnosticSeverity.Error,
    );
    diagnostic.source = diagnosticSource;
    diagnostics.push(diagnostic);
  }
  if (entry.proposal.shieldFailure !== undefined) {
    const diagnostic = new vscode.Diagnostic(
      new vscode.Range(0, 0, 0, 0),
      entry.proposal.shieldFailure,
      vscode.DiagnosticSeverity.Error,
    );
    diagnostic.source = diagnosticSource;
    diagnostics.push(diagnostic);
  }
  return diagnostics;
}

function findingDiagnostic(finding: Finding): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(
    new vscode.Range(finding.startLine, finding.startColumn, finding.endLine, finding.endColumn),
    `Shield: ${finding.message} ${finding.fixHint}`.trim(),
    finding.severity === "block" ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diagnostic.source = diagnosticSource;
  diagnostic.code = `${finding.ruleId} (${finding.cwe})`;
  return diagnostic;
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let index = text.indexOf("\n"); index >= 0 && index < offset; index = text.indexOf("\n", index + 1)) line++;
  return line;
}
