import type { Language, Point, Tree } from "web-tree-sitter";
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

/**
 * Parses "the document with this completion in it" incrementally from the document's own
 * tree, so that checking a completion costs a small re-parse, not a full one.
 */
export class InsertionParser implements CompletionSyntax {
  /** Counted on first use: finding it reads the whole prefix, and many completions are never parsed. */
  private cursorPoint: Point | undefined;

  constructor(
    private readonly runtime: SyntaxRuntime,
    private readonly language: Language,
    readonly documentTree: Tree,
    private readonly prefix: string,
    private readonly suffix: string,
  ) {}

  get cursor(): number {
    return this.prefix.length;
  }

  parseWithInsertion(text: string, replaceRight = 0): Tree {
    const cursor = this.prefix.length;
    this.cursorPoint ??= pointAfter({ row: 0, column: 0 }, this.prefix);
    const edited = this.documentTree.copy();
    try {
      edited.edit({
        startIndex: cursor,
        oldEndIndex: cursor + replaceRight,
        newEndIndex: cursor + text.length,
        startPosition: this.cursorPoint,
        oldEndPosition: pointAfter(this.cursorPoint, this.suffix.slice(0, replaceRight)),
        newEndPosition: pointAfter(this.cursorPoint, text),
      });
      return this.runtime.parse(this.language, this.prefix + text + this.suffix.slice(replaceRight), edited);
    } finally {
      edited.delete();
    }
  }
}
