import type { Point } from "web-tree-sitter";

/** A document's text from `index` on, as tree-sitter's parse callback asks for it (any length); "" at its end. */
export type DocumentReader = (index: number) => string;

/**
 * Characters handed to the parser per read. web-tree-sitter copies each answer into WASM memory one character at a
 * time (and at most 5,120 of them), while an incremental parse reads a few tokens at each place it re-lexes: short
 * chunks halve the p95 of a keystroke's parse in a 5,000-line file (bench:completion).
 */
export const readChunkChars = 256;

export function textReader(text: string): DocumentReader {
  return (index) => text.slice(index, index + readChunkChars);
}

/** A document kept as lines, as an editor's model keeps it. */
export interface DocumentLines {
  /** Undefined past the last line. */
  line(row: number): string | undefined;
  /** Where an index is; columns count UTF-16 code units, and the "\n" of a "\r\n" is one past the line's text. */
  positionAt(index: number): Point;
  /** Ends every line but the last. */
  eol: string;
}

/**
 * Reads a document kept as lines without joining them. The position comes from the index: web-tree-sitter's
 * node.text asks for a long node's later chunks with the node's start position.
 */
export function linesReader(document: DocumentLines): DocumentReader {
  const { eol } = document;
  return (index) => {
    const position = document.positionAt(index);
    let row = position.row;
    let current = document.line(row);
    if (current === undefined) return "";
    let next = document.line(row + 1);
    // A column past the line's text points into a two-character line break.
    let chunk =
      position.column <= current.length ? current.slice(position.column, position.column + readChunkChars) : "";
    if (next !== undefined && chunk.length < readChunkChars)
      chunk += eol.slice(Math.max(0, position.column - current.length));
    while (next !== undefined && chunk.length < readChunkChars) {
      row++;
      current = next;
      next = document.line(row + 1);
      chunk += current.slice(0, readChunkChars - chunk.length);
      if (next !== undefined && chunk.length < readChunkChars) chunk += eol;
    }
    return chunk;
  };
}
