import type { Edit, Language, Point, Tree } from "web-tree-sitter";
import type { DocumentReader } from "./documentReader";
import type { SyntaxRuntime } from "./syntaxRuntime";

/** One change as editors report it: a range of the text before the change, replaced by `text`. */
export interface TextChange {
  /** UTF-16 offset of the replaced range's start. */
  rangeOffset: number;
  rangeLength: number;
  start: Point;
  end: Point;
  text: string;
}

/** Where `text` ends when it is inserted at `start`; columns count UTF-16 code units, as web-tree-sitter's do. */
export function pointAfter(start: Point, text: string): Point {
  const lastBreak = text.lastIndexOf("\n");
  if (lastBreak < 0) return { row: start.row, column: start.column + text.length };
  let rows = 0;
  for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1)) rows++;
  return { row: start.row + rows, column: text.length - lastBreak - 1 };
}

export function editOf(change: TextChange): Edit {
  return {
    startIndex: change.rangeOffset,
    oldEndIndex: change.rangeOffset + change.rangeLength,
    newEndIndex: change.rangeOffset + change.text.length,
    startPosition: change.start,
    oldEndPosition: change.end,
    newEndPosition: pointAfter(change.start, change.text),
  };
}

/** What one re-parse changed: for callers that keep what they found in the tree before it. */
export interface ParseDelta {
  /** The editor's changes since the parse before, in the order they were applied. */
  changes: readonly TextChange[];
  /**
   * Where the syntax of the two trees differs (tree-sitter's changed ranges), as offsets in the new tree; computed when
   * asked (it costs a tenth of a parse), and undefined once a later parse has replaced the two trees.
   */
  changedRanges(): ReadonlyArray<{ startIndex: number; endIndex: number }> | undefined;
}

/** A parse of a document: its number among the document's parses, and what changed since the one before, if known. */
export interface ParseGeneration {
  generation: number;
  /** Undefined after a parse from scratch. */
  delta?: ParseDelta;
}

/**
 * The parse tree of one open document. Each change only edits the tree (cheap: it shifts positions); the re-parse
 * waits until a request needs the tree, so keystrokes that the next one supersedes before the completion debounce
 * passes cost no parse. Documents above the size limit get no tree: a 5 MB file must never freeze the editor, and
 * their context falls back to a text window around the cursor.
 */
export class DocumentTree {
  private current: Tree | undefined;
  /** Edits of the tree that no parse has followed yet. */
  private editsSinceParse: TextChange[] = [];
  private parseGeneration: ParseGeneration = { generation: 0 };
  /** The tree before the last parse, edited to match it, kept for the parse's changed ranges. */
  private beforeLastParse: Tree | undefined;
  private lastChangedRanges: ReadonlyArray<{ startIndex: number; endIndex: number }> | undefined;

  constructor(
    private readonly runtime: SyntaxRuntime,
    readonly language: Language,
    /** Undefined for a document the caller already knows is too large, so that its text is never read. */
    text: string | undefined,
    private readonly maxChars: number,
  ) {
    this.current = text !== undefined && text.length <= maxChars ? runtime.parse(language, text) : undefined;
    if (this.current) this.parseGeneration = { generation: 1 };
  }

  /** The parse that made the tree treeFor() returned last. */
  get lastParse(): ParseGeneration {
    return this.parseGeneration;
  }

  /** `changes` in the order the editor applied them. */
  edit(changes: readonly TextChange[]): void {
    if (!this.current) return;
    for (const change of changes) this.current.edit(editOf(change));
    // Once edited, the current tree no longer lines up with the one kept for the last parse's changed ranges; that one
    // is deleted at the next parse, off the keystroke.
    this.editsSinceParse.push(...changes);
  }

  /**
   * The tree of the document after every change given to edit(), re-parsed incrementally if needed from `read` (which
   * reads only around the changes); undefined for a document over the size limit. The tree stays owned here: copy it
   * to keep it past the next edit.
   */
  treeFor(read: DocumentReader, length: number): Tree | undefined {
    if (length > this.maxChars) {
      this.dropTree();
      return undefined;
    }
    const previous = this.current;
    if (previous && this.editsSinceParse.length === 0) return previous;
    this.current = undefined;
    const changes = this.editsSinceParse;
    this.editsSinceParse = [];
    this.forgetLastParse();
    try {
      this.current = this.runtime.parse(this.language, read, previous);
    } catch (error) {
      previous?.delete();
      throw error;
    }
    const generation = this.parseGeneration.generation + 1;
    this.beforeLastParse = previous;
    this.parseGeneration = {
      generation,
      delta: previous ? { changes, changedRanges: () => this.changedRangesOf(generation) } : undefined,
    };
    return this.current;
  }

  /** For a document that grew past the limit: its text is not even read, and the next request parses afresh. */
  dropTree(): void {
    this.forgetLastParse();
    this.current?.delete();
    this.current = undefined;
    this.editsSinceParse = [];
  }

  private changedRangesOf(generation: number): ReadonlyArray<{ startIndex: number; endIndex: number }> | undefined {
    if (
      generation !== this.parseGeneration.generation ||
      this.editsSinceParse.length > 0 ||
      !this.beforeLastParse ||
      !this.current
    )
      return undefined;
    this.lastChangedRanges ??= this.beforeLastParse
      .getChangedRanges(this.current)
      .map(({ startIndex, endIndex }) => ({ startIndex, endIndex }));
    return this.lastChangedRanges;
  }

  private forgetLastParse(): void {
    this.beforeLastParse?.delete();
    this.beforeLastParse = undefined;
    this.lastChangedRanges = undefined;
  }

  dispose(): void {
    this.dropTree();
  }
}
