import { Query, type Language } from "web-tree-sitter";
import { isCodeLanguage, type CodeLanguage } from "../config/codeLanguages";
import { grammarFileByLanguage, queryFile, queryKinds, type GrammarSource, type QueryKind } from "./grammars";

/**
 * Query ranges in web-tree-sitter 0.25 are byte offsets of its UTF-16 text, while node indices
 * are code units: a range of code units must be doubled.
 */
export function queryRange(start: number, end: number): { startIndex: number; endIndex: number } {
  return { startIndex: start * 2, endIndex: end * 2 };
}

export type LanguageQueries = Readonly<Record<QueryKind, Query>>;

/** Compiles each language's queries once, against the grammar they run on, and deletes them on dispose. */
export class QueryStore {
  private readonly pendingByGrammar = new Map<string, Promise<LanguageQueries>>();
  private readonly loadedByGrammar = new Map<string, LanguageQueries>();
  private readonly decoder = new TextDecoder();
  private disposed = false;

  constructor(private readonly source: GrammarSource) {}

  /** The queries for a language and its grammar; undefined for a language without a grammar. */
  queriesFor(languageId: string, language: Language): Promise<LanguageQueries> | undefined {
    if (!isCodeLanguage(languageId)) return undefined;
    const grammarFile = grammarFileByLanguage[languageId];
    let pending = this.pendingByGrammar.get(grammarFile);
    if (!pending) {
      pending = this.compile(languageId, language).then((queries) => {
        if (this.disposed) {
          for (const query of Object.values(queries)) query.delete();
          throw new Error("QueryStore is disposed");
        }
        this.loadedByGrammar.set(grammarFile, queries);
        return queries;
      });
      this.pendingByGrammar.set(grammarFile, pending);
    }
    return pending;
  }

  /** The queries if they are compiled already; never waits, for the keystroke path. */
  loaded(languageId: string): LanguageQueries | undefined {
    return isCodeLanguage(languageId) ? this.loadedByGrammar.get(grammarFileByLanguage[languageId]) : undefined;
  }

  dispose(): void {
    this.disposed = true;
    for (const queries of this.loadedByGrammar.values()) for (const query of Object.values(queries)) query.delete();
    this.loadedByGrammar.clear();
    this.pendingByGrammar.clear();
  }

  private async compile(languageId: CodeLanguage, language: Language): Promise<LanguageQueries> {
    const texts = await Promise.all(
      queryKinds.map(async (kind) => this.decoder.decode(await this.source.load(queryFile(languageId, kind)))),
    );
    const compiled: Query[] = [];
    try {
      for (const [index, text] of texts.entries()) {
        try {
          compiled.push(new Query(language, text));
        } catch (error) {
          throw new Error(`${queryFile(languageId, queryKinds[index])} does not compile: ${String(error)}`);
        }
      }
    } catch (error) {
      for (const query of compiled) query.delete();
      throw error;
    }
    const [imports, definitions, identifiers, scopes] = compiled;
    return { imports, definitions, identifiers, scopes };
  }
}
