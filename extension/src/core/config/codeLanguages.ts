/** VS Code language ids that Llama Assist serves; a document in one of them starts the host. */
export const codeLanguages = [
  "python",
  "javascript",
  "typescript",
  "javascriptreact",
  "typescriptreact",
  "java",
  "c",
  "cpp",
  "csharp",
  "go",
  "rust",
  "php",
  "ruby",
  "shellscript",
] as const;

export type CodeLanguage = (typeof codeLanguages)[number];

const codeLanguageSet: ReadonlySet<string> = new Set(codeLanguages);

export function isCodeLanguage(languageId: string): languageId is CodeLanguage {
  return codeLanguageSet.has(languageId);
}
