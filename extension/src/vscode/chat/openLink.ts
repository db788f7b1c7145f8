import * as vscode from "vscode";
import { classifyLink } from "../../core/chat/links";

/** Follows a link from an answer: web pages after the user agrees, workspace files at their line, nothing else. */
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
  const candidates =
    decision.path.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(decision.path)
      ? [vscode.Uri.file(decision.path)]
      : folders.map((folder) => vscode.Uri.joinPath(folder.uri, decision.path));
  for (const uri of candidates) {
    try {
      await vscode.workspace.fs.stat(uri);
    } catch {
      continue;
    }
    const line = Math.max(0, (decision.line ?? 1) - 1);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0), preview: true });
    return;
  }
  void vscode.window.showWarningMessage(`Llama Assist: ${decision.path} was not found in the workspace.`);
}
