import type { Node, Tree } from "web-tree-sitter";
import { codeLanguages, type CodeLanguage } from "../config/codeLanguages";

/** The Shield covers every language Llama Assist serves. */
export const SHIELD_LANGUAGES = codeLanguages;

/** VS Code language ids the Shield understands. */
export type ShieldLanguage = CodeLanguage;

export type Severity = "block" | "warn";

/** One rule violation. Lines and columns are 0-based; columns count UTF-16 code units. */
export interface Finding {
  readonly ruleId: string;
  readonly cwe: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fixHint: string;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** Offsets into the scanned text, so callers can map a finding back to their own buffer. */
  readonly startIndex: number;
  readonly endIndex: number;
}

export interface ShieldRuleInfo {
  readonly id: string;
  readonly cwe: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fixHint: string;
  readonly explanation: string;
  readonly languages: readonly ShieldLanguage[];
}

export interface ScanOptions {
  /** Rule ids the user turned off. */
  readonly disabledRules?: ReadonlySet<string>;
}

export interface SuggestionInput {
  readonly prefix: string;
  readonly suggestion: string;
  readonly suffix: string;
  readonly language: ShieldLanguage;
  /** The whole document with the suggestion in it, parsed, when the caller has it: then nothing is parsed again. */
  readonly document?: SuggestionInDocument;
}

/** The tree of a document with a suggestion inserted, from the runtime the Shield was created with. */
export interface SuggestionInDocument {
  /** Owned by the caller, who deletes it after the scan. */
  readonly tree: Tree;
  /** Where `prefix` begins in the document; the suggestion follows it. */
  readonly prefixStart: number;
}

export interface Shield {
  scan(code: string, language: ShieldLanguage, options?: ScanOptions): Finding[];
  /**
   * Reports only findings whose node overlaps the suggestion, in the frame of prefix + suggestion + suffix: from the
   * document's tree when the input carries one, else from a parse of that text.
   */
  scanSuggestion(input: SuggestionInput, options?: ScanOptions): Finding[];
  rules(): readonly ShieldRuleInfo[];
  languages(): readonly ShieldLanguage[];
  dispose(): void;
}

/** Where grammar .wasm files come from; keeps file-system policy out of the engine. */
export interface GrammarSource {
  load(fileName: string): Promise<Uint8Array>;
}

export interface TextRange {
  readonly startIndex: number;
  readonly endIndex: number;
}

/** The nodes one query match captured, by capture name (first node wins for repeated captures). */
export interface RuleMatch {
  readonly language: ShieldLanguage;
  capture(name: string): Node | undefined;
  captureAll(name: string): readonly Node[];
  /**
   * What a name or member chain stands for after the file's imports: `h.md5` with `import hashlib as h` reads
   * "hashlib.md5", `exec` with `const { exec } = require("child_process")` reads "child_process.exec". Anything
   * else reads as written. See imports.ts.
   */
  qualifiedName(node: Node): string;
  /**
   * The text being checked and where it begins among the tree's indices: the whole text of a scan, and for a
   * suggestion checked in a document's tree the statements it touches, within the window the caller passed. A rule
   * that reads beyond its captures reads this, not the root node's text, which for a document is all of it.
   */
  checkedText(): CheckedText;
}

export interface CheckedText {
  readonly text: string;
  readonly startIndex: number;
}

export interface RulePattern {
  readonly languages: readonly ShieldLanguage[];
  /** A tree-sitter query; the node to report is captured as @finding. */
  readonly query: string;
  /**
   * Decides what the query alone cannot. A match is reported only if this returns true, or a narrower
   * range (offsets into the scanned text) to report instead of the @finding node.
   */
  readonly accept?: (match: RuleMatch) => boolean | TextRange;
}

export interface RuleDefinition {
  readonly id: string;
  readonly cwe: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fixHint: string;
  readonly explanation: string;
  readonly patterns: readonly RulePattern[];
}
