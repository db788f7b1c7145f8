import type { Node, Tree } from "web-tree-sitter";
import { indentWidth, isBlank, isClosingLine, lineBefore } from "./text";

/** The smallest node that starts before the cursor and ends after it: the construct the completion is filling. */
export function enclosingNode(tree: Tree, cursor: number): Node | undefined {
  let node: Node | null = tree.rootNode.descendantForIndex(cursor, cursor);
  while (node && !(node.startIndex < cursor && node.endIndex > cursor)) node = node.parent;
  return node ?? undefined;
}

function trimTrailingBlankLines(text: string): string {
  const lines = text.split("\n");
  while (lines.length > 1 && isBlank(lines[lines.length - 1])) lines.pop();
  return lines.join("\n");
}

/** A line of the completion indented no deeper than this ends the block the cursor's line opened or stands in. */
export function blockIndentLimit(cursorLine: string, tabSize: number): number {
  // On a blank line the cursor stands at the body's indentation; after an opener, the block is deeper than its line.
  return isBlank(cursorLine) ? indentWidth(cursorLine, tabSize) - 1 : indentWidth(cursorLine, tabSize);
}

/**
 * Without a usable tree, the block ends at the first line indented no deeper than the line that
 * opened it; a line that only closes (`}`, `end`, `fi`) belongs to the block, anything else does not.
 */
export function truncateByIndentation(completion: string, prefix: string, tabSize: number): string {
  const limit = blockIndentLimit(lineBefore(prefix), tabSize);
  const lines = completion.split("\n");
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index];
    if (isBlank(line) || indentWidth(line, tabSize) > limit) continue;
    const kept = isClosingLine(line) ? lines.slice(0, index + 1) : lines.slice(0, index);
    return trimTrailingBlankLines(kept.join("\n"));
  }
  return completion;
}

/**
 * Truncates a multi-line completion at the end of the syntactic block it fills. `tree` is the
 * parse of the document with the completion at `cursor` (the end of `prefix` when that starts the
 * document), so the model's own closing bracket ends the block; text the model went on to write
 * after it is dropped.
 */
export function truncateAtBlockEnd(
  completion: string,
  prefix: string,
  tree: Tree | undefined,
  tabSize: number,
  cursor = prefix.length,
): string {
  const node = tree ? enclosingNode(tree, cursor) : undefined;
  if (!node || node.hasError || node.type === "ERROR" || node.parent === null) {
    return truncateByIndentation(completion, prefix, tabSize);
  }
  const endInCompletion = node.endIndex - cursor;
  if (endInCompletion >= completion.length) return trimTrailingBlankLines(completion);
  return trimTrailingBlankLines(completion.slice(0, endInCompletion));
}
