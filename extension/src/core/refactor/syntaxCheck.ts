import type { Language } from "web-tree-sitter";
import type { SyntaxRuntime } from "../syntax/syntaxRuntime";

/**
 * True when the proposal turns a document that parsed cleanly into one with syntax errors. A document that already
 * had errors says nothing about the proposal, so it is never blamed for them.
 */
export function proposalBreaksParse(
  runtime: SyntaxRuntime,
  language: Language,
  originalDocument: string,
  proposedDocument: string,
): boolean {
  const before = runtime.parse(language, originalDocument);
  try {
    if (before.rootNode.hasError) return false;
  } finally {
    before.delete();
  }
  const after = runtime.parse(language, proposedDocument);
  try {
    return after.rootNode.hasError;
  } finally {
    after.delete();
  }
}
