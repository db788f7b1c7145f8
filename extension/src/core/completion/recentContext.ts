import { isSecretPath } from "../syntax/importResolution";
import type { ContextSnippet } from "./prompt";

/** Lines of one document, 0-based, end inclusive. */
export interface LineRange {
  /** Identifies the document (its URI); the display path is asked for only when a snippet is built. */
  key: string;
  startLine: number;
  endLine: number;
}

/** An edit as line numbers: lines `startLine..oldEndLine` became `startLine..newEndLine`. */
export interface LineEdit {
  key: string;
  startLine: number;
  oldEndLine: number;
  newEndLine: number;
}

/** Edits this close to a remembered range join it, so that typing a function grows one range instead of many. */
const mergeDistanceLines = 3;
/** A remembered edit never grows past this; a long session of edits in one place keeps the latest lines. */
const maxEditedLines = 16;

/** A range of the same document after `edit`: below it, moved by the lines it added or removed; across it, joined. */
function movedBy(range: LineRange, edit: LineEdit): LineRange {
  const delta = edit.newEndLine - edit.oldEndLine;
  if (range.startLine > edit.oldEndLine)
    return { key: range.key, startLine: range.startLine + delta, endLine: range.endLine + delta };
  if (range.endLine < edit.startLine) return range;
  return {
    key: range.key,
    startLine: Math.min(range.startLine, edit.startLine),
    endLine: range.endLine >= edit.oldEndLine ? Math.max(range.endLine + delta, edit.newEndLine) : edit.newEndLine,
  };
}

/**
 * Where the user edited lately, most recent first, with line numbers kept current as later
 * edits insert or delete lines above them. Pure bookkeeping: the text is read only when a
 * prompt is built.
 */
export class RecentEdits {
  private ranges: LineRange[] = [];

  constructor(private readonly capacity: number) {}

  record(edit: LineEdit): void {
    let touched: LineRange = { key: edit.key, startLine: edit.startLine, endLine: edit.newEndLine };
    const kept: LineRange[] = [];
    for (const range of this.ranges) {
      const moved = range.key === edit.key ? movedBy(range, edit) : undefined;
      if (
        moved &&
        moved.startLine <= touched.endLine + mergeDistanceLines &&
        moved.endLine + mergeDistanceLines >= touched.startLine
      ) {
        touched = {
          key: edit.key,
          startLine: Math.min(touched.startLine, moved.startLine),
          endLine: Math.max(touched.endLine, moved.endLine),
        };
      } else kept.push(moved ?? range);
    }
    if (touched.endLine - touched.startLine + 1 > maxEditedLines) {
      // Keep the lines around the latest edit.
      const startLine = Math.max(touched.startLine, Math.min(edit.startLine - 4, touched.endLine - maxEditedLines + 1));
      touched = { key: edit.key, startLine, endLine: Math.min(touched.endLine, startLine + maxEditedLines - 1) };
    }
    this.ranges = [touched, ...kept].slice(0, this.capacity);
  }

  forget(key: string): void {
    this.ranges = this.ranges.filter((range) => range.key !== key);
  }

  list(): readonly LineRange[] {
    return this.ranges;
  }
}

/** The part of each recently viewed document that was on screen last, most recent document first. */
export class RecentViews {
  private ranges: LineRange[] = [];

  constructor(private readonly capacity: number) {}

  record(range: LineRange): void {
    this.ranges = [range, ...this.ranges.filter((other) => other.key !== range.key)].slice(0, this.capacity);
  }

  forget(key: string): void {
    this.ranges = this.ranges.filter((range) => range.key !== key);
  }

  list(): readonly LineRange[] {
    return this.ranges;
  }
}

/** Reads the lines of a document that is still open; undefined once it is closed. */
export interface OpenDocuments {
  /** The path the model sees (relative to the workspace) and the absolute one the secret rule checks. */
  paths(key: string): { display: string; absolute: string } | undefined;
  lines(key: string, startLine: number, endLine: number): string | undefined;
}

export interface RecentSnippetRequest {
  edits: readonly LineRange[];
  views: readonly LineRange[];
  /** The document being completed, and the lines the prompt window shows of it anyway. */
  currentKey: string;
  cursorLine: number;
  windowLines: number;
  documents: OpenDocuments;
  maxEdits: number;
  maxViews: number;
  /** Lines of a viewed document around its visible centre. */
  maxViewLines: number;
}

/**
 * Recently edited ranges, then snippets of recently viewed files, as prompt context. Edits in
 * the current document near the cursor and everything from secret files (.env, keys) stay out.
 */
export function recentSnippets(request: RecentSnippetRequest): ContextSnippet[] {
  const snippets: ContextSnippet[] = [];
  const add = (range: LineRange, reason: string): boolean => {
    const paths = request.documents.paths(range.key);
    if (!paths || isSecretPath(paths.absolute)) return false;
    const text = request.documents.lines(range.key, range.startLine, range.endLine);
    if (text === undefined || text.trim() === "") return false;
    snippets.push({
      path: paths.display,
      text,
      reason: `${reason}, lines ${range.startLine + 1}-${range.endLine + 1}`,
    });
    return true;
  };
  let edits = 0;
  for (const range of request.edits) {
    if (edits >= request.maxEdits) break;
    const inWindow =
      range.key === request.currentKey &&
      range.endLine >= request.cursorLine - request.windowLines &&
      range.startLine <= request.cursorLine + request.windowLines;
    if (!inWindow && add(range, "recently edited")) edits++;
  }
  let views = 0;
  for (const range of request.views) {
    if (views >= request.maxViews) break;
    if (range.key === request.currentKey) continue;
    const middle = Math.floor((range.startLine + range.endLine) / 2);
    const half = Math.floor(request.maxViewLines / 2);
    const startLine = Math.max(range.startLine, middle - half);
    const endLine = Math.min(range.endLine, startLine + request.maxViewLines - 1);
    if (add({ key: range.key, startLine, endLine }, "recently viewed")) views++;
  }
  return snippets;
}
