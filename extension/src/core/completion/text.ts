/** Small text helpers shared by the completion steps; lines are split on "\n" (editors normalise to it here). */

export function leadingWhitespace(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

/** Indentation width with tabs expanded to `tabSize` columns. */
export function indentWidth(line: string, tabSize: number): number {
  let width = 0;
  for (const char of leadingWhitespace(line)) width += char === "\t" ? tabSize - (width % tabSize) : 1;
  return width;
}

export function isBlank(line: string): boolean {
  return line.trim() === "";
}

/** The text of the cursor's line left of the cursor. */
export function lineBefore(prefix: string): string {
  return prefix.slice(prefix.lastIndexOf("\n") + 1);
}

/** The text of the cursor's line right of the cursor. */
export function lineAfter(suffix: string): string {
  const end = suffix.indexOf("\n");
  return end < 0 ? suffix : suffix.slice(0, end);
}

/** Closing brackets and quotes: the only text that may sit right of the cursor for an automatic trigger. */
const closerCharacters = new Set([")", "]", "}", ">", '"', "'", "`", ";", ","]);

export function isClosersOnly(text: string): boolean {
  for (const char of text) if (!closerCharacters.has(char) && char !== " " && char !== "\t") return false;
  return true;
}

/** Keywords that end a block in languages without braces. */
const closingKeywords = /^(?:end|fi|done|esac|endif|endwhile|endforeach|endfor|endswitch)\b/;

/** A line that only closes blocks: `}`, `});`, `end`, `fi`. */
export function isClosingLine(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed === "") return false;
  return isClosersOnly(trimmed) || closingKeywords.test(trimmed);
}

const commentOnly = /^\s*(?:#(?![[!])|\/\/|\/\*|\*|--\s)/;

/** A line that holds only a comment; `#[attr]` and `#!` are code, not comments. */
export function isCommentLine(line: string): boolean {
  return commentOnly.test(line);
}

/** The last line of the prefix, before the cursor's line, that has code on it (not blank, not only a comment). */
export function previousCodeLine(prefix: string): string | undefined {
  // Scans backwards so that a keystroke in a long file does not split the whole prefix.
  let end = prefix.lastIndexOf("\n");
  while (end > 0) {
    const start = prefix.lastIndexOf("\n", end - 1) + 1;
    const line = prefix.slice(start, end);
    if (!isBlank(line) && !isCommentLine(line)) return line;
    end = start - 1;
  }
  return undefined;
}

/** The first line of the suffix after the cursor's line that has something other than whitespace. */
export function nextNonBlankLine(suffix: string): string | undefined {
  let start = suffix.indexOf("\n") + 1;
  while (start > 0) {
    const end = suffix.indexOf("\n", start);
    const line = end < 0 ? suffix.slice(start) : suffix.slice(start, end);
    if (!isBlank(line)) return line;
    start = end + 1;
  }
  return undefined;
}
