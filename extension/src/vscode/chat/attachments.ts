import * as vscode from "vscode";
import type { StoredAttachment } from "../../core/chat/conversation";
import type { AttachmentChip } from "../../core/protocol/webview";

/** Bigger files are refused: they would not fit a local model's context anyway. */
const maxAttachmentCharacters = 200_000;
const maxMatches = 20;
/** The workspace's file list is refreshed at most this often while the user types @ mentions. */
const fileListLifetimeMs = 30_000;
const maxListedFiles = 20_000;

interface PendingAttachment extends StoredAttachment {
  id: string;
  detail: string;
}

export type AttachResult = { ok: true } | { ok: false; reason: string };

/** The context the user has attached to the message they are writing, shown as chips. */
export class Attachments {
  private pending: PendingAttachment[] = [];
  private nextId = 1;
  private fileList: { at: number; paths: Map<string, vscode.Uri> } | undefined;

  chips(): AttachmentChip[] {
    return this.pending.map(({ id, label, detail }) => ({ id, label, detail }));
  }

  /** Hands the attachments to the message being sent and starts over. */
  take(): StoredAttachment[] {
    const taken = this.pending.map(({ label, languageId, content }) => ({ label, languageId, content }));
    this.pending = [];
    return taken;
  }

  remove(id: string): void {
    this.pending = this.pending.filter((attachment) => attachment.id !== id);
  }

  addSelection(editor: vscode.TextEditor | undefined): AttachResult {
    if (editor === undefined || editor.selection.isEmpty)
      return { ok: false, reason: "Select some code in an editor first." };
    const { document, selection } = editor;
    const name = vscode.workspace.asRelativePath(document.uri);
    const first = selection.start.line + 1;
    const last =
      selection.end.character === 0 && selection.end.line > selection.start.line
        ? selection.end.line
        : selection.end.line + 1;
    return this.add({
      label: `${name}:${first}-${last}`,
      detail: `Lines ${first}–${last} of ${document.uri.fsPath || document.uri.toString()}`,
      languageId: document.languageId,
      content: document.getText(selection),
    });
  }

  addDocument(document: vscode.TextDocument | undefined): AttachResult {
    if (document === undefined) return { ok: false, reason: "Open a file in an editor first." };
    const name = vscode.workspace.asRelativePath(document.uri);
    return this.add({
      label: name,
      detail: document.uri.fsPath || document.uri.toString(),
      languageId: document.languageId,
      content: document.getText(),
    });
  }

  /** Only paths the search offered can be attached: the webview cannot name an arbitrary file. */
  async addWorkspaceFile(relativePath: string): Promise<AttachResult> {
    const uri = (await this.workspaceFiles()).get(relativePath);
    if (uri === undefined) return { ok: false, reason: `${relativePath} is not a file of this workspace.` };
    const document = await vscode.workspace.openTextDocument(uri);
    return this.addDocument(document);
  }

  async search(query: string): Promise<string[]> {
    const needle = query.toLowerCase();
    const matches: Array<{ path: string; rank: number }> = [];
    for (const path of (await this.workspaceFiles()).keys()) {
      const lower = path.toLowerCase();
      const base = lower.slice(lower.lastIndexOf("/") + 1);
      const rank = base.startsWith(needle) ? 0 : base.includes(needle) ? 1 : lower.includes(needle) ? 2 : -1;
      if (rank >= 0) matches.push({ path, rank });
    }
    matches.sort((a, b) => a.rank - b.rank || a.path.length - b.path.length || a.path.localeCompare(b.path));
    return matches.slice(0, maxMatches).map((match) => match.path);
  }

  private add(attachment: Omit<PendingAttachment, "id">): AttachResult {
    if (attachment.content.length > maxAttachmentCharacters) {
      return {
        ok: false,
        reason: `${attachment.label} is too large to attach (${attachment.content.length.toLocaleString("en-US")} characters).`,
      };
    }
    // Attaching the same thing twice replaces it: the newer text is what the user means.
    this.pending = this.pending.filter((existing) => existing.label !== attachment.label);
    this.pending.push({ ...attachment, id: String(this.nextId++) });
    return { ok: true };
  }

  private async workspaceFiles(): Promise<Map<string, vscode.Uri>> {
    if (this.fileList !== undefined && Date.now() - this.fileList.at < fileListLifetimeMs) return this.fileList.paths;
    const uris = await vscode.workspace.findFiles("**/*", undefined, maxListedFiles);
    const paths = new Map(uris.map((uri) => [vscode.workspace.asRelativePath(uri), uri] as const));
    this.fileList = { at: Date.now(), paths };
    return paths;
  }
}
