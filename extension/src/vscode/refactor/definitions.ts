import * as vscode from "vscode";
import type { Language } from "web-tree-sitter";
import type { DefinitionSnippet } from "../../core/refactor/context";
import type { OffsetRange } from "../../core/refactor/target";
import { DefinitionContext } from "../../core/syntax/definitionContext";
import type { ImportedDefinitions } from "../../core/syntax/importedDefinitions";
import type { QueryStore } from "../../core/syntax/queries";
import type { SyntaxRuntime } from "../../core/syntax/syntaxRuntime";

/** A refactor waits this long at most for other files' definitions; a request is rare, so it can wait more than ghost text. */
const definitionTimeLimitMs = 500;

/**
 * Signatures of the imported symbols the target uses, from the completions' definition engine. A fresh engine per
 * request: refactors are rare, and a fresh one never serves definitions from a file changed since the last request.
 */
export async function definitionsFor(
  runtime: SyntaxRuntime,
  language: Language,
  queries: QueryStore,
  imported: ImportedDefinitions,
  document: vscode.TextDocument,
  text: string,
  target: OffsetRange,
): Promise<DefinitionSnippet[]> {
  const tree = runtime.parse(language, text);
  try {
    const engine = new DefinitionContext({
      runtime,
      queries,
      imported,
      roots: (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.path),
      timeLimitMs: definitionTimeLimitMs,
    });
    const snippets = await engine.snippetsFor({
      languageId: document.languageId,
      path: document.uri.path,
      tree,
      cursor: target.end,
    });
    return snippets.map((snippet) => ({
      path: vscode.workspace.asRelativePath(snippet.path, false),
      text: snippet.text,
    }));
  } finally {
    tree.delete();
  }
}
