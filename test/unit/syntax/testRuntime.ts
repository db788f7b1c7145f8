import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Language, Tree } from "web-tree-sitter";
import { cursorInText, InsertionParser } from "../../../extension/src/core/syntax/insertionParser";
import { diskFiles } from "../../../extension/src/node/syntax/diskFiles";
import { nativeDefinitionsLoader } from "../../../extension/src/node/syntax/nativeDefinitions";
import type { ImportedDefinitions } from "../../../extension/src/core/syntax/importedDefinitions";
import { DefinitionsByLanguage, SymbolIndexer } from "../../../extension/src/core/syntax/symbolIndex";
import { SyntaxRuntime } from "../../../extension/src/core/syntax/syntaxRuntime";

/** The grammars `npm run build` copies; the tests read the same files the extension ships. */
export const grammarDirectory = path.resolve(__dirname, "../../../grammars");

let shared: Promise<SyntaxRuntime> | undefined;

/** One runtime for all unit tests: loading a grammar costs tens of milliseconds. */
export function testRuntime(): Promise<SyntaxRuntime> {
  shared ??= SyntaxRuntime.create({ load: (file) => readFile(path.join(grammarDirectory, file)) });
  return shared;
}

export async function grammar(languageId: string): Promise<Language> {
  const language = await (await testRuntime()).language(languageId);
  if (!language) throw new Error(`no grammar for ${languageId}`);
  return language;
}

/** A parse of prefix + suffix and an InsertionParser over it; `dispose` deletes the document tree. */
export async function insertionParserFor(
  languageId: string,
  prefix: string,
  suffix: string,
): Promise<{ parser: InsertionParser; tree: Tree; dispose(): void }> {
  const runtime = await testRuntime();
  const language = await grammar(languageId);
  const tree = runtime.parse(language, prefix + suffix);
  return {
    parser: new InsertionParser(runtime, language, tree, cursorInText(prefix, suffix)),
    tree,
    dispose: () => tree.delete(),
  };
}

let sharedNative: Promise<DefinitionsByLanguage> | undefined;

/** The symbol index worker's parser: native tree-sitter with the same queries. A grammar that does not load fails the test. */
export function nativeTestDefinitions(): Promise<DefinitionsByLanguage> {
  sharedNative ??= nativeDefinitionsLoader({ load: (file) => readFile(path.join(grammarDirectory, file)) }).then(
    (load) =>
      new DefinitionsByLanguage(load, (languageId, error) => {
        throw new Error(`the native ${languageId} grammar did not load: ${String(error)}`);
      }),
  );
  return sharedNative;
}

/**
 * What the symbol index worker does for the files a document imports, on this thread: the same reading (size and
 * binary checks) and native parsing. `onRead` sees each file read.
 */
export async function inProcessImportedDefinitions(onRead?: (filePath: string) => void): Promise<ImportedDefinitions> {
  const indexer = new SymbolIndexer(
    await nativeTestDefinitions(),
    {
      stat: diskFiles.stat,
      read: (filePath) => {
        onRead?.(filePath);
        return diskFiles.read(filePath);
      },
    },
    [],
  );
  return { definitionsOf: (filePath, languageId) => indexer.importedDefinitions(filePath, languageId) };
}
