import type { CodeLanguage } from "../config/codeLanguages";

/** Where grammar .wasm files come from; the same shape as the Shield's, so one loader serves both. */
export interface GrammarSource {
  load(fileName: string): Promise<Uint8Array>;
}

/** The grammar .wasm each VS Code language id parses with. */
export const grammarFileByLanguage: Readonly<Record<CodeLanguage, string>> = {
  python: "tree-sitter-python.wasm",
  javascript: "tree-sitter-javascript.wasm",
  javascriptreact: "tree-sitter-javascript.wasm",
  typescript: "tree-sitter-typescript.wasm",
  typescriptreact: "tree-sitter-tsx.wasm",
  java: "tree-sitter-java.wasm",
  c: "tree-sitter-c.wasm",
  cpp: "tree-sitter-cpp.wasm",
  csharp: "tree-sitter-c_sharp.wasm",
  go: "tree-sitter-go.wasm",
  rust: "tree-sitter-rust.wasm",
  php: "tree-sitter-php.wasm",
  ruby: "tree-sitter-ruby.wasm",
  shellscript: "tree-sitter-bash.wasm",
};

export const runtimeWasmFile = "tree-sitter.wasm";

// The query files' places are here, apart from either tree-sitter library: web-tree-sitter's QueryStore and the
// native symbol index worker both read them.
export const queryKinds = ["imports", "definitions", "identifiers", "scopes"] as const;
export type QueryKind = (typeof queryKinds)[number];

/** Languages that share a grammar family share their .scm files (TSX adds JSX nodes only). */
const queryDirectoryByLanguage: Readonly<Record<CodeLanguage, string>> = {
  python: "python",
  javascript: "javascript",
  javascriptreact: "javascript",
  typescript: "typescript",
  typescriptreact: "typescript",
  java: "java",
  c: "c",
  cpp: "cpp",
  csharp: "csharp",
  go: "go",
  rust: "rust",
  php: "php",
  ruby: "ruby",
  shellscript: "bash",
};

/** Where a query file sits next to the grammars: `queries/<language>/<kind>.scm`. */
export function queryFile(languageId: CodeLanguage, kind: QueryKind): string {
  return `queries/${queryDirectoryByLanguage[languageId]}/${kind}.scm`;
}
