import { isBlank, isClosersOnly, isClosingLine, leadingWhitespace, lineAfter } from "./text";

/** What to insert at the cursor, and how many characters right of the cursor it replaces. */
export interface Insertion {
  text: string;
  /** Characters of the cursor's line, right of the cursor, that the text replaces (closers it already contains). */
  replaceRight: number;
}

/**
 * The closers right of the cursor (`)`, `"]`) were typed or auto-inserted already. When the
 * one-line completion ends with them, they are dropped; when it contains them with more text
 * after (`a, b);` before `)`), the completion replaces them instead of adding a second copy.
 */
export function mergeClosersOnLine(completion: string, suffix: string): Insertion {
  const right = lineAfter(suffix);
  const closers = right.trimEnd();
  if (closers === "" || !isClosersOnly(closers) || completion.includes("\n"))
    return { text: completion, replaceRight: 0 };
  if (completion.endsWith(closers))
    return { text: completion.slice(0, completion.length - closers.length), replaceRight: 0 };
  if (isSubsequence(closers, completion)) return { text: completion, replaceRight: closers.length };
  return { text: completion, replaceRight: 0 };
}

function isSubsequence(needle: string, haystack: string): boolean {
  let position = 0;
  for (const char of needle) {
    position = haystack.indexOf(char, position);
    if (position < 0) return false;
    position++;
  }
  return true;
}

export interface SuffixLine {
  text: string;
  /** True for the rest of the cursor's own line. */
  onCursorLine: boolean;
}

export function headOfSuffix(suffix: string, count: number): SuffixLine[] {
  const lines = suffix.split("\n", count + 64);
  const head: SuffixLine[] = [];
  lines.forEach((text, index) => {
    if (head.length < count && !isBlank(text)) head.push({ text, onCursorLine: index === 0 });
  });
  return head;
}

/** Lines match with their indentation, since the same statement one level deeper is different code. */
export function sameLine(completionLine: string, suffixLine: SuffixLine): boolean {
  // The rest of the cursor's line has no indentation of its own to compare.
  const ours = suffixLine.onCursorLine ? completionLine.trim() : completionLine.trimEnd();
  const theirs = suffixLine.onCursorLine ? suffixLine.text.trim() : suffixLine.text.trimEnd();
  if (ours === theirs) return true;
  // `}` against `})`: the suffix closes more than the completion, but the completion's closer is already there.
  const ourCloser = ours.trim();
  return (
    isClosingLine(ourCloser) &&
    isClosersOnly(ourCloser) &&
    theirs.trim().startsWith(ourCloser) &&
    leadingWhitespace(ours) === leadingWhitespace(theirs)
  );
}

/**
 * Drops the lines of a multi-line completion that already follow the cursor: a closing `}` the
 * editor auto-inserted, or code the model re-wrote from the suffix. A closing line alone must
 * match to the end of the completion, so that a nested block's `}` is never mistaken for it.
 */
export function dropSuffixDuplicates(completion: string, suffix: string): string {
  const lines = completion.split("\n");
  if (lines.length < 2) return completion;
  const head = headOfSuffix(suffix, lines.length);
  if (head.length === 0) return completion;
  for (let index = 1; index < lines.length; index++) {
    if (isBlank(lines[index]) || !sameLine(lines[index], head[0])) continue;
    const tail = lines.slice(index).filter((line) => !isBlank(line));
    const wholeTailMatches = tail.length <= head.length && tail.every((line, offset) => sameLine(line, head[offset]));
    if (!wholeTailMatches && isClosingLine(lines[index])) continue;
    if (head[0].onCursorLine) {
      // The duplicate sits right of the cursor: keep the line break and indentation so it lands on a line of its own.
      return [...lines.slice(0, index), leadingWhitespace(lines[index])].join("\n");
    }
    return trimTrailingBlankLines(lines.slice(0, index)).join("\n");
  }
  return completion;
}

function trimTrailingBlankLines(lines: string[]): string[] {
  let end = lines.length;
  while (end > 1 && isBlank(lines[end - 1])) end--;
  return lines.slice(0, end);
}
