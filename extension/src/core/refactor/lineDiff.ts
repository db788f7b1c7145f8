import { lineStarts } from "./text";

/** Lines [originalStart, originalEnd) of the original become lines [proposedStart, proposedEnd) of the proposal. */
export interface LineHunk {
  originalStart: number;
  originalEnd: number;
  proposedStart: number;
  proposedEnd: number;
}

/** A replacement of [start, end) of the original text; offsets are relative to that text. */
export interface TextReplacement {
  start: number;
  end: number;
  text: string;
}

/** Above this many cells the quadratic table would cost too much memory; such a change becomes one hunk. */
const maxTableCells = 4_000_000;

/** The smallest set of changed line runs (a longest-common-subsequence diff), after trimming the common ends. */
export function diffLines(original: readonly string[], proposed: readonly string[]): LineHunk[] {
  let head = 0;
  while (head < original.length && head < proposed.length && original[head] === proposed[head]) head++;
  let tail = 0;
  while (
    tail < original.length - head &&
    tail < proposed.length - head &&
    original[original.length - 1 - tail] === proposed[proposed.length - 1 - tail]
  ) {
    tail++;
  }
  const left = original.slice(head, original.length - tail);
  const right = proposed.slice(head, proposed.length - tail);
  if (left.length === 0 && right.length === 0) return [];
  if (left.length === 0 || right.length === 0 || (left.length + 1) * (right.length + 1) > maxTableCells) {
    return [
      { originalStart: head, originalEnd: head + left.length, proposedStart: head, proposedEnd: head + right.length },
    ];
  }
  return middleHunks(left, right).map((hunk) => ({
    originalStart: hunk.originalStart + head,
    originalEnd: hunk.originalEnd + head,
    proposedStart: hunk.proposedStart + head,
    proposedEnd: hunk.proposedEnd + head,
  }));
}

function middleHunks(left: readonly string[], right: readonly string[]): LineHunk[] {
  const columns = right.length + 1;
  // common[i * columns + j]: length of the longest common subsequence of left[i..] and right[j..].
  const common = new Uint32Array((left.length + 1) * columns);
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      common[i * columns + j] =
        left[i] === right[j]
          ? common[(i + 1) * columns + j + 1] + 1
          : Math.max(common[(i + 1) * columns + j], common[i * columns + j + 1]);
    }
  }
  const hunks: LineHunk[] = [];
  let open: LineHunk | undefined;
  let i = 0;
  let j = 0;
  const closeOpen = (): void => {
    if (open !== undefined) hunks.push(open);
    open = undefined;
  };
  while (i < left.length || j < right.length) {
    if (i < left.length && j < right.length && left[i] === right[j]) {
      closeOpen();
      i++;
      j++;
      continue;
    }
    open ??= { originalStart: i, originalEnd: i, proposedStart: j, proposedEnd: j };
    if (j < right.length && (i === left.length || common[i * columns + j + 1] >= common[(i + 1) * columns + j])) {
      j++;
      open.proposedEnd = j;
    } else {
      i++;
      open.originalEnd = i;
    }
  }
  closeOpen();
  return hunks;
}

/**
 * The replacements that turn `original` into `proposed`, touching only changed lines, so that an accepted refactor
 * leaves markers, breakpoints and folding on the unchanged lines alone. Both texts must use the same line ending.
 */
export function lineReplacements(original: string, proposed: string): TextReplacement[] {
  const originalLines = original.split(/\r?\n/);
  const proposedLines = proposed.split(/\r?\n/);
  const originalStarts = lineStarts(original);
  const proposedStarts = lineStarts(proposed);
  const lineEnd = (text: string, starts: readonly number[], line: number): number => {
    if (line + 1 >= starts.length) return text.length;
    const breakAt = starts[line + 1] - 1;
    return breakAt > 0 && text[breakAt - 1] === "\r" ? breakAt - 1 : breakAt;
  };
  return diffLines(originalLines, proposedLines).map((hunk) => {
    // Each hunk maps to one character range: from the start of its first line to the end of its last, or, for a pure
    // insertion, to an empty range at a line start; the texts' line breaks around the range stay where they are.
    const startsAtLine = (starts: readonly number[], line: number, text: string): number =>
      line < starts.length ? starts[line] : text.length;
    if (hunk.originalStart === hunk.originalEnd) {
      // Insertion before original line originalStart: the inserted lines with their breaks.
      const at = startsAtLine(originalStarts, hunk.originalStart, original);
      const from = startsAtLine(proposedStarts, hunk.proposedStart, proposed);
      const to = startsAtLine(proposedStarts, hunk.proposedEnd, proposed);
      if (hunk.originalStart >= originalLines.length) {
        // Appending after the last line, which has no break of its own: the break goes first.
        const breakStart = lineEnd(proposed, proposedStarts, hunk.proposedStart - 1);
        return { start: original.length, end: original.length, text: proposed.slice(breakStart, proposed.length) };
      }
      return { start: at, end: at, text: proposed.slice(from, to) };
    }
    if (hunk.proposedStart === hunk.proposedEnd) {
      // Deletion of whole lines with their breaks; at the very end, the break before them goes instead.
      if (hunk.originalEnd >= originalLines.length) {
        const start = hunk.originalStart === 0 ? 0 : lineEnd(original, originalStarts, hunk.originalStart - 1);
        return { start, end: original.length, text: "" };
      }
      return { start: originalStarts[hunk.originalStart], end: originalStarts[hunk.originalEnd], text: "" };
    }
    return {
      start: originalStarts[hunk.originalStart],
      end: lineEnd(original, originalStarts, hunk.originalEnd - 1),
      text: proposed.slice(proposedStarts[hunk.proposedStart], lineEnd(proposed, proposedStarts, hunk.proposedEnd - 1)),
    };
  });
}

/** Applies replacements (sorted, non-overlapping) to `text`; the pure model of one WorkspaceEdit. */
export function applyReplacements(text: string, replacements: readonly TextReplacement[]): string {
  let result = "";
  let position = 0;
  for (const replacement of replacements) {
    result += text.slice(position, replacement.start) + replacement.text;
    position = replacement.end;
  }
  return result + text.slice(position);
}
