import type { CodeLanguage } from "../config/codeLanguages";

/** One fenced block of a markdown answer. `closed` is false when the answer ended inside it. */
export interface FencedBlock {
  /** The info string's first word, lower-cased; "" when the fence had none. */
  tag: string;
  code: string;
  closed: boolean;
}

const openingFence = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$/;
const closingFence = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;

/** The fenced blocks of a markdown answer, in order; prose between them is dropped. */
export function fencedBlocks(answer: string): FencedBlock[] {
  const blocks: FencedBlock[] = [];
  const lines = answer.split(/\r?\n/);
  let open: { indentation: number; fence: string; tag: string; lines: string[] } | undefined;
  for (const line of lines) {
    if (open === undefined) {
      const match = openingFence.exec(line);
      if (match) open = { indentation: match[1].length, fence: match[2], tag: match[3].toLowerCase(), lines: [] };
      continue;
    }
    const closing = closingFence.exec(line);
    if (closing && closing[1][0] === open.fence[0] && closing[1].length >= open.fence.length) {
      blocks.push({ tag: open.tag, code: open.lines.join("\n"), closed: true });
      open = undefined;
      continue;
    }
    // Markdown strips up to the fence's own indentation from each line of a fenced block that is itself indented.
    const removable = Math.min(open.indentation, /^ */.exec(line)?.[0].length ?? 0);
    open.lines.push(line.slice(removable));
  }
  if (open !== undefined) blocks.push({ tag: open.tag, code: open.lines.join("\n"), closed: false });
  return blocks;
}

const tagsByLanguage: Readonly<Record<CodeLanguage, readonly string[]>> = {
  python: ["python", "py", "python3", "py3"],
  javascript: ["javascript", "js", "jsx", "node", "mjs", "cjs"],
  javascriptreact: ["jsx", "javascript", "js", "javascriptreact"],
  // Models often tag TypeScript as JavaScript; the reverse would bring types into a .js file.
  typescript: ["typescript", "ts", "tsx", "mts", "cts", "javascript", "js"],
  typescriptreact: ["tsx", "typescript", "ts", "typescriptreact", "jsx", "javascript", "js"],
  java: ["java"],
  c: ["c", "h", "cpp", "c++"],
  cpp: ["cpp", "c++", "cc", "cxx", "hpp", "h"],
  csharp: ["csharp", "cs", "c#"],
  go: ["go", "golang"],
  rust: ["rust", "rs"],
  php: ["php"],
  ruby: ["ruby", "rb"],
  shellscript: ["bash", "sh", "shell", "zsh", "shellscript"],
};

const knownTags: ReadonlySet<string> = new Set([
  ...Object.values(tagsByLanguage).flat(),
  "json",
  "yaml",
  "yml",
  "toml",
  "xml",
  "html",
  "css",
  "sql",
  "console",
  "text",
  "plaintext",
  "diff",
  "markdown",
  "md",
  "ini",
  "dockerfile",
  "makefile",
  "powershell",
  "kotlin",
  "swift",
]);

/**
 * Whether a block's tag fits the target's language: an untagged block or one with a tag we do not know might be
 * the code; one tagged as another language (a `bash` install line beside Python code) is not.
 */
export function tagFits(tag: string, languageId: string): boolean {
  if (tag === "") return true;
  const own = (tagsByLanguage as Readonly<Record<string, readonly string[]>>)[languageId];
  if (own?.includes(tag)) return true;
  return !knownTags.has(tag);
}
