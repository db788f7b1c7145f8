// The imports at the top of the document being typed in, kept from one keystroke's parse to the next. Querying the
// first 20,000 characters costs about a millisecond, and in a file shorter than that every keystroke changes them; an
// edit that touches no import and forms none leaves them where they were, shifted.
import type { Tree } from "web-tree-sitter";
import type { ParseDelta, ParseGeneration, TextChange } from "./documentTree";
import { queryRange, type LanguageQueries } from "./queries";

/** Imports sit at the top of a file or, in Python, near their use: scanning only there keeps a keystroke in a long file cheap. */
export const importHeaderChars = 20_000;

export interface ImportMatch {
  source: string;
  name?: string;
  alias?: string;
  /** The whole statement (the query's @import capture): an edit that touches it may change the import. */
  start: number;
  end: number;
}

export function importMatches(queries: LanguageQueries, tree: Tree, start: number, end: number): ImportMatch[] {
  const found: ImportMatch[] = [];
  for (const match of queries.imports.matches(tree.rootNode, queryRange(start, end))) {
    const source = match.captures.find((capture) => capture.name === "source")?.node.text;
    const statement = match.captures.find((capture) => capture.name === "import")?.node;
    if (!source || !statement) continue;
    const name = match.captures.find((capture) => capture.name === "name")?.node.text;
    const alias = match.captures.find((capture) => capture.name === "alias")?.node.text;
    found.push({ source, name, alias, start: statement.startIndex, end: statement.endIndex });
  }
  return found;
}

/** Past this distance below the header an edit cannot regroup what is in it: no import statement is that long. */
const farBelowHeaderChars = 4096;

/** Where an offset of the text before `change` is after it; one inside the replaced text lands at the inserted text's end. */
function offsetAfter(offset: number, change: TextChange): number {
  if (offset <= change.rangeOffset) return offset;
  if (offset >= change.rangeOffset + change.rangeLength) return offset + change.text.length - change.rangeLength;
  return change.rangeOffset + change.text.length;
}

interface Span {
  start: number;
  end: number;
}

/** Spans that touch (an edit right at an import's end lengthens its last name). */
function touches(a: Span, b: Span): boolean {
  return a.end >= b.start && a.start <= b.end;
}

/**
 * The header's imports after one re-parse, from those before it; undefined when the edits may have changed them:
 * they touched an import, or the syntax changed where there is one now (a statement typed, or a comment or string that
 * swallowed or gave back lines).
 */
function importsAfterParse(
  queries: LanguageQueries,
  tree: Tree,
  before: readonly ImportMatch[],
  delta: ParseDelta,
): ImportMatch[] | undefined {
  let matches: ImportMatch[] = [...before];
  const edited: Span[] = [];
  for (const change of delta.changes) {
    matches = matches.map((match) => ({
      ...match,
      start: offsetAfter(match.start, change),
      end: offsetAfter(match.end, change),
    }));
    for (const span of edited) {
      span.start = offsetAfter(span.start, change);
      span.end = offsetAfter(span.end, change);
    }
    edited.push({ start: change.rangeOffset, end: change.rangeOffset + change.text.length });
  }
  // Edits well below the header leave it as it was (nothing is parsed differently that far before them).
  if (edited.every((span) => span.start >= importHeaderChars + farBelowHeaderChars)) return matches;
  const changedRanges = delta.changedRanges();
  if (!changedRanges) return undefined;
  const changed = [
    ...edited,
    ...changedRanges.map(({ startIndex, endIndex }) => ({ start: startIndex, end: endIndex })),
  ];
  // Text that a shorter document pulled up into the header has not been looked at yet.
  const shrunk = delta.changes.reduce((total, change) => total + change.rangeLength - change.text.length, 0);
  if (shrunk > 0) changed.push({ start: importHeaderChars - shrunk, end: importHeaderChars });
  for (const span of changed) {
    if (span.start >= importHeaderChars) continue;
    if (matches.some((match) => touches(match, span))) return undefined;
    if (importMatches(queries, tree, span.start, Math.min(span.end, importHeaderChars)).length > 0) return undefined;
  }
  return matches.filter((match) => match.start < importHeaderChars);
}

/** The header imports of the document typed in last, and the parse they were found in. */
export class HeaderImportCache {
  private cached: { path: string; languageId: string; generation: number; matches: ImportMatch[] } | undefined;

  /** The imports in the first importHeaderChars characters of the document `tree` (made by parse `parse`) holds. */
  importsOf(
    documentPath: string,
    languageId: string,
    queries: LanguageQueries,
    tree: Tree,
    parse: ParseGeneration,
  ): ImportMatch[] {
    const cached =
      this.cached?.path === documentPath && this.cached.languageId === languageId ? this.cached : undefined;
    let matches: ImportMatch[] | undefined;
    if (cached?.generation === parse.generation) matches = cached.matches;
    else if (cached && parse.delta && cached.generation === parse.generation - 1)
      matches = importsAfterParse(queries, tree, cached.matches, parse.delta);
    matches ??= importMatches(queries, tree, 0, importHeaderChars);
    this.cached = { path: documentPath, languageId, generation: parse.generation, matches };
    return matches;
  }
}
