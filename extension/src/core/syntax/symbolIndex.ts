import path from "node:path";
import { chunkFile, type Chunk } from "../retrieval/chunks";
import { isCodeLanguage, type CodeLanguage } from "../config/codeLanguages";
import type { Definition } from "./definitions";
import { IgnoreRules, parseGitignore, type GitignoreRule } from "./gitignore";
import { grammarFileByLanguage } from "./grammars";
import { isSecretPath, languageOfPath, sourceFileExtensions } from "./importResolution";

export interface FileSymbol {
  name: string;
  signature: string;
}

export interface IndexedSymbol extends FileSymbol {
  /** Absolute POSIX path of the file that defines it. */
  path: string;
}

/** What the prompt asks of the index; a Map lookup, so it costs nothing on the keystroke path. */
export interface SymbolLookup {
  lookup(name: string): readonly IndexedSymbol[];
}

/** Files larger than this are generated or data more often than code worth summarising. */
export const maxIndexedFileBytes = 512 * 1024;
/**
 * Bounds the index of a huge monorepo; the files VS Code lists first are kept, and the log says when a listing hit it.
 * Twice the 10,000-file repository the retrieval index is sized for (under 200 MB), so such a repository is whole.
 */
export const maxIndexedFiles = 20_000;

/** Folders that hold other people's code or build output, left out even where no .gitignore says so. */
export const alwaysExcludedFolders = [
  "node_modules",
  ".git",
  "__pycache__",
  ".venv",
  "venv",
  "dist",
  "build",
  "target",
  "vendor",
];

/**
 * The exclude glob for VS Code's findFiles. Passing any exclude switches off `files.exclude`, so
 * its enabled patterns (plain `true`; conditional `{ when }` entries are left to VS Code's
 * explorer) are merged in.
 */
export function excludeGlob(filesExclude: Readonly<Record<string, unknown>>): string {
  const patterns = [
    ...alwaysExcludedFolders.map((folder) => `**/${folder}/**`),
    ...Object.entries(filesExclude)
      .filter(([, enabled]) => enabled === true)
      .map(([pattern]) => pattern),
  ];
  return `{${[...new Set(patterns)].join(",")}}`;
}

/** The files findFiles should list: those of the languages with a grammar. */
export function sourceFilesGlob(): string {
  return `**/*.{${sourceFileExtensions.map((extension) => extension.slice(1)).join(",")}}`;
}

/** Whether a file's name makes it worth indexing: a served language and no secret. */
export function isIndexablePath(filePath: string): boolean {
  return !isSecretPath(filePath) && languageOfPath(filePath, "") !== undefined;
}

/** A NUL byte in the first 8 KB is how git tells binary files from text. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0);
}

/** The symbols defined in the workspace, by name; fed file by file as the indexer reports them. */
export class WorkspaceSymbolIndex implements SymbolLookup {
  private readonly byName = new Map<string, Map<string, string>>();
  private readonly namesByPath = new Map<string, readonly string[]>();

  get fileCount(): number {
    return this.namesByPath.size;
  }

  setFile(filePath: string, symbols: readonly FileSymbol[]): void {
    this.removeFile(filePath);
    for (const symbol of symbols) {
      let paths = this.byName.get(symbol.name);
      if (!paths) {
        paths = new Map();
        this.byName.set(symbol.name, paths);
      }
      // A name defined twice in one file (overloads, redefinitions) keeps its first signature.
      if (!paths.has(filePath)) paths.set(filePath, symbol.signature);
    }
    this.namesByPath.set(filePath, [...new Set(symbols.map((symbol) => symbol.name))]);
  }

  removeFile(filePath: string): void {
    for (const name of this.namesByPath.get(filePath) ?? []) {
      const paths = this.byName.get(name);
      paths?.delete(filePath);
      if (paths?.size === 0) this.byName.delete(name);
    }
    this.namesByPath.delete(filePath);
  }

  paths(): string[] {
    return [...this.namesByPath.keys()];
  }

  /** Names that start with `query` first, then names that contain it, ignoring case; shorter names first in each. */
  search(query: string, limit: number): IndexedSymbol[] {
    const needle = query.toLowerCase();
    const ranked: Array<{ name: string; rank: number }> = [];
    for (const name of this.byName.keys()) {
      const lower = name.toLowerCase();
      const rank = lower.startsWith(needle) ? 0 : lower.includes(needle) ? 1 : -1;
      if (rank >= 0) ranked.push({ name, rank });
    }
    ranked.sort((a, b) => a.rank - b.rank || a.name.length - b.name.length || a.name.localeCompare(b.name));
    return ranked.flatMap(({ name }) => this.lookup(name)).slice(0, limit);
  }

  lookup(name: string): IndexedSymbol[] {
    const paths = this.byName.get(name);
    return paths ? [...paths].map(([filePath, signature]) => ({ name, path: filePath, signature })) : [];
  }
}

/**
 * A file's size and modification time when it was indexed: a file whose stamp is the same later is taken as the same
 * file, and is not read again (an edit that keeps both within the file system's time resolution is missed, as make
 * and git's index miss it).
 */
export interface FileStamp {
  size: number;
  mtimeMs: number;
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The file system as the indexer needs it; undefined for a file that is missing or unreadable. */
export interface IndexerFiles {
  /** Undefined also for a folder or anything else that is not a plain file. */
  stat(filePath: string): Promise<FileStamp | undefined>;
  read(filePath: string): Promise<Uint8Array | undefined>;
}

export type IndexerVerdict =
  /** `chunks`: the units retrieval ranks (core/retrieval/chunks.ts), cut from the same parse. */
  | { indexed: true; stamp: FileStamp; symbols: FileSymbol[]; chunks: Chunk[] }
  /** `unchanged`: the file's stamp is the one the caller knew, so it was not read; what it had still holds. */
  | {
      indexed: false;
      reason: "unchanged" | "ignored" | "notCode" | "noGrammar" | "tooLarge" | "binary" | "unreadable";
    };

/** Parses a file's text into its definitions, whichever tree-sitter build does the parsing. */
export interface DefinitionParser {
  /** Undefined when the language has no grammar, or its grammar did not load. */
  definitionsOf(languageId: string, text: string): Promise<Definition[] | undefined>;
}

/** One language's grammar with its compiled definitions query, ready to parse. */
export interface LanguageDefinitions {
  definitionsOf(text: string): Definition[];
}

/**
 * Loads each grammar on first use, once. A grammar that fails to load is reported once and its
 * language is left out, so its files are skipped while the other languages are still indexed.
 */
export class DefinitionsByLanguage implements DefinitionParser {
  /** Keyed by grammar: languages that share one (JavaScript and JSX) share its load. */
  private readonly loads = new Map<string, Promise<LanguageDefinitions | undefined>>();

  constructor(
    private readonly load: (languageId: CodeLanguage) => Promise<LanguageDefinitions>,
    private readonly grammarFailed: (languageId: CodeLanguage, error: unknown) => void,
  ) {}

  async definitionsOf(languageId: string, text: string): Promise<Definition[] | undefined> {
    if (!isCodeLanguage(languageId)) return undefined;
    const grammar = grammarFileByLanguage[languageId];
    let pending = this.loads.get(grammar);
    if (!pending) {
      pending = this.load(languageId).catch((error: unknown) => {
        this.grammarFailed(languageId, error);
        return undefined;
      });
      this.loads.set(grammar, pending);
    }
    return (await pending)?.definitionsOf(text);
  }
}

/**
 * Summarises workspace files into their top-level definitions, honouring .gitignore files from
 * the workspace root down. Runs in a worker: it parses whole files.
 */
export class SymbolIndexer {
  private readonly gitignores = new Map<string, Promise<GitignoreRule[]>>();
  private readonly folderRules = new Map<string, Promise<GitignoreRule[]>>();
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly parser: DefinitionParser,
    private readonly files: IndexerFiles,
    /** Workspace folders, as absolute POSIX paths. */
    private readonly roots: readonly string[],
  ) {}

  /** `known`: the file's stamp when it was last indexed; a file still with it is not read (reason "unchanged"). */
  async indexFile(filePath: string, known?: FileStamp): Promise<IndexerVerdict> {
    if (!isIndexablePath(filePath)) return { indexed: false, reason: "notCode" };
    if (await this.ignored(filePath)) return { indexed: false, reason: "ignored" };
    const stamp = await this.files.stat(filePath);
    if (stamp === undefined) return { indexed: false, reason: "unreadable" };
    if (known !== undefined && sameStamp(stamp, known)) return { indexed: false, reason: "unchanged" };
    if (stamp.size > maxIndexedFileBytes) return { indexed: false, reason: "tooLarge" };
    const bytes = await this.files.read(filePath);
    if (!bytes) return { indexed: false, reason: "unreadable" };
    if (looksBinary(bytes)) return { indexed: false, reason: "binary" };
    const languageId = languageOfPath(filePath, "");
    if (!languageId) return { indexed: false, reason: "notCode" };
    const text = this.decoder.decode(bytes);
    const definitions = await this.parser.definitionsOf(languageId, text);
    if (!definitions) return { indexed: false, reason: "noGrammar" };
    const symbols = definitions
      .filter((definition) => definition.topLevel)
      .map(({ name, signature }) => ({ name, signature }));
    return { indexed: true, stamp, symbols, chunks: chunkFile(text, definitions) };
  }

  /**
   * Every definition of a file that a document imports (members too, not only the top level), for the completion's
   * context; undefined for a file the index would skip as unreadable, too large, binary or without a grammar. Ignore
   * rules do not apply: the code imports the file. `languageId` is the one it is read as (a .h file in C++ code).
   */
  async importedDefinitions(filePath: string, languageId: string): Promise<Definition[] | undefined> {
    if (isSecretPath(filePath)) return undefined;
    const stamp = await this.files.stat(filePath);
    if (stamp === undefined || stamp.size > maxIndexedFileBytes) return undefined;
    const bytes = await this.files.read(filePath);
    if (!bytes || looksBinary(bytes)) return undefined;
    return this.parser.definitionsOf(languageId, this.decoder.decode(bytes));
  }

  /** Forget a .gitignore's rules, when it is saved or deleted. */
  invalidateGitignore(filePath: string): void {
    this.gitignores.delete(path.posix.dirname(filePath));
    this.folderRules.clear();
  }

  private async ignored(filePath: string): Promise<boolean> {
    const root = this.roots.find((candidate) => filePath.startsWith(`${candidate.replace(/\/+$/, "")}/`));
    if (!root) return true;
    const rules = new IgnoreRules();
    rules.add(await this.rulesOf(root.replace(/\/+$/, ""), path.posix.dirname(filePath)));
    return rules.ignores(filePath);
  }

  /**
   * The rules of the .gitignore files from `root` down to `folder`, outer first; once per folder, since a listing
   * after a restart asks for each of thousands of files whose stamps say they are unchanged.
   */
  private rulesOf(root: string, folder: string): Promise<GitignoreRule[]> {
    let pending = this.folderRules.get(folder);
    if (!pending) {
      const parent = path.posix.dirname(folder);
      const outer = folder.length <= root.length || parent === folder ? [] : this.rulesOf(root, parent);
      pending = Promise.all([outer, this.gitignoreOf(folder)]).then(([outerRules, own]) => [...outerRules, ...own]);
      this.folderRules.set(folder, pending);
    }
    return pending;
  }

  private gitignoreOf(folder: string): Promise<GitignoreRule[]> {
    let pending = this.gitignores.get(folder);
    if (!pending) {
      pending = this.files
        .read(path.posix.join(folder, ".gitignore"))
        .then((bytes) => (bytes ? parseGitignore(this.decoder.decode(bytes), folder) : []));
      this.gitignores.set(folder, pending);
    }
    return pending;
  }
}
