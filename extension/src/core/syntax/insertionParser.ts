import type { Language, Point, Tree } from "web-tree-sitter";
import { textReader, type DocumentReader } from "./documentReader";
import { pointAfter } from "./documentTree";
import type { SyntaxRuntime } from "./syntaxRuntime";

/** What the completion steps need from the syntax layer, so that they stay testable without a document. */
export interface CompletionSyntax {
  /** The tree of the document as it is, before any completion. */
  readonly documentTree: Tree;
  /** The cursor's index in the document: a completion request may carry only the text around it. */
  readonly cursor: number;
  /** Parses the document with `text` inserted at the cursor, replacing `replaceRight` characters; the caller deletes the tree. */
  parseWithInsertion(text: string, replaceRight?: number): Tree;
}

/** Where the cursor is in a document, and how to read the document. */
export interface DocumentCursor {
  read: DocumentReader;
  /** The cursor's index in the document. */
  cursor: number;
  cursorPoint: Point;
  /** The text right after the cursor, at least as much as a completion may replace. */
  after: string;
}

/** The cursor between `prefix` and `suffix` of a document held as one string. */
export function cursorInText(prefix: string, suffix: string): DocumentCursor {
  return {
    read: textReader(prefix + suffix),
    cursor: prefix.length,
    cursorPoint: pointAfter({ row: 0, column: 0 }, prefix),
    after: suffix,
  };
}

/**
 * Parses "the document with this completion in it" incrementally from the document's own
 * tree, so that checking a completion costs a small re-parse, not a full one. The parser reads
 * the document around the insertion only, never a copy of all of it.
 */
export class InsertionParser implements CompletionSyntax {
  constructor(
    private readonly runtime: SyntaxRuntime,
    private readonly language: Language,
    readonly documentTree: Tree,
    private readonly document: DocumentCursor,
  ) {}

  get cursor(): number {
    return this.document.cursor;
  }

  parseWithInsertion(text: string, replaceRight = 0): Tree {
    const { cursor, cursorPoint, read } = this.document;
    const oldEnd = pointAfter(cursorPoint, this.document.after.slice(0, replaceRight));
    const newEnd = pointAfter(cursorPoint, text);
    const insertedEnd = cursor + text.length;
    const edited = this.documentTree.copy();
    try {
      edited.edit({
        startIndex: cursor,
        oldEndIndex: cursor + replaceRight,
        newEndIndex: insertedEnd,
        startPosition: cursorPoint,
        oldEndPosition: oldEnd,
        newEndPosition: newEnd,
      });
      const readInserted: DocumentReader = (index) => {
        if (index < cursor) return read(index).slice(0, cursor - index);
        if (index < insertedEnd) return text.slice(index - cursor);
        // After the insertion: the same place in the document as it is.
        return read(index - text.length + replaceRight);
      };
      return this.runtime.parse(this.language, readInserted, edited);
    } finally {
      edited.delete();
    }
  }
}
