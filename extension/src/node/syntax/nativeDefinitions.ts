// Definitions parsed by the native `tree-sitter` package (compiled at install) and the grammar packages' own native
// bindings, for the symbol index worker. The extension host keeps web-tree-sitter; both run parseDefinitions.
import type Parser from "tree-sitter";
import type { CodeLanguage } from "../../core/config/codeLanguages";
import { parseDefinitions } from "../../core/syntax/definitions";
import { queryFile, type GrammarSource } from "../../core/syntax/grammars";
import type { LanguageDefinitions } from "../../core/syntax/symbolIndex";

/**
 * Each language's native grammar, loaded on first use so that one broken binding costs only its language.
 * import(), not require(): tree-sitter-c-sharp's binding is an ES module with a top-level await.
 */
const nativeGrammars: Readonly<Record<CodeLanguage, () => Promise<unknown>>> = {
  python: async () => (await import("tree-sitter-python")).default,
  javascript: async () => (await import("tree-sitter-javascript")).default,
  javascriptreact: async () => (await import("tree-sitter-javascript")).default,
  typescript: async () => (await import("tree-sitter-typescript")).default.typescript,
  typescriptreact: async () => (await import("tree-sitter-typescript")).default.tsx,
  java: async () => (await import("tree-sitter-java")).default,
  c: async () => (await import("tree-sitter-c")).default,
  cpp: async () => (await import("tree-sitter-cpp")).default,
  // Its package's "main" names a folder, which Node's ES module loader resolves only with a deprecation warning.
  csharp: async () => (await import("tree-sitter-c-sharp/bindings/node/index.js")).default,
  go: async () => (await import("tree-sitter-go")).default,
  rust: async () => (await import("tree-sitter-rust")).default,
  php: async () => (await import("tree-sitter-php")).default.php,
  ruby: async () => (await import("tree-sitter-ruby")).default,
  shellscript: async () => (await import("tree-sitter-bash")).default,
};

/** A grammar binding as tree-sitter's setLanguage reads it: the native language under `language`. */
function isNativeLanguage(binding: unknown): binding is Parser.Language {
  return typeof binding === "object" && binding !== null && "language" in binding;
}

/**
 * Loads native tree-sitter and returns a loader of each language's grammar and definitions query. Native
 * parsers, trees and queries have no delete() in node tree-sitter 0.25: the garbage collector frees them, so
 * nothing here is deleted.
 */
export async function nativeDefinitionsLoader(
  queries: GrammarSource,
): Promise<(languageId: CodeLanguage) => Promise<LanguageDefinitions>> {
  const { default: TreeSitter } = await import("tree-sitter");
  const decoder = new TextDecoder();
  return async (languageId) => {
    const language = await nativeGrammars[languageId]();
    if (!isNativeLanguage(language)) throw new Error(`its package has no native language for ${languageId}`);
    // A parser per language: no switching on each file.
    const parser = new TreeSitter();
    parser.setLanguage(language);
    const file = queryFile(languageId, "definitions");
    const source = decoder.decode(await queries.load(file));
    let definitions: Parser.Query;
    try {
      definitions = new TreeSitter.Query(language, source);
    } catch (error) {
      throw new Error(`${file} does not compile: ${String(error)}`);
    }
    return { definitionsOf: (text) => parseDefinitions({ definitions }, parser.parse(text), text) };
  };
}

type DefinitionsLoader = (languageId: CodeLanguage) => Promise<LanguageDefinitions>;

/** On one line: node-gyp-build's message spreads over several. */
function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}

/**
 * The native loader where native tree-sitter and a language's binding load, and `fallback` where they do not: a
 * .vsix built on Linux carries only linux-x64 binaries. Each fallback is told once, for all languages when
 * tree-sitter itself did not load.
 */
export async function nativeOrFallback(
  native: () => Promise<DefinitionsLoader>,
  fallback: DefinitionsLoader,
  fellBack: (message: string) => void,
): Promise<DefinitionsLoader> {
  let preferred: DefinitionsLoader;
  try {
    preferred = await native();
  } catch (error) {
    fellBack(
      `native tree-sitter did not load (${messageOf(error)}), so every file is parsed with web-tree-sitter, which is slower`,
    );
    return fallback;
  }
  return async (languageId) => {
    try {
      return await preferred(languageId);
    } catch (error) {
      fellBack(
        `the native ${languageId} grammar did not load (${messageOf(error)}), so ${languageId} files are parsed with web-tree-sitter, which is slower`,
      );
      return fallback(languageId);
    }
  };
}
