// Definitions parsed by web-tree-sitter and the .wasm grammars: what the symbol index worker parses with where native
// tree-sitter has no binary for the platform (a .vsix built on Linux carries only linux-x64 ones).
import type { CodeLanguage } from "../config/codeLanguages";
import { parseDefinitions } from "./definitions";
import type { GrammarSource } from "./grammars";
import { QueryStore } from "./queries";
import type { LanguageDefinitions } from "./symbolIndex";
import { SyntaxRuntime } from "./syntaxRuntime";

/** Starts web-tree-sitter on the first language asked for; dispose() deletes its parser and queries. */
export class WasmDefinitions {
  private runtime: Promise<SyntaxRuntime> | undefined;
  private readonly queries: QueryStore;

  constructor(private readonly grammars: GrammarSource) {
    this.queries = new QueryStore(grammars);
  }

  readonly load = async (languageId: CodeLanguage): Promise<LanguageDefinitions> => {
    this.runtime ??= SyntaxRuntime.create(this.grammars);
    const runtime = await this.runtime;
    const language = await runtime.language(languageId);
    const queries = language && (await this.queries.queriesFor(languageId, language));
    if (!language || !queries) throw new Error(`no grammar for ${languageId}`);
    return {
      definitionsOf: (text) => {
        const tree = runtime.parse(language, text);
        try {
          return parseDefinitions(queries, tree, text);
        } finally {
          tree.delete();
        }
      },
    };
  };

  dispose(): void {
    this.queries.dispose();
    void this.runtime?.then(
      (runtime) => runtime.dispose(),
      () => undefined,
    );
  }
}
