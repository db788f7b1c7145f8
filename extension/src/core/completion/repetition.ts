import { isBlank, isClosingLine, lineBefore } from "./text";

/** The longest run of lines that counts as a loop when it repeats the run before it. */
export const longestLoop = 4;

/** Lines that legitimately repeat: blank lines and lines that only close blocks. */
export function isTrivial(line: string): boolean {
  return isBlank(line) || isClosingLine(line);
}

export function lineAbove(prefix: string): string | undefined {
  const cursorLineStart = prefix.lastIndexOf("\n");
  if (cursorLineStart < 0) return undefined;
  return prefix.slice(prefix.lastIndexOf("\n", cursorLineStart - 1) + 1, cursorLineStart);
}

/**
 * Cuts a completion where the model starts looping: a line that repeats the line just above
 * it (for the first line, the line above the cursor), or a run of up to four lines that repeats
 * the run before it. Closing lines like `}` or `end` legitimately repeat and never count.
 */
export function stopAtRepeatedLines(completion: string, prefix: string): string {
  const lines = completion.split("\n");
  // The first completion line continues the cursor's line, so it is compared as the whole line.
  const wholeLines = [lineBefore(prefix) + lines[0], ...lines.slice(1)];
  const above = lineAbove(prefix);
  if (above !== undefined && !isTrivial(wholeLines[0]) && wholeLines[0].trim() === above.trim()) return "";
  for (let index = 1; index < wholeLines.length; index++) {
    for (let loop = 1; loop <= Math.min(longestLoop, index, wholeLines.length - index); loop++) {
      const run = wholeLines.slice(index, index + loop);
      if (run.every(isTrivial)) continue;
      const before = wholeLines.slice(index - loop, index);
      if (run.every((line, offset) => line.trim() === before[offset].trim())) return lines.slice(0, index).join("\n");
    }
  }
  return completion;
}
