/** Line and indentation helpers shared by extraction, diffing and target finding. */

export type LineEnding = "\n" | "\r\n";

/** The text's own line ending; `fallback` (the document's) when the text has no line break at all. */
export function lineEndingOf(text: string, fallback: LineEnding): LineEnding {
  const firstBreak = text.indexOf("\n");
  if (firstBreak < 0) return fallback;
  return firstBreak > 0 && text[firstBreak - 1] === "\r" ? "\r\n" : "\n";
}

/** Splits on \n and \r\n; the pieces carry no terminators. "a\n" gives ["a", ""]. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

export function isBlank(line: string): boolean {
  return line.trim() === "";
}

/** The longest whitespace prefix that every non-blank line shares. */
export function commonIndentation(lines: readonly string[]): string {
  let common: string | undefined;
  for (const line of lines) {
    if (isBlank(line)) continue;
    const indentation = leadingWhitespace(line);
    if (common === undefined) {
      common = indentation;
      continue;
    }
    let shared = 0;
    while (shared < common.length && shared < indentation.length && common[shared] === indentation[shared]) shared++;
    common = common.slice(0, shared);
  }
  return common ?? "";
}

/** Offsets where each line starts; one more entry than there are line breaks. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1)) starts.push(index + 1);
  return starts;
}

export function occurrencesOf(text: string, piece: string, limit: number): number[] {
  const found: number[] = [];
  if (piece === "") return found;
  for (let index = text.indexOf(piece); index >= 0 && found.length < limit; index = text.indexOf(piece, index + 1))
    found.push(index);
  return found;
}
