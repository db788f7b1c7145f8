import { fencedBlocks, tagFits, type FencedBlock } from "./fences";
import { commonIndentation, isBlank, leadingWhitespace, lineEndingOf, splitLines, type LineEnding } from "./text";

/**
 * "rewrite": the answer replaces the original, so among several blocks the one most like the original wins.
 * "newFile": the answer is new code (tests), so the largest block wins and no indentation is borrowed.
 */
export type ExtractionMode = "rewrite" | "newFile";

export interface ExtractionInput {
  answer: string;
  /** The target's text exactly as it is in the document; "" for a new file. */
  original: string;
  languageId: string;
  mode: ExtractionMode;
  /** True when the target starts after other text on its first line, so that line has no indentation of its own. */
  startsMidLine: boolean;
  /** The document's line ending, for targets without a line break of their own. */
  documentLineEnding: LineEnding;
}

export type Extraction =
  { kind: "code"; code: string } | { kind: "empty" } | { kind: "noCode" } | { kind: "unchanged" };

/** Pulls the code out of a model's answer and fits it to the original's indentation, line endings and final newline. */
export function extractCode(input: ExtractionInput): Extraction {
  if (input.answer.trim() === "") return { kind: "empty" };
  const raw = pickCode(input);
  if (raw === undefined) return { kind: "noCode" };
  const code = fitToOriginal(raw, input);
  if (code === input.original) return { kind: "unchanged" };
  return { kind: "code", code };
}

function pickCode(input: ExtractionInput): string | undefined {
  const blocks = fencedBlocks(input.answer);
  if (blocks.length === 0) return stripProse(input.answer);
  const candidates = blocks.filter((block) => tagFits(block.tag, input.languageId) && !isBlankText(block.code));
  if (candidates.length === 0) return undefined;
  return (input.mode === "rewrite" ? mostLikeOriginal(candidates, input.original) : largest(candidates)).code;
}

function isBlankText(text: string): boolean {
  return text.trim() === "";
}

function largest(blocks: readonly FencedBlock[]): FencedBlock {
  return blocks.reduce((best, block) => (block.code.trim().length > best.code.trim().length ? block : best));
}

/**
 * Answers often quote the original before the rewrite, or add a usage example after it. The rewrite is the block that
 * shares most lines with the original without being it; on a tie the later block wins, as answers end with the result.
 */
function mostLikeOriginal(blocks: readonly FencedBlock[], original: string): FencedBlock {
  const originalKey = normalisedLines(original).join("\n");
  const rewrites = blocks.filter((block) => normalisedLines(block.code).join("\n") !== originalKey);
  const pool = rewrites.length > 0 ? rewrites : blocks;
  let best = pool[0];
  let bestScore = -1;
  for (const block of pool) {
    const score = sharedLineCount(normalisedLines(block.code), normalisedLines(original));
    if (score >= bestScore) {
      best = block;
      bestScore = score;
    }
  }
  return best;
}

function normalisedLines(text: string): string[] {
  return splitLines(text)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

function sharedLineCount(left: readonly string[], right: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const line of right) counts.set(line, (counts.get(line) ?? 0) + 1);
  let shared = 0;
  for (const line of left) {
    const available = counts.get(line) ?? 0;
    if (available > 0) {
      shared++;
      counts.set(line, available - 1);
    }
  }
  return shared;
}

const codeStarts =
  /^(def|class|async|await|return|import|from|export|function|const|let|var|public|private|protected|static|if|else|elif|for|while|switch|case|try|catch|finally|throw|raise|with|package|fn|func|pub|use|mod|impl|struct|enum|type|interface|module|end|begin|require|include|namespace|using|template|echo|local|then|fi|do|done|yield|lambda|print|puts|new|delete|goto|break|continue|pass|assert)\b/;

/** A line of chatter ("Here is the simplified function:"), as opposed to code; only ever unindented. */
function isProse(line: string): boolean {
  if (line !== line.trimStart()) return false;
  const text = line.trim();
  if (codeStarts.test(text)) return false;
  if (!/^[A-Za-z]/.test(text)) return false;
  if (text.split(/\s+/).length < 3) return false;
  // Identifiers, member access, symbols and sigils do not occur in chatter: `attr_reader :name`, `self.items`, `$x`.
  if (/[_#$@`\\]|\.\w|:\S/.test(text)) return false;
  const sentenceEnd = /[.:!?]$/.test(text);
  const codePunctuation = /[;{}=<>[\]]|\)\s*$|\(\s*\)|->|=>/.test(text);
  return sentenceEnd ? !/[;{}=]|=>|->/.test(text) : !codePunctuation && !/[()]/.test(text);
}

/** An answer without fences: the code is what is left after the chatter before and after it. */
function stripProse(answer: string): string | undefined {
  const lines = splitLines(answer);
  let first = 0;
  let last = lines.length - 1;
  while (first <= last && (isBlank(lines[first]) || isProse(lines[first]))) first++;
  while (last >= first && (isBlank(lines[last]) || isProse(lines[last]))) last--;
  if (first > last) return undefined;
  return lines.slice(first, last + 1).join("\n");
}

/** Re-indents, converts line endings and matches the original's final newline; the original's style always wins. */
export function fitToOriginal(code: string, input: ExtractionInput): string {
  let lines = splitLines(code).map((line) => line.replace(/[ \t]+$/, ""));
  while (lines.length > 0 && isBlank(lines[0])) lines.shift();
  while (lines.length > 0 && isBlank(lines[lines.length - 1])) lines.pop();
  const originalLines = splitLines(input.original);
  lines = convertIndentationStyle(lines, originalLines);
  if (input.mode === "rewrite") lines = rebase(lines, originalLines, input.startsMidLine);
  const lineEnding = lineEndingOf(input.original, input.documentLineEnding);
  const endsWithNewline = input.mode === "newFile" || /\r?\n$/.test(input.original);
  return lines.join(lineEnding) + (endsWithNewline ? lineEnding : "");
}

/** Moves the answer's common indentation to the original's, keeping every line's indentation relative to it. */
function rebase(lines: readonly string[], originalLines: readonly string[], startsMidLine: boolean): string[] {
  if (lines.length === 0) return [];
  const originalBody = startsMidLine ? originalLines.slice(1) : originalLines;
  const targetBase = commonIndentation(originalBody);
  if (startsMidLine) {
    const answerBase = commonIndentation(lines.slice(1));
    return [lines[0].trimStart(), ...lines.slice(1).map((line) => reindent(line, answerBase, targetBase))];
  }
  // A model that copies lines from an indented block often drops the first line's indentation and keeps the rest's.
  const restOriginal = commonIndentation(originalLines.slice(1));
  const restAnswer = commonIndentation(lines.slice(1));
  if (
    lines.length > 1 &&
    leadingWhitespace(lines[0]) === "" &&
    targetBase !== "" &&
    restAnswer === restOriginal &&
    restOriginal.length > targetBase.length &&
    leadingWhitespace(originalLines[0]) === targetBase
  ) {
    return [targetBase + lines[0], ...lines.slice(1)];
  }
  const answerBase = commonIndentation(lines);
  return lines.map((line) => reindent(line, answerBase, targetBase));
}

function reindent(line: string, from: string, to: string): string {
  if (isBlank(line)) return "";
  return to + (line.startsWith(from) ? line.slice(from.length) : line.trimStart());
}

type IndentationStyle = { kind: "tabs" } | { kind: "spaces"; width: number } | { kind: "unknown" };

function indentationStyle(lines: readonly string[]): IndentationStyle {
  const indentations = lines.filter((line) => !isBlank(line)).map(leadingWhitespace);
  if (indentations.some((indentation) => indentation.startsWith("\t"))) return { kind: "tabs" };
  // The step between distinct levels, not the levels themselves: one line at 8 spaces says nothing about the width.
  const levels = [
    ...new Set(
      indentations.filter((indentation) => !indentation.includes("\t")).map((indentation) => indentation.length),
    ),
  ].sort((left, right) => left - right);
  let width = 0;
  for (let index = 1; index < levels.length; index++)
    width = greatestCommonDivisor(width, levels[index] - levels[index - 1]);
  return width >= 2 ? { kind: "spaces", width } : { kind: "unknown" };
}

function greatestCommonDivisor(left: number, right: number): number {
  return right === 0 ? left : greatestCommonDivisor(right, left % right);
}

/** Models mostly indent with spaces; a tab-indented or two-space file must keep its own style. */
function convertIndentationStyle(lines: readonly string[], originalLines: readonly string[]): string[] {
  const wanted = indentationStyle(originalLines);
  const given = indentationStyle(lines);
  if (wanted.kind === "unknown" || given.kind === "unknown") return [...lines];
  if (wanted.kind === "tabs" && given.kind === "spaces") {
    return lines.map((line) => {
      const indentation = leadingWhitespace(line);
      const levels = Math.floor(indentation.length / given.width);
      return "\t".repeat(levels) + " ".repeat(indentation.length % given.width) + line.slice(indentation.length);
    });
  }
  if (wanted.kind === "spaces" && given.kind === "tabs") {
    return lines.map((line) => {
      const indentation = leadingWhitespace(line);
      return indentation.replace(/\t/g, " ".repeat(wanted.width)) + line.slice(indentation.length);
    });
  }
  if (wanted.kind === "spaces" && given.kind === "spaces" && wanted.width !== given.width) {
    return lines.map((line) => {
      const indentation = leadingWhitespace(line);
      return " ".repeat(Math.round((indentation.length * wanted.width) / given.width)) + line.slice(indentation.length);
    });
  }
  return [...lines];
}
