import * as vscode from "vscode";
import type { StoredAttachment } from "../../core/chat/conversation";
import {
  type Problem,
  definitionLines,
  estimatedTokens,
  folderText,
  formatProblems,
  keywordMatches,
  mentionAt,
} from "../../core/chat/mentions";
import type { AttachmentChip, MentionItem, MentionKind } from "../../core/protocol/webview";
import type { WorkspaceSymbolIndex } from "../../core/syntax/symbolIndex";
import { gitDiffOfWorkingTree } from "../../node/chat/gitDiff";

/** Bigger files are refused: they would not fit a local model's context anyway. */
const maxAttachmentCharacters = 200_000;
const maxMatches = 20;
/** The workspace's file list is refreshed at most this often while the user types @ mentions. */
const fileListLifetimeMs = 30_000;
const maxListedFiles = 20_000;

interface PendingAttachment extends StoredAttachment {
  id: string;
  kind: MentionKind;
  detail: string;
}

/** The part of VS Code's git extension API (extensions/git/src/api/git.d.ts) that @changes uses. */
interface GitApi {
  repositories: readonly { rootUri: vscode.Uri; diff(cached?: boolean): Promise<string> }[];
}

const severityNames: Readonly<Record<vscode.DiagnosticSeverity, Problem["severity"]>> = {
  [vscode.DiagnosticSeverity.Error]: "error",
  [vscode.DiagnosticSeverity.Warning]: "warning",
  [vscode.DiagnosticSeverity.Information]: "information",
  [vscode.DiagnosticSeverity.Hint]: "hint",
};

export type AttachResult = { ok: true } | { ok: false; reason: string };

/** The context the user has attached to the message they are writing, shown as chips. */
export class Attachments {
  private pending: PendingAttachment[] = [];
  private nextId = 1;
  private fileList: { at: number; paths: Map<string, vscode.Uri> } | undefined;

  constructor(private readonly symbols: WorkspaceSymbolIndex) {}

  chips(): AttachmentChip[] {
    return this.pending.map(({ id, kind, label, detail, content }) => ({
      id,
      kind,
      label,
      detail,
      tokens: estimatedTokens(content),
    }));
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
      kind: "selection",
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
      kind: "file",
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

  /** The choices for what follows "@": kinds by name and files, or the folders or symbols of `@folder:`/`@symbol:`. */
  async searchMentions(typed: string): Promise<MentionItem[]> {
    const mention = mentionAt(`@${typed}`);
    if (mention === undefined) return [];
    switch (mention.kind) {
      case "folder":
        return (await this.searchFolders(mention.query)).map((path) => ({
          kind: "folder",
          label: `${path}/`,
          detail: "Folder",
          value: path,
        }));
      case "symbol":
        return this.symbols.search(mention.query, maxMatches).map((symbol) => {
          const path = vscode.workspace.asRelativePath(vscode.Uri.file(symbol.path));
          return {
            kind: "symbol",
            label: symbol.name,
            detail: `${path}: ${symbol.signature.split("\n")[0]}`,
            value: JSON.stringify([symbol.name, symbol.path]),
          };
        });
      default: {
        const files = (await this.search(mention.query)).map((path): MentionItem => ({
          kind: "file",
          label: path,
          detail: "File",
          value: path,
        }));
        return [...keywordMatches(mention.query), ...files].slice(0, maxMatches);
      }
    }
  }

  /** Attaches what a mention names; only what the search offered (or the editor holds) can be attached. */
  async addMention(kind: MentionKind, value: string): Promise<AttachResult> {
    switch (kind) {
      case "file":
        return this.addWorkspaceFile(value);
      case "folder":
        return this.addFolder(value);
      case "symbol":
        return this.addSymbol(value);
      case "problems":
        return this.addProblems(value === "workspace" ? undefined : vscode.window.activeTextEditor?.document);
      case "selection":
        return this.addSelection(vscode.window.activeTextEditor);
      case "changes":
        return this.addChanges();
    }
  }

  private async searchFolders(query: string): Promise<string[]> {
    const needle = query.toLowerCase();
    const folders = new Set<string>();
    for (const path of (await this.workspaceFiles()).keys()) {
      const parts = path.split("/");
      for (let depth = 1; depth < parts.length; depth++) folders.add(parts.slice(0, depth).join("/"));
    }
    return [...folders]
      .filter((folder) => folder.toLowerCase().includes(needle))
      .sort(
        (a, b) =>
          Number(!a.toLowerCase().startsWith(needle)) - Number(!b.toLowerCase().startsWith(needle)) ||
          a.length - b.length ||
          a.localeCompare(b),
      )
      .slice(0, maxMatches);
  }

  private async addFolder(folder: string): Promise<AttachResult> {
    const prefix = `${folder}/`;
    const uris = [...(await this.workspaceFiles())].filter(([path]) => path.startsWith(prefix));
    if (uris.length === 0) return { ok: false, reason: `${folder} is not a folder of this workspace.` };
    const files: { path: string; text: string }[] = [];
    let size = 0;
    for (const [path, uri] of uris.sort(([a], [b]) => a.localeCompare(b))) {
      const bytes = await vscode.workspace.fs.readFile(uri);
      // Binary files hold NUL bytes; they mean nothing to the model.
      if (bytes.includes(0)) continue;
      const text = new TextDecoder().decode(bytes);
      size += text.length;
      if (size > maxAttachmentCharacters)
        return { ok: false, reason: `${folder} is too large to attach: attach its files one by one.` };
      files.push({ path, text });
    }
    return this.add({
      kind: "folder",
      label: `${folder}/`,
      detail: `${files.length} files of ${folder}`,
      languageId: "",
      content: folderText(files),
    });
  }

  /** `value` is the [name, path] the symbol search offered; the definition is read from the file as it is now. */
  private async addSymbol(value: string): Promise<AttachResult> {
    let name: unknown;
    let path: unknown;
    try {
      [name, path] = JSON.parse(value) as unknown[];
    } catch {
      return { ok: false, reason: "That symbol is no longer in the index." };
    }
    if (typeof name !== "string" || typeof path !== "string" || !this.symbols.lookup(name).some((s) => s.path === path))
      return { ok: false, reason: "That symbol is no longer in the index." };
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
    const lines = document.getText().split("\n");
    const nameAt = new RegExp(`\\b${name.replace(/[$]/g, "\\$")}\\b`);
    const signature =
      this.symbols
        .lookup(name)
        .find((s) => s.path === path)
        ?.signature.split("\n")[0]
        ?.trim() ?? "";
    const startLine = Math.max(
      0,
      lines.findIndex(
        (line) => (signature !== "" && line.includes(signature)) || (nameAt.test(line) && /\S/.test(line)),
      ),
    );
    const { start, end } = definitionLines(lines, startLine);
    const relative = vscode.workspace.asRelativePath(document.uri);
    return this.add({
      kind: "symbol",
      label: `${name} (${relative}:${start + 1})`,
      detail: `Lines ${start + 1}–${end + 1} of ${document.uri.fsPath}`,
      languageId: document.languageId,
      content: lines.slice(start, end + 1).join("\n"),
    });
  }

  private addProblems(document: vscode.TextDocument | undefined): AttachResult {
    const entries: Array<[vscode.Uri, readonly vscode.Diagnostic[]]> =
      document === undefined
        ? vscode.languages.getDiagnostics()
        : [[document.uri, vscode.languages.getDiagnostics(document.uri)]];
    const problems = entries.flatMap(([uri, diagnostics]) =>
      diagnostics.map((diagnostic): Problem => ({
        path: vscode.workspace.asRelativePath(uri),
        line: diagnostic.range.start.line,
        character: diagnostic.range.start.character,
        severity: severityNames[diagnostic.severity],
        message: diagnostic.message,
        source: diagnostic.source,
      })),
    );
    const scope = document === undefined ? "the workspace" : vscode.workspace.asRelativePath(document.uri);
    if (problems.length === 0) return { ok: false, reason: `There are no problems in ${scope}.` };
    return this.add({
      kind: "problems",
      label: document === undefined ? "problems" : `problems: ${scope}`,
      detail: `${problems.length} problems in ${scope}`,
      languageId: "",
      content: formatProblems(problems),
    });
  }

  private async addChanges(): Promise<AttachResult> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === "file");
    if (folders.length === 0) return { ok: false, reason: "Open a folder to attach its changes." };
    let diff: string;
    try {
      diff = (await Promise.all(folders.map((folder) => this.changesOf(folder.uri)))).join("");
    } catch (error) {
      return { ok: false, reason: `No changes: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (diff.trim() === "") return { ok: false, reason: "The working tree has no changes." };
    return this.add({
      kind: "changes",
      label: "changes",
      detail: "git diff of the working tree (staged and unstaged)",
      languageId: "diff",
      content: diff,
    });
  }

  /** VS Code's git extension where it is enabled (it knows the user's git), else the git on the PATH. */
  private async changesOf(folder: vscode.Uri): Promise<string> {
    const git = vscode.extensions.getExtension<{ getAPI(version: 1): GitApi }>("vscode.git");
    const api = git?.isActive ? git.exports.getAPI(1) : undefined;
    const repository = api?.repositories.find((candidate) => candidate.rootUri.fsPath === folder.fsPath);
    if (repository !== undefined) return (await repository.diff(true)) + (await repository.diff(false));
    return gitDiffOfWorkingTree(folder.fsPath);
  }

  private async search(query: string): Promise<string[]> {
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
