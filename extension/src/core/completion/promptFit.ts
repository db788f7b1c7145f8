// Fits a completion prompt's pieces into its token budget, counted with the model's own tokenizer. The host runs it,
// since it holds the tokenizer: the extension sends more text than the budget holds, and no keystroke waits for a
// round trip to count tokens. The llama-server backend runs the same fit with the server's tokenizer, through
// fitInfillContextCounted, which counts only the texts its caller has no count for.
//
// The prompt is the concatenation of separately tokenized units, so its length is exactly the sum of theirs. The text
// around the cursor is cut into blocks that start at document lines divisible by `blockLines`: the kept prefix then
// starts at the same line across keystrokes, and the tokens of the blocks above the cursor stay the same, which is
// what lets the host reuse its KV cache while the user types (fimLayout.ts puts the suffix first for the same reason).
import type { InfillContext } from "../protocol/host";

/** The model's tokenizer, or a stand-in; a unit costs as many tokens as the array it returns. */
export type Tokenize<Token> = (text: string) => readonly Token[];

export interface FittedInfill<Token> {
  /** Pieces from other files, the path comment, cut-off scope headers and the code before the cursor, in order. */
  prefix: Token[];
  suffix: Token[];
  /** The same prompt as text, for a backend that sends text and counts with a remote tokenizer (llama-server). */
  text: { prefix: string; suffix: string };
  /** One line per part and what it cost, for the trace log. */
  included: string[];
}

/**
 * The kept prefix starts at a multiple of this many lines, so it moves only after the user has typed about a block's
 * worth of tokens; at most a block's worth of the budget stays unused.
 */
export const blockLines = 8;

/** Splits `text`, whose first line is document line `firstLine`, before each line divisible by blockLines. */
export function blocksOf(text: string, firstLine: number): string[] {
  const blocks: string[] = [];
  let start = 0;
  let line = firstLine;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) {
    line++;
    if (line % blockLines === 0) {
      blocks.push(text.slice(start, at + 1));
      start = at + 1;
    }
  }
  if (start < text.length) blocks.push(text.slice(start));
  return blocks;
}

function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function newlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

interface Taken<Token> {
  tokens: Token[];
  /** Characters of the text the tokens cover. */
  chars: number;
}

/** Whole blocks from the start of `blocks` within `budget`, then whole lines of the first block that does not fit. */
function takeFromStart<Token>(blocks: readonly string[], budget: number, tokenize: Tokenize<Token>): Taken<Token> {
  const taken: Taken<Token> = { tokens: [], chars: 0 };
  const take = (text: string): boolean => {
    const tokens = tokenize(text);
    if (taken.tokens.length + tokens.length > budget) return false;
    taken.tokens.push(...tokens);
    taken.chars += text.length;
    return true;
  };
  for (const block of blocks) {
    if (take(block)) continue;
    for (const line of linesOf(block)) if (!take(line)) break;
    break;
  }
  return taken;
}

/**
 * Whole blocks from the end of `blocks` within `budget`. The cursor's own block is cut line by line if it alone is too
 * long, and its last line by characters: the code right before the cursor is the last thing a prompt may lose.
 */
function takeFromEnd<Token>(blocks: readonly string[], budget: number, tokenize: Tokenize<Token>): Taken<Token> {
  const parts: (readonly Token[])[] = [];
  let used = 0;
  let chars = 0;
  const prepend = (text: string): boolean => {
    const tokens = tokenize(text);
    if (used + tokens.length > budget) return false;
    parts.unshift(tokens);
    used += tokens.length;
    chars += text.length;
    return true;
  };
  for (let index = blocks.length - 1; index >= 0; index--) {
    if (prepend(blocks[index])) continue;
    if (index === blocks.length - 1) {
      const lines = linesOf(blocks[index]);
      for (let lineIndex = lines.length - 1; lineIndex >= 0; lineIndex--) {
        if (prepend(lines[lineIndex])) continue;
        if (lineIndex === lines.length - 1) {
          const tail = longestTailWithin(lines[lineIndex], budget, tokenize);
          parts.unshift(tail.tokens);
          chars += tail.chars;
        }
        break;
      }
    }
    break;
  }
  return { tokens: parts.flat(), chars };
}

/** The longest end of `line` within `budget` tokens, found by bisection: one line longer than a whole budget is rare. */
function longestTailWithin<Token>(line: string, budget: number, tokenize: Tokenize<Token>): Taken<Token> {
  let best: Taken<Token> = { tokens: [], chars: 0 };
  let low = 1;
  let high = line.length;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const tokens = tokenize(line.slice(line.length - middle));
    if (tokens.length <= budget) {
      best = { tokens: [...tokens], chars: middle };
      low = middle + 1;
    } else high = middle - 1;
  }
  return best;
}

/**
 * The prompt within `context.budget`: the suffix first gets up to its share, pieces from other files theirs (in the
 * order given, skipping one that does not fit), and the code before the cursor the rest, since it predicts the next
 * tokens best. Headers of enclosing scopes the kept prefix starts inside replace some of its first lines.
 * `countedWith` ends the trace's last line: where the counts came from.
 */
export function fitInfillContext<Token>(context: InfillContext, tokenize: Tokenize<Token>, countedWith = "counted with the model's tokenizer"): FittedInfill<Token> {
  const { budget } = context;
  const included: string[] = [];
  const cursorLine = context.prefixFirstLine + newlines(context.prefix);

  const suffix = takeFromStart(blocksOf(context.suffix, cursorLine), Math.floor(budget.totalTokens * budget.suffixShare), tokenize);
  included.push(`suffix: ${newlines(context.suffix.slice(0, suffix.chars))} lines, ${suffix.tokens.length} tokens`);
  let remaining = budget.totalTokens - suffix.tokens.length;

  let pieceBudget = Math.min(remaining, Math.floor(budget.totalTokens * budget.snippetShare));
  const pieces: Token[] = [];
  let piecesText = "";
  for (const piece of context.pieces) {
    const tokens = tokenize(piece.text);
    if (tokens.length > pieceBudget) {
      included.push(`skipped ${piece.label}: ${tokens.length} tokens over the budget for other files`);
      continue;
    }
    pieceBudget -= tokens.length;
    pieces.push(...tokens);
    piecesText += piece.text;
    included.push(`${piece.label}: ${tokens.length} tokens`);
  }
  remaining -= pieces.length;

  const pathTokens = tokenize(context.pathComment);
  const keepsPathComment = pathTokens.length <= remaining;
  const pathComment = keepsPathComment ? pathTokens : [];
  remaining -= pathComment.length;

  const blocks = blocksOf(context.prefix, context.prefixFirstLine);
  let prefix = takeFromEnd(blocks, remaining, tokenize);
  const firstKeptLine = (kept: Taken<Token>): number => {
    const start = context.prefix.length - kept.chars;
    const startsLine = start === 0 || context.prefix[start - 1] === "\n";
    return context.prefixFirstLine + newlines(context.prefix.slice(0, start)) + (startsLine ? 0 : 1);
  };
  const cutScopes = context.scopes.filter((scope) => scope.line < firstKeptLine(prefix));
  const scopes = cutScopes.flatMap((scope) => [...tokenize(`${scope.text}\n`)]);
  let scopesText = "";
  if (cutScopes.length > 0 && scopes.length <= remaining) {
    scopesText = cutScopes.map((scope) => `${scope.text}\n`).join("");
    // The headers replace lines at the top of the window, so the total stays within the budget.
    prefix = takeFromEnd(blocks, remaining - scopes.length, tokenize);
    included.push(`enclosing scopes above the window: ${cutScopes.length}, ${scopes.length} tokens`);
  } else scopes.length = 0;
  included.push(`prefix: from line ${firstKeptLine(prefix) + 1}, ${prefix.tokens.length} tokens`);

  const prefixTokens = [...pieces, ...pathComment, ...scopes, ...prefix.tokens];
  included.push(`prompt: ${prefixTokens.length + suffix.tokens.length} of ${budget.totalTokens} tokens, ${countedWith}`);
  const prefixText = piecesText + (keepsPathComment ? context.pathComment : "") + scopesText + context.prefix.slice(context.prefix.length - prefix.chars);
  return { prefix: prefixTokens, suffix: suffix.tokens, text: { prefix: prefixText, suffix: context.suffix.slice(0, suffix.chars) }, included };
}

/** Counts the tokens of each text, in order, with a tokenizer behind a round trip (llama-server's /tokenize). */
export type CountTokens = (texts: readonly string[]) => Promise<readonly number[]>;

/**
 * A stand-in for a count not known yet: low, so a run with it looks at least as far as the exact run will (a unit that
 * costs more only stops the walk sooner). Code rarely packs more than 6 characters into a token.
 */
export function lowTokenEstimate(text: string): number {
  return Math.floor(text.length / 6);
}

/**
 * fitInfillContext with a tokenizer that only counts, behind a round trip: the same fit, with no round trip per unit.
 * Each run uses the counts known so far (`known`, the caller's cache, and what this call has counted) and a low stand-in
 * for the rest; the units the run met uncounted are counted together, and it runs again until it met none, so the
 * result is exact. While the user types, the blocks above the cursor are known, so one round counts the cursor's block.
 * `count` rejects to end the fit (an abort, a failed request). The server tokenizes the joined text, whose merges across
 * the units' boundaries (a blank line after a block) make it, in practice, no longer than the sum of the units.
 * `standIn` trades requests for rounds: the lower, the more units the first run counts that the exact one skips; a
 * stand-in above a unit's count costs another round, never exactness.
 */
export async function fitInfillContextCounted(
  context: InfillContext,
  known: (text: string) => number | undefined,
  count: CountTokens,
  countedWith: string,
  standIn: (text: string) => number = lowTokenEstimate,
): Promise<FittedInfill<null>> {
  const counted = new Map<string, number>();
  for (;;) {
    const uncounted = new Set<string>();
    const fitted = fitInfillContext(
      context,
      (text) => {
        const tokens = counted.get(text) ?? known(text);
        if (tokens !== undefined) return placeholderTokens(tokens);
        uncounted.add(text);
        return placeholderTokens(standIn(text));
      },
      countedWith,
    );
    if (uncounted.size === 0) return fitted;
    const texts = [...uncounted];
    const counts = await count(texts);
    if (counts.length !== texts.length) throw new Error(`asked for ${texts.length} token counts, got ${counts.length}`);
    texts.forEach((text, index) => counted.set(text, counts[index]));
  }
}

/** Tokens that stand for a count, for a tokenizer that only counts: the fit needs only how many there are. */
export function placeholderTokens(count: number): null[] {
  return new Array<null>(count).fill(null);
}
