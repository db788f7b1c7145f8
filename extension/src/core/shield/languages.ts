import type { ShieldLanguage } from "./types";

export { isCodeLanguage as isShieldLanguage } from "../config/codeLanguages";

export { grammarFileByLanguage as GRAMMAR_FILES, runtimeWasmFile as RUNTIME_WASM } from "../syntax/grammars";

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
