import type { CompletionSyntax } from "../syntax/insertionParser";
import { truncateAtBlockEnd } from "./blockEnd";
import { fixIndentation, type IndentationStyle } from "./indentation";
import type { CompletionMode } from "./mode";
import { stopAtRepeatedLines } from "./repetition";
import { stripSpecialTokens } from "./specialTokens";
import { dropSuffixDuplicates, mergeClosersOnLine, type Insertion } from "./suffixOverlap";

export interface PostProcessInput {
  /** The model's text, as generated. */
  raw: string;
  prefix: string;
  suffix: string;
  mode: CompletionMode;
  style: IndentationStyle;
  /** Absent for languages without a grammar and for documents too large to parse. */
  syntax?: CompletionSyntax;
}

export type DropReason = "empty" | "breaksSyntax";

export type PostProcessResult = { show: true; insertion: Insertion } | { show: false; reason: DropReason };

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return end < 0 ? text : text.slice(0, end);
}

function trimLineEnds(text: string): string {
  return text.replace(/[ \t]+$/gm, "");
}

/** Turns the model's raw text into what the editor shows, or into a reason to show nothing. */
export function postProcess(input: PostProcessInput): PostProcessResult {
  const { prefix, suffix, syntax } = input;
  let text = stripSpecialTokens(input.raw);
  text = fixIndentation(text, prefix, input.style);
  if (input.mode === "singleLine") {
    text = firstLine(text).trimEnd();
  } else {
    const tree = syntax?.parseWithInsertion(text);
    try {
      text = truncateAtBlockEnd(text, prefix, tree, input.style.tabSize, syntax?.cursor);
    } finally {
      tree?.delete();
    }
  }
  text = stopAtRepeatedLines(text, prefix);
  // Line ends are trimmed first: the suffix step may then add back an indentation that places a closer.
  if (input.mode === "multiLine") text = dropSuffixDuplicates(trimLineEnds(text), suffix);
  const insertion = mergeClosersOnLine(text, suffix);
  if (insertion.text.trim() === "") return { show: false, reason: "empty" };
  if (syntax && !syntax.documentTree.rootNode.hasError) {
    const tree = syntax.parseWithInsertion(insertion.text, insertion.replaceRight);
    try {
      if (tree.rootNode.hasError) return { show: false, reason: "breaksSyntax" };
    } finally {
      tree.delete();
    }
  }
  return { show: true, insertion };
}
