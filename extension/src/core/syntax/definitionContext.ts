import path from "node:path";
import type { Node, Tree } from "web-tree-sitter";
import type { ContextSnippet, ScopeHeader } from "../completion/prompt";
import type { Definition } from "./definitions";
import { importCandidates, isSecretPath, languageOfPath } from "./importResolution";
import type { ParseGeneration } from "./documentTree";
import { HeaderImportCache, importHeaderChars, importMatches, type ImportMatch } from "./headerImports";
import { queryRange, type LanguageQueries, type QueryStore } from "./queries";
import type { ImportedDefinitions } from "./importedDefinitions";
import type { SymbolLookup } from "./symbolIndex";
import type { SyntaxRuntime } from "./syntaxRuntime";

/** No answer came: the worker was starting or had stopped, so the file may well exist. */
type Unanswered = "unanswered";

/** The promise kept for `key`, started by `start` if there is none; one that ends unanswered is forgotten, so that a later request asks again. */
function keptUnlessUnanswered<T>(
  kept: Map<string, Promise<T | Unanswered>>,
  key: string,
  start: () => Promise<T | Unanswered>,
): Promise<T | Unanswered> {
  const pending = kept.get(key);
  if (pending) return pending;
  const started = start().then((result) => {
    if (result === "unanswered" && kept.get(key) === started) kept.delete(key);
    return result;
  });
  kept.set(key, started);
  return started;
}

interface ParsedFile {
  definitions: Definition[];
}

interface ImportedNames {
  source: string;
  /** Names the module defines that the code near the cursor uses; empty means "any name used near the cursor". */
  names: Set<string>;
  /** True when the import binds the whole module or names nothing (includes, requires, `import x`). */
  wholeModule: boolean;
}

export interface DefinitionContextOptions {
  runtime: SyntaxRuntime;
  queries: QueryStore;
  /** Reads and parses the files a document imports, off this thread. */
  imported: ImportedDefinitions;
  /** Workspace folders, as absolute POSIX paths. */
  roots: readonly string[];
  /** The workspace's top-level definitions, for names that no import explains. */
  symbols?: SymbolLookup;
  /** Context building never delays ghost text by more than this; late results land in the cache for the next request. */
  timeLimitMs: number;
}

export interface DefinitionRequest {
  languageId: string;
  /** Absolute POSIX path of the document. */
  path: string;
  tree: Tree;
  cursor: number;
  /** The document's parse that made `tree`: with it, the imports at the top are looked for again only where it changed. */
  parse?: ParseGeneration;
  /**
   * The document's text from `start` on, around the cursor (the prompt's window): the names there are sliced from it,
   * since each node.text reads the document again through the parser's input callback.
   */
  around?: { start: number; text: string };
}

const nearBeforeChars = 1500;
const nearAfterChars = 400;
const maxSnippets = 6;
/** Names looked up in the workspace index per prompt. */
const maxIndexedNames = 4;
const maxDefiningFiles = 3;

/** The distinct identifiers around the cursor, those just before it first, then those after it. */
function identifiersNearestFirst(queries: LanguageQueries, request: DefinitionRequest): string[] {
  const { tree, cursor, around } = request;
  const textOf = (node: Node, startIndex: number, endIndex: number): string => {
    const from = startIndex - (around?.start ?? 0);
    const to = endIndex - (around?.start ?? 0);
    return around && from >= 0 && to <= around.text.length ? around.text.slice(from, to) : node.text;
  };
  const named = queries.identifiers
    .captures(tree.rootNode, queryRange(Math.max(0, cursor - nearBeforeChars), cursor + nearAfterChars))
    .map(({ node }) => {
      const { startIndex, endIndex } = node;
      return { startIndex, text: textOf(node, startIndex, endIndex) };
    });
  const before = named.filter((name) => name.startIndex < cursor).reverse();
  const after = named.filter((name) => name.startIndex >= cursor);
  return [...new Set([...before, ...after].map((name) => name.text))];
}

function groupImports(matches: readonly ImportMatch[]): ImportedNames[] {
  const bySource = new Map<string, ImportedNames>();
  for (const { source, name, alias } of matches) {
    const entry = bySource.get(source) ?? { source, names: new Set<string>(), wholeModule: false };
    bySource.set(source, entry);
    if (name) entry.names.add(`${alias ?? name}=${name}`);
    else entry.wholeModule = true;
  }
  return [...bySource.values()];
}

/**
 * The definitions (signatures, not bodies) of the symbols used near the cursor that are
 * imported from other workspace files, found with each language's .scm queries. Secret files
 * (.env, keys) are never read.
 */
export class DefinitionContext {
  private readonly parsed = new Map<string, Promise<ParsedFile | undefined | Unanswered>>();
  private readonly resolved = new Map<string, Promise<{ path: string; file: ParsedFile } | undefined | Unanswered>>();
  private readonly headerImports = new HeaderImportCache();

  constructor(private readonly options: DefinitionContextOptions) {}

  /** Forget a file's definitions, e.g. when it is saved. */
  invalidate(filePath: string): void {
    this.parsed.delete(filePath);
    // A file that appeared or went away may change what an import resolves to.
    this.resolved.clear();
  }

  /**
   * The first lines of the functions and classes around the cursor, outermost first; empty until the queries are
   * compiled. `lineAt` gives a line of the document's text, without its line break.
   */
  scopeHeaders(request: DefinitionRequest, lineAt: (row: number) => string): ScopeHeader[] {
    const queries = this.options.queries.loaded(request.languageId);
    if (!queries) return [];
    const headers: ScopeHeader[] = [];
    for (const capture of queries.scopes.captures(
      request.tree.rootNode,
      queryRange(request.cursor, request.cursor + 1),
    )) {
      const node = capture.node;
      if (node.startIndex >= request.cursor || node.endIndex <= request.cursor) continue;
      const { row, column } = node.startPosition;
      headers.push({ offset: node.startIndex - column, line: row, text: lineAt(row) });
    }
    return headers
      .sort((a, b) => a.offset - b.offset)
      .filter((header, index, all) => index === 0 || all[index - 1].offset !== header.offset);
  }

  /**
   * Has the workspace files the document imports read and parsed, e.g. when it opens: otherwise the first keystroke
   * near each imported name waits for that file's parse.
   */
  async prefetchImports(request: DefinitionRequest): Promise<void> {
    const language = this.options.runtime.loadedLanguage(request.languageId);
    const queries = language ? await this.options.queries.queriesFor(request.languageId, language) : undefined;
    if (!queries) return;
    // The tree is read only before the first await, as in snippetsFor.
    const imports = this.importsOf(request, queries);
    for (const imported of imports) await this.resolve(request, imported.source);
  }

  async snippetsFor(request: DefinitionRequest): Promise<ContextSnippet[]> {
    const language = this.options.runtime.loadedLanguage(request.languageId);
    const queries = language ? await this.options.queries.queriesFor(request.languageId, language) : undefined;
    if (!queries) return [];
    const nearestFirst = identifiersNearestFirst(queries, request);
    const near = new Set(nearestFirst);
    // The tree is read only here, before the first await: after a timeout the caller may delete it while the work goes on.
    const imports = this.importsOf(request, queries);
    const importedLocals = new Set(
      imports.flatMap((imported) => [...imported.names].map((pair) => pair.split("=")[0])),
    );
    const indexed = this.indexedSnippets(
      request,
      nearestFirst.filter((name) => !importedLocals.has(name)),
    );
    const work = this.collect(request, imports, near);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ContextSnippet[]>((resolve) => {
      timer = setTimeout(() => resolve([]), this.options.timeLimitMs);
    });
    try {
      const imported = await Promise.race([work, timeout]);
      const importedPaths = new Set(imported.map((snippet) => snippet.path));
      return [...imported, ...indexed.filter((snippet) => !importedPaths.has(snippet.path))].slice(0, maxSnippets);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The imports at the top of the document and, in a long one, those near the cursor (Python imports where it uses). */
  private importsOf(request: DefinitionRequest, queries: LanguageQueries): ImportedNames[] {
    const { path: documentPath, languageId, tree, cursor, parse } = request;
    const matches = parse
      ? this.headerImports.importsOf(documentPath, languageId, queries, tree, parse)
      : importMatches(queries, tree, 0, importHeaderChars);
    const near =
      cursor - nearBeforeChars > importHeaderChars
        ? importMatches(queries, tree, cursor - nearBeforeChars, cursor + nearAfterChars)
        : [];
    return groupImports([...matches, ...near]);
  }

  /** Definitions from the workspace index of the names near the cursor that no import explains, nearest name first. */
  private indexedSnippets(request: DefinitionRequest, names: readonly string[]): ContextSnippet[] {
    const symbols = this.options.symbols;
    if (!symbols) return [];
    const byPath = new Map<string, { names: string[]; signatures: string[] }>();
    let found = 0;
    for (const name of names) {
      if (found >= maxIndexedNames) break;
      if (name.length < 2) continue;
      const definitions = symbols
        .lookup(name)
        .filter((symbol) => symbol.path !== request.path && !isSecretPath(symbol.path));
      // A name defined in many files (main, run, Config) would more likely mislead than help.
      if (definitions.length === 0 || definitions.length > maxDefiningFiles) continue;
      found++;
      for (const definition of definitions) {
        const entry = byPath.get(definition.path) ?? { names: [], signatures: [] };
        byPath.set(definition.path, entry);
        entry.names.push(name);
        entry.signatures.push(definition.signature);
      }
    }
    return [...byPath].map(([filePath, entry]) => ({
      path: this.displayPath(filePath),
      text: [...new Set(entry.signatures)].join("\n"),
      reason: `workspace index: ${entry.names.join(", ")}`,
    }));
  }

  private async collect(
    request: DefinitionRequest,
    imports: readonly ImportedNames[],
    near: ReadonlySet<string>,
  ): Promise<ContextSnippet[]> {
    const snippets: ContextSnippet[] = [];
    for (const imported of imports) {
      if (snippets.length >= maxSnippets) break;
      const wanted = new Set<string>();
      for (const pair of imported.names) {
        const [local, name] = pair.split("=");
        if (near.has(local)) wanted.add(name);
      }
      const anyNear = imported.wholeModule;
      if (wanted.size === 0 && !anyNear) continue;
      const resolved = await this.resolve(request, imported.source);
      if (!resolved) continue;
      const signatures = resolved.file.definitions.filter(
        (definition) => wanted.has(definition.name) || (anyNear && near.has(definition.name)),
      );
      if (signatures.length === 0) continue;
      const unique = [...new Set(signatures.map((definition) => definition.signature))];
      snippets.push({
        path: this.displayPath(resolved.path),
        text: unique.join("\n"),
        reason: `imported ${[...new Set(signatures.map((d) => d.name))].join(", ")}`,
      });
    }
    return snippets;
  }

  /** Kept per document and import: a whole-module import is resolved at every keystroke near any name. */
  private async resolve(
    request: DefinitionRequest,
    source: string,
  ): Promise<{ path: string; file: ParsedFile } | undefined> {
    const key = `${request.languageId}\0${request.path}\0${source}`;
    const found = await keptUnlessUnanswered(this.resolved, key, () => this.resolveCandidates(request, source));
    return found === "unanswered" ? undefined : found;
  }

  private async resolveCandidates(
    request: DefinitionRequest,
    source: string,
  ): Promise<{ path: string; file: ParsedFile } | undefined | Unanswered> {
    for (const candidate of importCandidates(request.languageId, request.path, source, this.options.roots)) {
      const file = await this.load(candidate, request.languageId);
      if (file === "unanswered") return file;
      if (file) return { path: candidate, file };
    }
    return undefined;
  }

  private load(filePath: string, importingLanguageId: string): Promise<ParsedFile | undefined | Unanswered> {
    // A rejection means that nothing could answer (the worker is starting or stopped).
    return keptUnlessUnanswered(this.parsed, filePath, () =>
      this.parse(filePath, importingLanguageId).catch((): Unanswered => "unanswered"),
    );
  }

  private async parse(filePath: string, importingLanguageId: string): Promise<ParsedFile | undefined> {
    if (isSecretPath(filePath)) return undefined;
    const languageId = languageOfPath(filePath, importingLanguageId);
    if (!languageId) return undefined;
    const definitions = await this.options.imported.definitionsOf(filePath, languageId);
    return definitions ? { definitions } : undefined;
  }

  private displayPath(filePath: string): string {
    const root = this.options.roots.find((candidate) =>
      filePath.startsWith(candidate.endsWith("/") ? candidate : `${candidate}/`),
    );
    return root ? path.posix.relative(root, filePath) : filePath;
  }
}
