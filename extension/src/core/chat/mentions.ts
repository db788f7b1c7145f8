// @-mentions in the chat input: what the user is typing after "@", which mention kinds it can still become, and the
// text of the context a mention attaches. The extension resolves the mentions; the webview only shows the choices.
import type { MentionItem, MentionKind } from "../protocol/webview";
import { defaultCharsPerToken } from "./budget";

/** The mention being typed: `@query` (a file, or a kind's name) or `@kind:query` (a folder, a symbol…). */
export interface MentionQuery {
  /** Where the "@" is, in the text before the cursor. */
  start: number;
  /** Set once the user has typed a kind and its colon: `@folder:src` searches folders only. */
  kind: MentionKind | undefined;
  query: string;
}

const kindsWithArgument: ReadonlySet<string> = new Set<MentionKind>(["file", "folder", "symbol"]);

/** The mention that ends at the cursor, if the text before it ends with one. */
export function mentionAt(textBeforeCursor: string): MentionQuery | undefined {
  const match = /(^|\s)@([^\s@]*)$/.exec(textBeforeCursor);
  if (match === null) return undefined;
  const typed = match[2];
  const start = textBeforeCursor.length - typed.length - 1;
  const colon = typed.indexOf(":");
  if (colon > 0 && kindsWithArgument.has(typed.slice(0, colon)))
    return { start, kind: typed.slice(0, colon) as MentionKind, query: typed.slice(colon + 1) };
  return { start, kind: undefined, query: typed };
}

/** The kinds offered by name, before any file matches: what they attach, in the user's words. */
const keywordItems: readonly MentionItem[] = [
  { kind: "selection", label: "@selection", detail: "The code selected in the editor", value: "" },
  { kind: "problems", label: "@problems", detail: "Errors and warnings of the current file", value: "file" },
  {
    kind: "problems",
    label: "@problems:workspace",
    detail: "Errors and warnings of the whole workspace",
    value: "workspace",
  },
  { kind: "changes", label: "@changes", detail: "The git diff of the working tree", value: "" },
  { kind: "folder", label: "@folder:", detail: "The files of a folder…", value: "", complete: "@folder:" },
  {
    kind: "symbol",
    label: "@symbol:",
    detail: "A function, class or type of the workspace…",
    value: "",
    complete: "@symbol:",
  },
];

/** The kinds whose names start with what was typed after "@"; every kind for a bare "@". */
export function keywordMatches(query: string): MentionItem[] {
  const typed = query.toLowerCase();
  return keywordItems.filter((item) => item.label.slice(1).startsWith(typed));
}

export interface Problem {
  /** Relative to the workspace. */
  path: string;
  /** 0-based, as VS Code counts. */
  line: number;
  character: number;
  severity: "error" | "warning" | "information" | "hint";
  message: string;
  source?: string;
}

const severityOrder: Readonly<Record<Problem["severity"], number>> = { error: 0, warning: 1, information: 2, hint: 3 };

/** Problems as the model reads them: `path:line:column: severity: message (source)`, errors first, then by place. */
export function formatProblems(problems: readonly Problem[]): string {
  return [...problems]
    .sort(
      (a, b) =>
        severityOrder[a.severity] - severityOrder[b.severity] ||
        a.path.localeCompare(b.path) ||
        a.line - b.line ||
        a.character - b.character,
    )
    .map((problem) => {
      const source = problem.source === undefined || problem.source === "" ? "" : ` (${problem.source})`;
      const message = problem.message.replace(/\s*\n\s*/g, " ");
      return `${problem.path}:${problem.line + 1}:${problem.character + 1}: ${problem.severity}: ${message}${source}`;
    })
    .join("\n");
}

/** Files of a folder as one attachment: each under a header line with its path. */
export function folderText(files: readonly { path: string; text: string }[]): string {
  return files
    .map((file) => `==> ${file.path} <==\n${file.text.endsWith("\n") ? file.text : `${file.text}\n`}`)
    .join("\n");
}

/** A chip's token count before the model's tokenizer has seen the text: the chat's default characters per token. */
export function estimatedTokens(text: string): number {
  return Math.ceil(text.length / defaultCharsPerToken);
}

/**
 * The lines of a definition that starts on `startLine`: the lines after it that are indented deeper or blank, and the
 * closing line at its own indentation (`}`, `end`, `)`). Languages without braces end where the indentation does.
 */
export function definitionLines(lines: readonly string[], startLine: number): { start: number; end: number } {
  const indentOf = (line: string): number => /^[ \t]*/.exec(line)?.[0].length ?? 0;
  const indent = indentOf(lines[startLine] ?? "");
  let end = startLine;
  for (let index = startLine + 1; index < lines.length; index++) {
    const line = lines[index];
    if (line.trim() === "") continue;
    if (indentOf(line) > indent) {
      end = index;
      continue;
    }
    if (/^[\])}]|^end\b/.test(line.trim())) end = index;
    break;
  }
  return { start: startLine, end };
}
