import { Language, Parser, type Tree } from "web-tree-sitter";
import { isCodeLanguage } from "../config/codeLanguages";
import { initTreeSitterRuntime } from "./treeSitterRuntime";
import { textReader, type DocumentReader } from "./documentReader";
import { grammarFileByLanguage, runtimeWasmFile, type GrammarSource } from "./grammars";

/**
 * Loads grammars on first use and owns one Parser for all of them: parsing is synchronous, so
 * switching the parser's language per call is safe and keeps WASM memory to one parser.
 */
export class SyntaxRuntime {
  private readonly pendingByFile = new Map<string, Promise<Language>>();
  private readonly loadedByFile = new Map<string, Language>();
  private readonly parser = new Parser();
  private disposed = false;

  private constructor(private readonly grammars: GrammarSource) {}

  static async create(grammars: GrammarSource): Promise<SyntaxRuntime> {
    await initTreeSitterRuntime(() => grammars.load(runtimeWasmFile));
    return new SyntaxRuntime(grammars);
  }

  /** The grammar for a VS Code language id, or undefined for a language without one (plain-text completions). */
  async language(languageId: string): Promise<Language | undefined> {
    if (!isCodeLanguage(languageId)) return undefined;
    const file = grammarFileByLanguage[languageId];
    let pending = this.pendingByFile.get(file);
    if (!pending) {
      pending = this.grammars.load(file).then((bytes) => Language.load(bytes));
      this.pendingByFile.set(file, pending);
      this.loadedByFile.set(file, await pending);
    }
    return pending;
  }

  /** The grammar if it is already loaded; never waits, so the keystroke path stays synchronous. */
  loadedLanguage(languageId: string): Language | undefined {
    return isCodeLanguage(languageId) ? this.loadedByFile.get(grammarFileByLanguage[languageId]) : undefined;
  }

  /** The caller owns the returned Tree and must delete() it. */
  parse(language: Language, text: string | DocumentReader, previous?: Tree): Tree {
    if (this.disposed) throw new Error("SyntaxRuntime is disposed");
    this.parser.setLanguage(language);
    // Given a string, web-tree-sitter answers every read with the whole rest of the document: see documentReader.ts.
    const tree = this.parser.parse(typeof text === "string" ? textReader(text) : text, previous);
    if (!tree) throw new Error(`tree-sitter could not parse ${language.name ?? "a document"}`);
    return tree;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parser.delete();
  }
}
