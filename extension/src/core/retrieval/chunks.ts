// Cutting a file into the units retrieval ranks and the chat quotes: each function, method and class (its header and
// fields, without its members' bodies) is one chunk, and the code between top-level definitions forms blocks.

/** A definition as the chunker needs it: the tree-sitter node's name and span (UTF-16 offsets in the text). */
export interface DefinitionSpan {
  name: string;
  start: number;
  end: number;
}

export interface Chunk {
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
  /** The definition's name first, then the names of the definitions around it (a method's class). */
  symbols: string[];
  text: string;
}

/** Longer chunks are cut into pieces this long: a chunk must fit a small chat context beside others. */
export const maxChunkLines = 80;
/** Code outside definitions (imports, module statements) is grouped into blocks of at most this many lines. */
const maxBlockLines = 40;
/** Comments, docstring openers and decorators just above a definition belong to its chunk. */
const leadingLine = /^\s*(\/\/|\/\*|\*|#|@|"""|'''|--)/;

interface Span {
  name: string;
  startLine: number;
  endLine: number;
  parents: string[];
  children: Span[];
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1)) starts.push(index + 1);
  return starts;
}

function lineOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Definitions nested as in the source; a span that starts inside another lies inside it (queries give whole nodes). */
function nest(definitions: readonly DefinitionSpan[], starts: readonly number[]): Span[] {
  const sorted = [...definitions].sort((a, b) => a.start - b.start || b.end - a.end);
  const roots: Span[] = [];
  const open: Array<{ span: Span; end: number }> = [];
  for (const definition of sorted) {
    while (open.length > 0 && open[open.length - 1].end < definition.end) open.pop();
    const parent = open[open.length - 1]?.span;
    const endOffset = Math.max(definition.start, definition.end - 1);
    const span: Span = {
      name: definition.name,
      startLine: lineOf(starts, definition.start),
      endLine: lineOf(starts, endOffset),
      parents: parent ? [parent.name, ...parent.parents] : [],
      children: [],
    };
    // Two captures of one node (a Go type spec and its declaration) are one definition.
    if (parent && parent.startLine === span.startLine && parent.endLine === span.endLine) continue;
    (parent ? parent.children : roots).push(span);
    open.push({ span, end: definition.end });
  }
  return roots;
}

/** Extends a span upwards over the comments and decorators right above it, within `floor`. */
function withLeadingLines(startLine: number, floor: number, lines: readonly string[]): number {
  let line = startLine;
  while (line - 1 >= floor && leadingLine.test(lines[line - 1])) line--;
  return line;
}

function isBlank(lines: readonly string[], from: number, to: number): boolean {
  for (let line = from; line <= to; line++) if (lines[line].trim() !== "") return false;
  return true;
}

/**
 * The file's chunks, in line order. `definitions` are the tree-sitter definitions of the file (empty for a language
 * without a grammar): then the file is cut into blocks alone.
 */
export function chunkFile(text: string, definitions: readonly DefinitionSpan[]): Chunk[] {
  const lines = text.split("\n");
  const starts = lineStarts(text);
  const chunks: Chunk[] = [];
  const push = (startLine: number, endLine: number, symbols: string[]): void => {
    for (let from = startLine; from <= endLine; from += maxChunkLines) {
      const to = Math.min(endLine, from + maxChunkLines - 1);
      if (isBlank(lines, from, to)) continue;
      chunks.push({ startLine: from, endLine: to, symbols, text: lines.slice(from, to + 1).join("\n") });
    }
  };
  const blocks = (from: number, to: number): void => {
    let blockStart = from;
    for (let line = from; line <= to + 1; line++) {
      const atEnd = line > to;
      const longEnough = line - blockStart >= maxBlockLines;
      const paragraphBreak = !atEnd && lines[line].trim() === "" && line - blockStart >= maxBlockLines / 2;
      if (atEnd || longEnough || paragraphBreak) {
        if (line - 1 >= blockStart) push(blockStart, line - 1, []);
        blockStart = line;
      }
    }
  };
  const visit = (spans: readonly Span[], from: number, to: number, outside: (from: number, to: number) => void) => {
    let cursor = from;
    for (const span of spans) {
      const start = Math.max(cursor, withLeadingLines(span.startLine, cursor, lines));
      if (start > cursor) outside(cursor, start - 1);
      const symbols = [span.name, ...span.parents];
      if (span.children.length === 0) push(start, span.endLine, symbols);
      else {
        // A class's header (up to its first member, fields and docstring included) is one chunk; each member is its own.
        let header: [number, number] | undefined;
        visit(span.children, start, span.endLine, (ownFrom, ownTo) => (header ??= [ownFrom, ownTo]));
        if (header && header[0] === start) push(header[0], header[1], symbols);
      }
      cursor = Math.max(cursor, span.endLine + 1);
    }
    if (cursor <= to) outside(cursor, to);
  };
  visit(nest(definitions, starts), 0, lines.length - 1, blocks);
  return chunks.sort((a, b) => a.startLine - b.startLine);
}
