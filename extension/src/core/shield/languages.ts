import { SHIELD_LANGUAGES, type ShieldLanguage } from "./types";

export function isShieldLanguage(id: string): id is ShieldLanguage {
  return (SHIELD_LANGUAGES as readonly string[]).includes(id);
}

/** The grammar .wasm each language parses with. */
export const GRAMMAR_FILES: Readonly<Record<ShieldLanguage, string>> = {
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

export const RUNTIME_WASM = "tree-sitter.wasm";

const EXTENSION_LANGUAGES: Readonly<Record<string, ShieldLanguage>> = {
  py: "python",
  pyw: "python",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  jsx: "javascriptreact",
  ts: "typescript",
  mts: "typescript",
  cts: "typescript",
  tsx: "typescriptreact",
  java: "java",
  c: "c",
  h: "c",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  "c++": "cpp",
  hh: "cpp",
  hpp: "cpp",
  hxx: "cpp",
  cs: "csharp",
  go: "go",
  rs: "rust",
  php: "php",
  phtml: "php",
  rb: "ruby",
  rake: "ruby",
  gemspec: "ruby",
  sh: "shellscript",
  bash: "shellscript",
  zsh: "shellscript",
  ksh: "shellscript",
};

/** Infers the language from a file name's extension; undefined when the Shield has no grammar for it. */
export function languageForFileName(fileName: string): ShieldLanguage | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf("/"), fileName.lastIndexOf("\\")) + 1);
  if (base.endsWith(".d.ts")) return "typescript";
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return undefined;
  return EXTENSION_LANGUAGES[base.slice(dot + 1).toLowerCase()];
}
