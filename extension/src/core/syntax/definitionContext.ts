import path from "node:path";
import type { Node, Tree } from "web-tree-sitter";
import type { ContextSnippet, ScopeHeader } from "../completion/prompt";
import { importCandidates, isSecretPath, languageOfPath } from "./importResolution";
import type { LanguageQueries, QueryStore } from "./queries";
import type { SyntaxRuntime } from "./syntaxRuntime";

/** Reads workspace files; undefined when a file does not exist or cannot be read. */
export interface SourceFiles {
  read(filePath: string): Promise<string | undefined>;
}

interface Definition {
  name: string;
  signature: string;
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
  files: SourceFiles;
  /** Workspace folders, as absolute POSIX paths. */
  roots: readonly string[];
  /** Context building never delays ghost text by more than this; late results land in the cache for the next request. */
  timeLimitMs: number;
}

export interface DefinitionRequest {
  languageId: string;
  /** Absolute POSIX path of the document. */
  path: string;
  tree: Tree;
  cursor: number;
}

const nearBeforeChars = 1500;
const nearAfterChars = 400;
const maxSnippets = 6;
const maxSignatureLines = 12;
/** Declarations that are their own signature: a struct's fields or an interface's members are what the model needs. */
const declarationType = /struct|enum|interface|type_alias|type_definition|type_item|type_spec|type_declaration|record|union|trait_item|alias_declaration/;

/**
 * Query ranges in web-tree-sitter 0.25 are byte offsets of its UTF-16 text, while node indices
 * are code units: a range of code units must be doubled.
 */
function queryRange(start: number, end: number): { startIndex: number; endIndex: number } {
  return { startIndex: start * 2, endIndex: end * 2 };
}

function collapse(text: string): string {
  const lines = text.split("\n");
  return lines.length <= maxSignatureLines ? text : [...lines.slice(0, maxSignatureLines), "…"].join("\n");
}

function indentationOf(node: Node, text: string): string {
  const lineStart = text.lastIndexOf("\n", node.startIndex - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, node.startIndex))?.[0] ?? "";
}

/** The part of a definition a caller needs: its header without the body, or a short declaration whole. */
function signatureOf(node: Node, text: string, members: readonly Node[]): string {
  const body = node.childForFieldName("body");
  const whole = text.slice(node.startIndex, node.endIndex);
  if (!body || body.startIndex <= node.startIndex) return collapse(whole);
  if (declarationType.test(node.type) && !/class/.test(node.type)) return collapse(whole);
  const header = text.slice(node.startIndex, body.startIndex).trimEnd();
  if (members.length === 0) return header;
  // A class is summed up by its header and its members' signatures.
  const memberLines = members.map((member) => indentationOf(member, text) + signatureOf(member, text, []));
  return collapse([header, ...memberLines].join("\n"));
}

function parseDefinitions(queries: LanguageQueries, tree: Tree, text: string): Definition[] {
  const found: Array<{ name: string; node: Node }> = [];
  for (const match of queries.definitions.matches(tree.rootNode)) {
    const name = match.captures.find((capture) => capture.name === "name")?.node.text;
    const node = match.captures.find((capture) => capture.name === "definition")?.node;
    if (name && node) found.push({ name, node });
  }
  return found.map(({ name, node }) => {
    const members = found
      .filter((other) => other.node.startIndex > node.startIndex && other.node.endIndex <= node.endIndex && other.node.id !== node.id)
      .filter((other, _, inside) => !inside.some((outer) => outer.node.id !== other.node.id && outer.node.startIndex < other.node.startIndex && outer.node.endIndex >= other.node.endIndex))
      .map((other) => other.node);
    return { name, signature: signatureOf(node, text, members) };
  });
}

/** Imports sit at the top of a file or, in Python, near their use: scanning only there keeps a keystroke in a long file cheap. */
const importHeaderChars = 20_000;

function importsOf(queries: LanguageQueries, tree: Tree, cursor: number): ImportedNames[] {
  const bySource = new Map<string, ImportedNames>();
  const ranges = [queryRange(0, importHeaderChars)];
  if (cursor - nearBeforeChars > importHeaderChars) ranges.push(queryRange(cursor - nearBeforeChars, cursor + nearAfterChars));
  const matches = ranges.flatMap((range) => queries.imports.matches(tree.rootNode, range));
  for (const match of matches) {
    const source = match.captures.find((capture) => capture.name === "source")?.node.text;
    if (!source) continue;
    const entry = bySource.get(source) ?? { source, names: new Set<string>(), wholeModule: false };
    bySource.set(source, entry);
    const name = match.captures.find((capture) => capture.name === "name")?.node.text;
    const alias = match.captures.find((capture) => capture.name === "alias")?.node.text;
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
  private readonly parsed = new Map<string, Promise<ParsedFile | undefined>>();

  constructor(private readonly options: DefinitionContextOptions) {}

  /** Forget a file's definitions, e.g. when it is saved. */
  invalidate(filePath: string): void {
    this.parsed.delete(filePath);
  }

  /** The first lines of the functions and classes around the cursor, outermost first; empty until the queries are compiled. */
  scopeHeaders(request: DefinitionRequest, text: string): ScopeHeader[] {
    const queries = this.options.queries.loaded(request.languageId);
    if (!queries) return [];
    const headers: ScopeHeader[] = [];
    for (const capture of queries.scopes.captures(request.tree.rootNode, queryRange(request.cursor, request.cursor + 1))) {
      const node = capture.node;
      if (node.startIndex >= request.cursor || node.endIndex <= request.cursor) continue;
      const lineStart = text.lastIndexOf("\n", node.startIndex - 1) + 1;
      const lineEnd = text.indexOf("\n", node.startIndex);
      headers.push({ offset: lineStart, text: text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd) });
    }
    return headers.sort((a, b) => a.offset - b.offset).filter((header, index, all) => index === 0 || all[index - 1].offset !== header.offset);
  }

  async snippetsFor(request: DefinitionRequest): Promise<ContextSnippet[]> {
    const language = this.options.runtime.loadedLanguage(request.languageId);
    const queries = language ? await this.options.queries.queriesFor(request.languageId, language) : undefined;
    if (!queries) return [];
    const near = new Set(
      queries.identifiers
        .captures(request.tree.rootNode, queryRange(Math.max(0, request.cursor - nearBeforeChars), request.cursor + nearAfterChars))
        .map((capture) => capture.node.text),
    );
    const work = this.collect(request, queries, near);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ContextSnippet[]>((resolve) => {
      timer = setTimeout(() => resolve([]), this.options.timeLimitMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async collect(request: DefinitionRequest, queries: LanguageQueries, near: ReadonlySet<string>): Promise<ContextSnippet[]> {
    const snippets: ContextSnippet[] = [];
    // The tree is read only here, before the first await: after a timeout the caller may delete it while this goes on.
    const imports = importsOf(queries, request.tree, request.cursor);
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
      const signatures = resolved.file.definitions.filter((definition) => wanted.has(definition.name) || (anyNear && near.has(definition.name)));
      if (signatures.length === 0) continue;
      const unique = [...new Set(signatures.map((definition) => definition.signature))];
      snippets.push({ path: this.displayPath(resolved.path), text: unique.join("\n"), reason: `imported ${[...new Set(signatures.map((d) => d.name))].join(", ")}` });
    }
    return snippets;
  }

  private async resolve(request: DefinitionRequest, source: string): Promise<{ path: string; file: ParsedFile } | undefined> {
    for (const candidate of importCandidates(request.languageId, request.path, source, this.options.roots)) {
      const file = await this.load(candidate, request.languageId);
      if (file) return { path: candidate, file };
    }
    return undefined;
  }

  private load(filePath: string, importingLanguageId: string): Promise<ParsedFile | undefined> {
    let pending = this.parsed.get(filePath);
    if (!pending) {
      pending = this.parse(filePath, importingLanguageId);
      this.parsed.set(filePath, pending);
    }
    return pending;
  }

  private async parse(filePath: string, importingLanguageId: string): Promise<ParsedFile | undefined> {
    if (isSecretPath(filePath)) return undefined;
    const languageId = languageOfPath(filePath, importingLanguageId);
    if (!languageId) return undefined;
    const text = await this.options.files.read(filePath);
    if (text === undefined) return undefined;
    const language = await this.options.runtime.language(languageId);
    const queries = language ? await this.options.queries.queriesFor(languageId, language) : undefined;
    if (!language || !queries) return undefined;
    const tree = this.options.runtime.parse(language, text);
    try {
      return { definitions: parseDefinitions(queries, tree, text) };
    } finally {
      tree.delete();
    }
  }

  private displayPath(filePath: string): string {
    const root = this.options.roots.find((candidate) => filePath.startsWith(candidate.endsWith("/") ? candidate : `${candidate}/`));
    return root ? path.posix.relative(root, filePath) : filePath;
  }
}
