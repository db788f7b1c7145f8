import type { Tree } from "web-tree-sitter";
import { indentWidth, isBlank, isClosersOnly, lineAfter, lineBefore, nextNonBlankLine, previousCodeLine } from "./text";

export type CompletionMode = "singleLine" | "multiLine";

/** Node types inside which the cursor writes prose or data, never a block. */
const literalNodeType = /string|comment|heredoc|template|char_literal|regex/;

/** Lines ending like this open a block, a body, or a bracketed list. */
const opensBlock = /(?:\{|\bdo(?:\s*\|[^|]*\|)?|\bthen|\belse|\bbegin)\s*$/;
/** A colon opens a block only after a Python-style header; elsewhere it is a type annotation or a label. */
const opensIndentedBlock =
  /^\s*(?:async\s+)?(?:def|class|if|elif|else|for|while|try|except|finally|with|match|case)\b.*:\s*$/;

const importLine = /^\s*(?:import|export)\b/;

function insideLiteral(tree: Tree, cursor: number): boolean {
  for (let node = tree.rootNode.descendantForIndex(cursor, cursor); node; node = node.parent) {
    if (node.startIndex < cursor && node.endIndex > cursor && literalNodeType.test(node.type)) return true;
  }
  return false;
}

/**
 * Multi-line only where a block is starting and still empty: right after an opener, or on the
 * first line of a body that has nothing below it at its depth. Anywhere else the user is
 * finishing a line, and a second line would be a guess. `cursor` is the cursor's index in
 * `tree`, for a `prefix` that is only the end of the text before the cursor.
 */
export function decideMode(
  prefix: string,
  suffix: string,
  tree: Tree | undefined,
  tabSize: number,
  cursor = prefix.length,
): CompletionMode {
  if (tree && insideLiteral(tree, cursor)) return "singleLine";
  const before = lineBefore(prefix);
  const after = lineAfter(suffix);
  if (!isClosersOnly(after)) return "singleLine";
  if (!isBlank(before)) {
    // `import {` opens a name list that belongs on one line.
    if (importLine.test(before)) return "singleLine";
    return opensBlock.test(before) || opensIndentedBlock.test(before) ? "multiLine" : "singleLine";
  }
  const depth = indentWidth(before, tabSize);
  const above = previousCodeLine(prefix);
  if (above === undefined) return "singleLine";
  // A header that ends in an opener starts the block even when it wraps onto deeper-indented lines.
  const aboveOpens = opensBlock.test(above) || /:\s*$/.test(above);
  if (!aboveOpens && indentWidth(above, tabSize) >= depth) return "singleLine";
  if (after.trim() !== "") return "multiLine";
  const below = nextNonBlankLine(suffix);
  return below === undefined || indentWidth(below, tabSize) < depth ? "multiLine" : "singleLine";
}
