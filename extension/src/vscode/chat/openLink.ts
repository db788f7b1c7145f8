import * as vscode from "vscode";
import { classifyLink, fileLinkTargets } from "../../core/chat/links";

/**
 * Follows a link from an answer: web pages after the user agrees, workspace files at their line, files outside the
 * workspace after the user agrees, nothing else.
 */
export async function openLink(href: string): Promise<void> {
  const decision = classifyLink(href);
  if (decision.kind === "refuse") {
    void vscode.window.showWarningMessage(`Llama Assist did not open the link: ${decision.reason}`);
    return;
  }
  if (decision.kind === "external") {
    const choice = await vscode.window.showInformationMessage(
      `Open this web page in your browser?`,
      { modal: true, detail: decision.url },
      "Open",
    );
    if (choice === "Open") await vscode.env.openExternal(vscode.Uri.parse(decision.url, true));
    return;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  const drive = /^[a-zA-Z]:[\\/]/.test(decision.path);
  // On a Windows path, Uri.file gives the path's URI form ("/c:/src/x.ts"), which is what the folders' paths are in.
  const linkPath = drive ? vscode.Uri.file(decision.path).path : decision.path;
  const targets = fileLinkTargets(
    linkPath,
    folders.map((folder) => folder.uri.path),
  );
  for (const target of targets) {
    // Workspace folders may live on a remote or virtual file system: the target keeps their scheme and authority.
    const uri =
      target.folder === undefined
        ? vscode.Uri.file(target.path)
        : folders[target.folder].uri.with({ path: target.path });
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      continue;
    }
    if (!target.inside && !(await confirmOutsideWorkspace(uri))) return;
    const line = Math.max(0, (decision.line ?? 1) - 1);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
    return;
  }
  void vscode.window.showWarningMessage(`Llama Assist: ${decision.path} was not found in the workspace.`);
}

/** An answer may name any file on the machine ("/etc/passwd", "../../.ssh/id_rsa"): outside the workspace, ask. */
async function confirmOutsideWorkspace(uri: vscode.Uri): Promise<boolean> {
  const choice = await vscode.window.showWarningMessage(
    "The answer links to a file outside the workspace. Open it?",
    { modal: true, detail: uri.scheme === "file" ? uri.fsPath : uri.toString(true) },
    "Open",
  );
  return choice === "Open";
}
