// The one markdown configuration of the chat: the extension finds code blocks to scan with it, and the webview renders
// with it, so both sides agree on which block is number N.
import MarkdownIt, { type Token } from "markdown-it";

/** Raw HTML stays text and bare URLs stay text: the model's output is hostile by assumption. */
export function createChatMarkdown(): MarkdownIt {
  return new MarkdownIt({ html: false, linkify: false, typographer: false });
}

export interface CodeBlock {
  index: number;
  /** The fence's info string as written ("python", "ts {1,3}"); empty for indented code. */
  info: string;
  code: string;
  key: string;
  /** False while a fence is still open in a streaming answer. */
  closed: boolean;
}

/** Token types that carry code; both are scanned and rendered as code blocks. */
export function isCodeToken(token: Token): boolean {
  return token.type === "fence" || token.type === "code_block";
}

/**
 * A cheap identity for a block's code (FNV-1a over UTF-16 units, plus the length), so the webview can tell that the
 * verdict it got belongs to the block it rendered.
 */
export function codeKey(code: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < code.length; i++) {
    hash ^= code.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `${code.length.toString(36)}-${(hash >>> 0).toString(36)}`;
}

const closingFence = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

function fenceIsClosed(token: Token, lines: readonly string[]): boolean {
  if (token.type !== "fence" || token.map === null) return false;
  const [start, end] = token.map;
  const last = end - 1;
  if (last <= start || last >= lines.length) return false;
  const match = closingFence.exec(lines[last]);
  return match !== null && match[1][0] === token.markup[0] && match[1].length >= token.markup.length;
}

/**
 * The code blocks among parsed tokens, in document order. `complete` says the text is final; while it streams, a block
 * counts as closed only when its closing fence is a whole line.
 */
export function codeBlocksOf(
  tokens: readonly Token[],
  lines: readonly string[],
  complete: boolean,
  firstIndex = 0,
): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const completeLines = complete ? lines : lines.slice(0, -1);
  for (const token of tokens) {
    if (!isCodeToken(token)) continue;
    let closed = complete;
    if (!closed && token.type === "fence") closed = fenceIsClosed(token, completeLines);
    // Indented code ends at the first later line that is not indented; until one arrives it may still grow.
    if (!closed && token.type === "code_block" && token.map !== null) {
      closed = token.map[1] < completeLines.length && completeLines[token.map[1]].trim() !== "";
    }
    blocks.push({
      index: firstIndex + blocks.length,
      info: token.info.trim(),
      code: token.content,
      key: codeKey(token.content),
      closed,
    });
  }
  return blocks;
}

export function extractCodeBlocks(markdown: MarkdownIt, text: string, complete: boolean): CodeBlock[] {
  return codeBlocksOf(markdown.parse(text, {}), text.split("\n"), complete);
}

/** C0 controls other than tab, line feed and carriage return, and DEL: never meaningful in an answer. */
const controlCharacters = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function stripControlCharacters(text: string): string {
  return text.replace(controlCharacters, "");
}

/** Fence languages as models write them, mapped to VS Code language ids. */
const fenceLanguages: Readonly<Record<string, string>> = {
  py: "python",
  python: "python",
  python3: "python",
  js: "javascript",
  javascript: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  node: "javascript",
  jsx: "javascriptreact",
  ts: "typescript",
  typescript: "typescript",
  tsx: "typescriptreact",
  java: "java",
  c: "c",
  h: "c",
  cpp: "cpp",
  "c++": "cpp",
  cc: "cpp",
  cxx: "cpp",
  hpp: "cpp",
  cs: "csharp",
  csharp: "csharp",
  "c#": "csharp",
  go: "go",
  golang: "go",
  rs: "rust",
  rust: "rust",
  php: "php",
  rb: "ruby",
  ruby: "ruby",
  sh: "shellscript",
  bash: "shellscript",
  shell: "shellscript",
  zsh: "shellscript",
  console: "shellscript",
  shellscript: "shellscript",
};

/**
 * The VS Code language id of a block: its fence's language, else the language of the code the user asked about, so an
 * untagged block is still scanned.
 */
export function blockLanguageId(info: string, fallbackLanguageId: string | undefined): string | undefined {
  const word = info.split(/\s+/)[0]?.toLowerCase() ?? "";
  if (word === "") return fallbackLanguageId;
  return fenceLanguages[word] ?? word;
}
