import { blockIndentLimit } from "./blockEnd";
import type { CompletionMode } from "./mode";
import { isTrivial, lineAbove, longestLoop } from "./repetition";
import { findSpecialToken } from "./specialTokens";
import { headOfSuffix, sameLine, type SuffixLine } from "./suffixOverlap";
import { indentWidth, isBlank, isClosersOnly, isClosingLine, isCommentLine, lineBefore } from "./text";

/**
 * What a backend needs to stop generating once post-processing's result can no longer change: plain data, so the
 * request carries it to the inference host and to the remote backends alike.
 */
export interface StopPolicySpec {
  mode: CompletionMode;
  maxLines: number;
  tabSize: number;
  /** The cursor's line left of the cursor. */
  lineBefore: string;
  /** The line above the cursor's line; absent on the document's first line. */
  lineAbove?: string;
  /** The suffix's first non-blank line, which a completion line must not repeat. */
  suffixHead?: SuffixLine;
  /**
   * Post-processing parses the whole insertion to check it: the lines past maxLines, which the editor never shows,
   * still decide whether anything shows, so maxLines alone cannot end the generation.
   */
  checksSyntax: boolean;
  /** Once a full line exists, generation ends after this many milliseconds and keeps its full lines; 0: no cap. */
  timeCapMs: number;
}

export interface StopPolicyRequest {
  /** The text before and after the cursor, as post-processing gets it. */
  prefix: string;
  suffix: string;
  mode: CompletionMode;
  maxLines: number;
  tabSize: number;
  checksSyntax: boolean;
  timeCapMs: number;
}

export function stopPolicySpec(request: StopPolicyRequest): StopPolicySpec {
  const { prefix, suffix, mode, maxLines, tabSize, checksSyntax, timeCapMs } = request;
  const above = lineAbove(prefix);
  const [suffixHead] = headOfSuffix(suffix, 1);
  return {
    mode,
    maxLines,
    tabSize,
    lineBefore: lineBefore(prefix),
    ...(above === undefined ? {} : { lineAbove: above }),
    ...(suffixHead === undefined ? {} : { suffixHead }),
    checksSyntax,
    timeCapMs,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The host checks what arrives over IPC before it builds a policy from it. */
export function isStopPolicySpec(value: unknown): value is StopPolicySpec {
  if (!isRecord(value)) return false;
  const { mode, maxLines, tabSize, lineAbove, suffixHead, checksSyntax, timeCapMs } = value;
  return (
    (mode === "singleLine" || mode === "multiLine") &&
    typeof maxLines === "number" &&
    Number.isInteger(maxLines) &&
    maxLines >= 1 &&
    typeof tabSize === "number" &&
    Number.isInteger(tabSize) &&
    tabSize >= 1 &&
    typeof value.lineBefore === "string" &&
    (lineAbove === undefined || typeof lineAbove === "string") &&
    (suffixHead === undefined ||
      (isRecord(suffixHead) && typeof suffixHead.text === "string" && typeof suffixHead.onCursorLine === "boolean")) &&
    typeof checksSyntax === "boolean" &&
    typeof timeCapMs === "number" &&
    timeCapMs >= 0
  );
}

/** "complete": post-processing's result is known; "timeLimit": the time cap kept the full lines written so far. */
export interface StopDecision {
  reason: "complete" | "timeLimit";
  /** The generated text to hand to post-processing. */
  text: string;
}

/** Block-ending keywords, as isClosingLine knows them; a line may still be writing one. */
const closingKeywords = ["end", "fi", "done", "esac", "endif", "endwhile", "endforeach", "endfor", "endswitch"];

/** Whether a line still being written can turn out to be a closing line (isClosingLine on the whole line). */
function mayBeClosing(partial: string): boolean {
  const text = partial.trim();
  if (isClosersOnly(text)) return true;
  return closingKeywords.some(
    (keyword) => keyword.startsWith(text) || (text.startsWith(keyword) && !/\w/.test(text.charAt(keyword.length))),
  );
}

/** A line that may turn out to be only a comment (isCommentLine on the whole line). */
const mayBeComment = /^\s*[#/*-]/;

/** A line that ends in what may become a control token: post-processing would cut the line there instead. */
const controlTokenStart = /<[\w|｜▁/]*$/;

/** The longest special token's length, to find one that arrived split over two updates. */
const specialTokenSpan = 32;

/**
 * Decides, while tokens arrive, the moment post-processing's result is final: the same rules (the block ends by
 * indentation, a line repeats the suffix, maxLines, a repetition loop, a control token), each applied only once no
 * later text can change its answer, so it never cuts earlier than post-processing. Only the lines completed since
 * the last update are examined, which keeps the check per token to a few string operations.
 */
export class StopPolicy {
  private readonly limit: number;
  /** Where the model's text starts once leading control tokens are dropped. */
  private start = 0;
  /** Where the line being written starts. */
  private lineStart = 0;
  private specialFrom = 0;
  private lines: string[] = [];
  /** The lines trimmed, the first one as the whole cursor line: what the repetition rule compares. */
  private keys: string[] = [];
  private trivial: boolean[] = [];
  private repeatAt: number | undefined;
  private suffixRepeatAt: number | undefined;
  /** A closing line repeats the suffix's first line: whether it is dropped depends on every line after it. */
  private closerMatchesSuffix = false;
  private hasFullLine = false;

  constructor(private readonly spec: StopPolicySpec) {
    this.limit = blockIndentLimit(spec.lineBefore, spec.tabSize);
  }

  /** `text` is everything generated so far; `generationMs` the time since the first token. */
  update(text: string, generationMs: number): StopDecision | undefined {
    if (this.controlTokenEnds(text)) return { reason: "complete", text };
    for (let end = text.indexOf("\n", this.lineStart); end >= 0; end = text.indexOf("\n", this.lineStart)) {
      const line = text.slice(this.lineStart, end);
      this.lineStart = end + 1;
      // Without the next line's start, which post-processing would otherwise read as a (blank, or shorter) line.
      if (this.addLine(line)) return { reason: "complete", text: text.slice(0, end) };
    }
    if (this.spec.mode === "multiLine" && this.partialLineDecides(text.slice(this.lineStart)))
      return { reason: "complete", text };
    if (this.spec.timeCapMs > 0 && this.hasFullLine && generationMs >= this.spec.timeCapMs) {
      return { reason: "timeLimit", text: text.slice(0, this.lineStart - 1) };
    }
    return undefined;
  }

  /** A control token after real text ends what post-processing keeps; leading ones are skipped as it skips them. */
  private controlTokenEnds(text: string): boolean {
    for (;;) {
      if (text.indexOf("<", this.specialFrom) < 0) break;
      const match = findSpecialToken(text.slice(this.start));
      if (match === null) break;
      if (text.slice(this.start, this.start + match.index).trim() !== "") return true;
      this.restartAt(this.start + match.index + match[0].length);
    }
    this.specialFrom = Math.max(this.start, text.length - specialTokenSpan);
    return false;
  }

  private restartAt(start: number): void {
    this.start = start;
    this.lineStart = start;
    this.specialFrom = start;
    this.lines = [];
    this.keys = [];
    this.trivial = [];
    this.repeatAt = undefined;
    this.suffixRepeatAt = undefined;
    this.closerMatchesSuffix = false;
    this.hasFullLine = false;
  }

  /** Takes a completed line; true once the result is final. */
  private addLine(line: string): boolean {
    const index = this.lines.length;
    const whole = index === 0 ? this.spec.lineBefore + line : line;
    this.lines.push(line);
    this.keys.push(whole.trim());
    this.trivial.push(isTrivial(whole));
    if (!isBlank(line)) this.hasFullLine = true;
    // Blank lines before a control token are dropped with it, so only a line with text is the first line for sure.
    if (this.spec.mode === "singleLine") return this.hasFullLine;
    if (index === 0) {
      const above = this.spec.lineAbove;
      // Post-processing then drops the whole suggestion.
      return above !== undefined && !this.trivial[0] && this.keys[0] === above.trim();
    }
    // The block ends here: the rules after it only look at the lines before it, which are all known. A syntax tree
    // may keep a comment in the block, though, so only code after it decides.
    if (!isBlank(line) && !isCommentLine(line) && indentWidth(line, this.spec.tabSize) <= this.limit) return true;
    this.findLoopsEndingAt(index);
    this.noteSuffixRepeat(index, line);
    return this.decided() || (index >= this.spec.maxLines && !isBlank(line) && this.maxLinesDecides());
  }

  /** Loops whose last line is `index`: a run of lines equal to the run right before it. */
  private findLoopsEndingAt(index: number): void {
    for (let loop = 1; loop <= longestLoop; loop++) {
      const first = index - loop + 1;
      if (first < loop || first < 1 || (this.repeatAt !== undefined && first >= this.repeatAt)) continue;
      let allTrivial = true;
      let repeats = true;
      for (let offset = 0; offset < loop && repeats; offset++) {
        allTrivial &&= this.trivial[first + offset];
        repeats = this.keys[first + offset] === this.keys[first - loop + offset];
      }
      if (repeats && !allTrivial) this.repeatAt = first;
    }
  }

  private noteSuffixRepeat(index: number, line: string): void {
    const head = this.spec.suffixHead;
    if (head === undefined || this.suffixRepeatAt !== undefined || isBlank(line) || !sameLine(line.trimEnd(), head))
      return;
    if (isClosingLine(line)) this.closerMatchesSuffix = true;
    else this.suffixRepeatAt = index;
  }

  /** Whether a loop starting before `index` may still be found once more lines arrive. */
  private loopPendingBefore(index: number): boolean {
    const known = this.lines.length;
    for (let loop = 1; loop <= longestLoop; loop++) {
      for (let first = Math.max(loop, 1, known - loop + 1); first < Math.min(index, known); first++) {
        let matches = true;
        for (let line = first; line < known && matches; line++) matches = this.keys[line] === this.keys[line - loop];
        if (matches) return true;
      }
    }
    return false;
  }

  /**
   * A loop cuts where it starts, once no earlier loop may still be found, and once a line with text follows it: the
   * block's end trims the blank lines before it, and a loop that ends in them would then not be whole. A repeated
   * suffix line cuts there unless a loop cuts earlier.
   */
  private decided(): boolean {
    const { repeatAt, suffixRepeatAt } = this;
    if (repeatAt !== undefined && !isBlank(this.lines[this.lines.length - 1]) && !this.loopPendingBefore(repeatAt))
      return true;
    if (
      suffixRepeatAt === undefined ||
      this.closerMatchesSuffix ||
      (repeatAt !== undefined && repeatAt <= suffixRepeatAt)
    )
      return false;
    // A loop at the same line cuts there too, but keeps the blank lines before it that the suffix rule trims.
    return !this.loopPendingBefore(suffixRepeatAt + 1);
  }

  /**
   * The line being written decides before it is complete when it ends the block and cannot be a closing line (which
   * the block would keep), and, past maxLines, once it has text: blank lines in between would have been trimmed.
   */
  private partialLineDecides(partial: string): boolean {
    const index = this.lines.length;
    if (index === 0 || isBlank(partial) || controlTokenStart.test(partial)) return false;
    if (indentWidth(partial, this.spec.tabSize) <= this.limit && !mayBeClosing(partial) && !mayBeComment.test(partial))
      return true;
    return index >= this.spec.maxLines && this.maxLinesDecides();
  }

  /** A blank last shown line stays only if no later cut trims it with the blank lines after it. */
  private maxLinesDecides(): boolean {
    const { maxLines, checksSyntax } = this.spec;
    if (checksSyntax || this.closerMatchesSuffix || this.repeatAt !== undefined || isBlank(this.lines[maxLines - 1]))
      return false;
    return !this.loopPendingBefore(maxLines);
  }
}
