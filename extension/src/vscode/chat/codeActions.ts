import * as vscode from "vscode";
import type { CodeBlockForAction } from "../../core/chat/session";
import type { CodeAction } from "../../core/protocol/webview";

const proposalScheme = "llama-assist-proposal";

/** The refactor's preview for a block that rewrites a definition (vscode/refactor/applyFromChat.ts). */
export type ApplyToDefinition = (
  code: string,
  languageId: string | undefined,
  candidates: readonly vscode.TextDocument[],
) => Promise<boolean>;

/**
 * Copy, Insert at cursor, Apply (in place of the definition the block rewrites, else to the selection: a diff view,
 * then a choice) and New file. Code the Shield withheld needs an explicit confirmation before it goes into a file.
 */
export class CodeActions implements vscode.Disposable {
  private readonly proposals = new Map<string, string>();
  private nextProposal = 1;
  private readonly registration: vscode.Disposable;

  constructor(private readonly applyToDefinition: ApplyToDefinition) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(proposalScheme, {
      provideTextDocumentContent: (uri) => this.proposals.get(uri.path) ?? "",
    });
  }

  async run(action: CodeAction, block: CodeBlockForAction): Promise<void> {
    if (action === "copy") {
      await vscode.env.clipboard.writeText(block.code);
      void vscode.window.setStatusBarMessage("Llama Assist: code copied", 2_000);
      return;
    }
    if (
      action === "apply" &&
      (await this.applyToDefinition(block.code, block.languageId, await candidateDocuments(block.citedPaths)))
    )
      return;
    if (block.scan.action === "withhold" && !(await confirmWithheld(block, action))) return;
    if (action === "insert") await insertAtCursor(block.code);
    else if (action === "apply") await this.applyToSelection(block.code);
    else await newFile(block);
  }

  private async applyToSelection(code: string): Promise<void> {
    const editor = targetEditor();
    if (editor === undefined || editor.selection.isEmpty) {
      void vscode.window.showInformationMessage("Llama Assist: select the code to replace in an editor first.");
      return;
    }
    const { document, selection } = editor;
    const version = document.version;
    const proposed =
      document.getText(new vscode.Range(document.positionAt(0), selection.start)) +
      code +
      document.getText(new vscode.Range(selection.end, document.positionAt(document.getText().length)));
    const key = `/${this.nextProposal++}/${document.uri.path.split("/").pop() ?? "proposal"}`;
    this.proposals.set(key, proposed);
    const proposalUri = vscode.Uri.from({ scheme: proposalScheme, path: key });
    await vscode.commands.executeCommand(
      "vscode.diff",
      document.uri,
      proposalUri,
      `${vscode.workspace.asRelativePath(document.uri)} ↔ Llama Assist's proposal`,
    );
    const choice = await vscode.window.showInformationMessage(
      "Apply Llama Assist's change to the selection?",
      "Apply",
      "Discard",
    );
    this.proposals.delete(key);
    if (choice !== "Apply") return;
    if (document.version !== version) {
      void vscode.window.showWarningMessage(
        "Llama Assist: the file changed since the proposal was made; nothing was applied.",
      );
      return;
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, selection, code);
    await vscode.workspace.applyEdit(edit);
  }

  dispose(): void {
    this.registration.dispose();
    this.proposals.clear();
  }
}

/**
 * Where a block's definition is looked for: the editor the user was in, the other visible editors, the other open
 * documents (files attached with @ are opened, so they are among them), then the files cited under the answer.
 */
async function candidateDocuments(citedPaths: readonly string[]): Promise<vscode.TextDocument[]> {
  const cited = await Promise.all(
    citedPaths.map((path) =>
      // A cited file deleted since the answer is simply not a candidate.
      vscode.workspace.openTextDocument(vscode.Uri.file(path)).then(
        (document) => document,
        () => undefined,
      ),
    ),
  );
  const ordered = [
    ...(vscode.window.activeTextEditor === undefined ? [] : [vscode.window.activeTextEditor.document]),
    ...vscode.window.visibleTextEditors.map((editor) => editor.document),
    ...vscode.workspace.textDocuments,
    ...cited.filter((document) => document !== undefined),
  ];
  return [...new Set(ordered)];
}

/** The editor the user was in before clicking in the chat view, which has focus now. */
function targetEditor(): vscode.TextEditor | undefined {
  return vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
}

async function insertAtCursor(code: string): Promise<void> {
  const editor = targetEditor();
  if (editor === undefined) {
    void vscode.window.showInformationMessage("Llama Assist: open an editor to insert the code into.");
    return;
  }
  await editor.edit((builder) => {
    for (const selection of editor.selections) builder.replace(selection, code);
  });
  await vscode.window.showTextDocument(editor.document, editor.viewColumn);
}

async function newFile(block: CodeBlockForAction): Promise<void> {
  const document = await vscode.workspace.openTextDocument({
    content: block.code,
    language: block.languageId ?? "plaintext",
  });
  await vscode.window.showTextDocument(document);
}

async function confirmWithheld(block: CodeBlockForAction, action: CodeAction): Promise<boolean> {
  const reasons = block.scan.findings.map((finding) => `${finding.ruleId} (${finding.cwe}): ${finding.message}`);
  if (block.scan.failure !== undefined) reasons.push(block.scan.failure);
  const verb = action === "insert" ? "Insert" : action === "apply" ? "Apply" : "Open";
  const choice = await vscode.window.showWarningMessage(
    "The Shield withheld this code as insecure. Use it anyway?",
    { modal: true, detail: reasons.join("\n") },
    `${verb} anyway`,
  );
  return choice === `${verb} anyway`;
}
