import { Query, type Language, type Node, type QueryMatch, type Tree } from "web-tree-sitter";
import { SyntaxRuntime } from "../syntax/syntaxRuntime";
import { importsOf, limitImportsTo, qualifiedName } from "./imports";
import { ALL_RULES } from "./rules";
import { requiredWords } from "./queryLiterals";
import {
  BIDI_CONTROL,
  bidiControlFindings,
  codeAnchor,
  ENGINE_RULES,
  MAX_ANALYSED_DEPTH,
  nodeBeyondDepth,
  tiledMatches,
  TOO_DEEPLY_NESTED,
} from "./engineRules";
import {
  SHIELD_LANGUAGES,
  type CheckedText,
  type Finding,
  type GrammarSource,
  type RuleDefinition,
  type RuleMatch,
  type RulePattern,
  type ScanOptions,
  type Shield,
  type ShieldLanguage,
  type ShieldRuleInfo,
  type SuggestionInDocument,
  type SuggestionInput,
  type TextRange,
} from "./types";

/**
 * Where the Shield's grammars come from: a runtime it shares (the extension's, whose document trees the ghost-text
 * check queries, so each grammar is in memory once), or files it loads into a runtime of its own (the CLI).
 */
export type ShieldSyntax = { readonly syntax: SyntaxRuntime } | { readonly grammars: GrammarSource };

export type ShieldOptions = ShieldSyntax & {
  /** Load only these languages (all by default); fewer grammars start faster. */
  readonly languages?: readonly ShieldLanguage[];
  /**
   * Compile a language's rule query when its first text is scanned, with only the patterns that text can match
   * (compiling the query is most of a one-file scan's start-up); a later text that needs more compiles them all, so
   * a directory scan compiles at most twice. Without it every query is compiled up front, off the typing path.
   */
  readonly compileOnDemand?: boolean;
};

interface CompiledPattern {
  readonly rule: RuleDefinition;
  readonly pattern: RulePattern;
  readonly sourceStart: number;
  readonly sourceEnd: number;
}

interface LanguageRuntime {
  readonly query: Query;
  /** Maps a pattern index of the combined query to the rule pattern it came from. */
  readonly patternOwners: readonly CompiledPattern[];
  /** The patterns compiled, when only those the first text could match were. */
  readonly partial?: ReadonlySet<RulePattern>;
}

interface LanguagePattern {
  readonly rule: RuleDefinition;
  readonly pattern: RulePattern;
}

function patternsOf(language: ShieldLanguage, rules: readonly RuleDefinition[]): LanguagePattern[] {
  return rules.flatMap((rule) =>
    rule.patterns.filter((pattern) => pattern.languages.includes(language)).map((pattern) => ({ rule, pattern })),
  );
}

function deleteRuntime(runtime: LanguageRuntime): void {
  runtime.query.delete();
}

const utf8 = new TextEncoder();

function compileLanguage(
  language: ShieldLanguage,
  grammar: Language,
  patterns: readonly LanguagePattern[],
  partial: boolean,
): LanguageRuntime {
  const pieces: CompiledPattern[] = [];
  let source = "";
  for (const { rule, pattern } of patterns) {
    const sourceStart = utf8.encode(source).length;
    source += pattern.query + "\n";
    pieces.push({ rule, pattern, sourceStart, sourceEnd: utf8.encode(source).length });
  }
  let query: Query;
  try {
    query = new Query(grammar, source);
  } catch (error) {
    throw new Error(
      `Shield: a ${language} rule query does not compile (${describeBrokenRule(language, grammar, pieces)}): ${String(error)}`,
    );
  }
  const patternOwners: CompiledPattern[] = [];
  for (let index = 0; index < query.patternCount(); index++) {
    const start = query.startIndexForPattern(index);
    const owner = pieces.find((piece) => start >= piece.sourceStart && start < piece.sourceEnd);
    if (!owner) throw new Error(`Shield: ${language} query pattern ${index} has no rule`);
    patternOwners.push(owner);
  }
  return { query, patternOwners, partial: partial ? new Set(patterns.map((p) => p.pattern)) : undefined };
}

function describeBrokenRule(language: ShieldLanguage, grammar: Language, pieces: readonly CompiledPattern[]): string {
  for (const piece of pieces) {
    try {
      new Query(grammar, piece.pattern.query).delete();
    } catch {
      return `rule ${piece.rule.id} for ${language}`;
    }
  }
  return "rules compile alone but not together";
}

function toMatch(language: ShieldLanguage, match: QueryMatch, checkedText: () => CheckedText): RuleMatch {
  return {
    language,
    checkedText,
    // The import table is built on the first rule that asks, once per tree: most scans never need it.
    qualifiedName: (node) => qualifiedName(importsOf(node, language), node),
    capture: (name) => match.captures.find((c) => c.name === name)?.node,
    captureAll: (name) => match.captures.filter((c) => c.name === name).map((c) => c.node),
  };
}

interface Position {
  readonly row: number;
  readonly column: number;
}

/** Converts offsets to line/column for findings narrower than a node; built only when such a finding appears. */
class LineIndex {
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  positionAt(index: number): Position {
    this.lineStarts ??= [0, ...[...this.text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)];
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] ?? 0) <= index) low = middle;
      else high = middle - 1;
    }
    return { row: low, column: index - (this.lineStarts[low] ?? 0) };
  }
}

function toFinding(rule: RuleDefinition, range: TextRange, start: Position, end: Position): Finding {
  return {
    ruleId: rule.id,
    cwe: rule.cwe,
    severity: rule.severity,
    message: rule.message,
    fixHint: rule.fixHint,
    startLine: start.row,
    startColumn: start.column,
    endLine: end.row,
    endColumn: end.column,
    startIndex: range.startIndex,
    endIndex: range.endIndex,
  };
}

const PHP_OPENING = "<?php ";

/**
 * A PHP fragment without its `<?php` tag (a completion window, a snippet) parses as inline HTML and hides every
 * call; code that reads as PHP gets the tag added, on the same line, so line numbers stay as they are.
 */
function openingToAdd(code: string, language: ShieldLanguage): string | undefined {
  // "<?" inside a string ('<?' . $code) is not an opening tag; "<?php", "<?=" and "<? " are.
  if (language !== "php" || /<\?(php\b|=|\s|$)/.test(code)) return undefined;
  const firstLine = code.trimStart().split("\n", 1)[0] ?? "";
  if (firstLine.startsWith("<") && !firstLine.startsWith("<<<")) return undefined;
  // Markup lines with no "?>" before them: the fragment is the HTML (and its inline script) around PHP, not PHP.
  if (!code.includes("?>") && !code.includes("<<<") && /^\s*<\/?[a-zA-Z][\w-]*[\s>]/m.test(code)) return undefined;
  return /\$[A-Za-z_]\w*|\bfunction\s+\w+\s*\(|;\s*$/m.test(code) ? PHP_OPENING : undefined;
}

const BLOCK_COMMENT_LANGUAGES: ReadonlySet<ShieldLanguage> = new Set([
  "javascript",
  "javascriptreact",
  "typescript",
  "typescriptreact",
  "java",
  "c",
  "cpp",
  "csharp",
  "go",
  "rust",
  "php",
]);

interface OpenComment {
  /** The text to blank: up to and including the first closing delimiter (after a PHP opening tag). */
  readonly blank: TextRange;
  /** Where that closing delimiter starts. */
  readonly closingAt: number;
}

/**
 * Where a fragment cut out of a file (a completion window, a chat snippet) may begin inside a docstring or block
 * comment: its first closing delimiter. Only a guess, which the caller checks against the parse.
 */
function openCommentAtStart(code: string, language: ShieldLanguage): OpenComment | undefined {
  if (language === "python") {
    const quote = /"""|'''/.exec(code);
    return quote ? { blank: { startIndex: 0, endIndex: quote.index + 3 }, closingAt: quote.index } : undefined;
  }
  if (!BLOCK_COMMENT_LANGUAGES.has(language)) return undefined;
  const close = code.indexOf("*/");
  if (close < 0) return undefined;
  const open = code.indexOf("/*");
  if (open >= 0 && open < close) return undefined;
  const phpTag = language === "php" ? code.indexOf("<?php") : -1;
  return {
    blank: { startIndex: phpTag >= 0 && phpTag < close ? phpTag + 5 : 0, endIndex: close + 2 },
    closingAt: close,
  };
}

/** Blanks a range but keeps line breaks, so every offset, line and column stays where it was. */
function blank(code: string, range: TextRange): string {
  return (
    code.slice(0, range.startIndex) +
    code.slice(range.startIndex, range.endIndex).replace(/[^\r\n]/g, " ") +
    code.slice(range.endIndex)
  );
}

/** The first syntax error, outermost; only called on a tree that has one. */
function firstError(node: Node): Node {
  if (node.isError || node.isMissing) return node;
  for (const child of node.children) if (child?.hasError || child?.isMissing) return firstError(child);
  return node;
}

/** How much of the text error recovery gave up on: the length of every outermost error, and 1 per missing token. */
function errorSize(node: Node): number {
  if (node.isMissing) return 1;
  if (node.isError) return Math.max(1, node.endIndex - node.startIndex);
  let size = 0;
  for (const child of node.children) if (child?.hasError || child?.isMissing) size += errorSize(child);
  return size;
}

/** A tree to query, and the offset before which its matches are not taken. */
interface Reading {
  readonly tree: Tree;
  readonly from: number;
  /** Rows before this one read the same as in an earlier reading, so the query skips them. */
  readonly fromRow: number;
}

interface Parsed {
  readonly readings: Reading[];
  /** The outermost node nested deeper than the Shield analyses; when set, the readings are not queried. */
  readonly tooDeep?: Node;
}

/**
 * Parses the code, and when the tree has errors, also the readings of it as a fragment that parse better: one that
 * begins inside a docstring or block comment (queried after the comment's end only, where the code would otherwise
 * be read as the inside of a string), and one cut off inside a call.
 */
function readings(parse: (text: string) => Tree, code: string, language: ShieldLanguage): Parsed {
  const tree = parse(code);
  const result: Reading[] = [{ tree, from: 0, fromRow: 0 }];
  // Checked before anything else walks the tree: error recovery helpers recurse, and queries slow down with depth.
  const tooDeep = nodeBeyondDepth(tree, MAX_ANALYSED_DEPTH);
  if (tooDeep) return { readings: result, tooDeep };
  if (!tree.rootNode.hasError) return { readings: result };
  let best: Reading & { text: string } = { tree, from: 0, fromRow: 0, text: code };
  const comment = openCommentAtStart(code, language);
  // Prose before the closing delimiter is what fails to parse when a fragment begins inside a comment; an error
  // only after it is a comment or string the fragment opens and leaves open, which is read right as it is.
  if (comment && firstError(tree.rootNode).startIndex < comment.closingAt) {
    const text = blank(code, comment.blank);
    const alternative = parse(text);
    if (errorSize(alternative.rootNode) < errorSize(tree.rootNode)) {
      best = { tree: alternative, from: comment.blank.endIndex, fromRow: rowAt(code, comment.blank.endIndex), text };
      result.push(best);
    } else alternative.delete();
  }
  // A fragment cut off inside a call or list (the end of a completion window) can make error recovery swallow the
  // whole statement; closing the brackets at the end, after the scanned text, moves no offset. That holds when the call
  // is left open inside a block too (`build(opts, function () { if (x) {`): recovery can then give up on every
  // statement of the callback. An open block alone usually costs one missing "}" and is not worth a second parse.
  // Before the first error the reading is the same, so only the rest is queried.
  const closers = statementEnd(best.text, language, missingClosers(best.text, language));
  if (/[)\];]/.test(closers) && best.tree.rootNode.hasError) {
    const closed = parse(best.text + closers);
    if (errorSize(closed.rootNode) < errorSize(best.tree.rootNode)) {
      result.push({
        tree: closed,
        from: best.from,
        fromRow: Math.max(best.fromRow, firstError(best.tree.rootNode).startPosition.row),
      });
    } else closed.delete();
  }
  return { readings: result };
}

const SEMICOLON_LANGUAGES: ReadonlySet<ShieldLanguage> = new Set(["java", "c", "cpp", "csharp", "rust", "php"]);

/**
 * A window cut off in the middle of a statement (a long concatenation that runs past its end) leaves the statement
 * without its ";", and error recovery then drops the whole statement; the ";" goes after the closing brackets of the
 * expression and before those of the enclosing blocks.
 */
function statementEnd(text: string, language: ShieldLanguage, closers: string): string {
  if (!SEMICOLON_LANGUAGES.has(language) || /[;{},]\s*$/.test(text)) return closers;
  const blocks = closers.indexOf("}");
  return blocks < 0 ? closers + ";" : closers.slice(0, blocks) + ";" + closers.slice(blocks);
}

function rowAt(text: string, index: number): number {
  let row = 0;
  for (let at = text.indexOf("\n"); at >= 0 && at < index; at = text.indexOf("\n", at + 1)) row++;
  return row;
}

const CLOSER: Readonly<Record<string, string>> = { "(": ")", "[": "]", "{": "}" };
const HASH_COMMENTS: ReadonlySet<ShieldLanguage> = new Set(["python", "ruby", "shellscript", "php"]);

/**
 * The brackets a fragment leaves open, closed innermost first. A rough lexer (quotes on one line, line and block
 * comments) is enough: the result is used only when it parses better than the fragment as it is.
 */
function missingClosers(text: string, language: ShieldLanguage): string {
  const open: string[] = [];
  const hashComments = HASH_COMMENTS.has(language);
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (char === '"' || char === "'" || char === "`") {
      let end = index + 1;
      while (end < text.length && text[end] !== char && (char === "`" || text[end] !== "\n"))
        end += text[end] === "\\" ? 2 : 1;
      index = end;
    } else if ((char === "/" && text[index + 1] === "/") || (char === "#" && hashComments)) {
      const end = text.indexOf("\n", index);
      index = end < 0 ? text.length : end;
    } else if (char === "/" && text[index + 1] === "*") {
      const end = text.indexOf("*/", index + 2);
      index = end < 0 ? text.length : end + 1;
    } else if (char in CLOSER) {
      open.push(CLOSER[char] as string);
    } else if (char === ")" || char === "]" || char === "}") {
      if (open[open.length - 1] === char) open.pop();
    }
  }
  return open.reverse().join("");
}

function shiftFinding(finding: Finding, shift: number): Finding {
  return {
    ...finding,
    startIndex: finding.startIndex - shift,
    endIndex: finding.endIndex - shift,
    startColumn: finding.startLine === 0 ? finding.startColumn - shift : finding.startColumn,
    endColumn: finding.endLine === 0 ? finding.endColumn - shift : finding.endColumn,
  };
}

/** Rows a query covers, whole lines: web-tree-sitter takes a query's index range in bytes, not in its node indices. */
interface RowRange {
  readonly startPosition: Position;
  readonly endPosition: Position;
}

/** Top-level definitions whose bodies hold no import that code elsewhere can see. */
const DEFINITION = /^(?:function|class|method|decorated|generator_function|impl|trait|mod|module|constructor)(?:_|$)/;

/**
 * The lines of the top-level statements a range overlaps (at least the one at `from`), whether any has an error, and
 * where imports that apply there can be: those statements, and every other top-level statement but a definition.
 */
function statementsAround(
  root: Node,
  from: number,
  to: number,
): (RowRange & TextRange & { hasError: boolean; importScope: Node[]; statements: Node[] }) | undefined {
  const first = root.firstChildForIndex(from);
  if (!first) return undefined;
  let last = first;
  let hasError = first.hasError || first.isMissing;
  const statements = [first];
  for (let next = first.nextSibling; next && next.startIndex < to; next = next.nextSibling) {
    last = next;
    statements.push(next);
    hasError ||= next.hasError || next.isMissing;
  }
  const importScope = root.children.filter(
    (child): child is Node =>
      child !== null &&
      ((child.startIndex >= first.startIndex && child.endIndex <= last.endIndex) || !DEFINITION.test(child.type)),
  );
  return {
    startPosition: { row: first.startPosition.row, column: 0 },
    endPosition: { row: last.endPosition.row + 1, column: 0 },
    startIndex: first.startIndex,
    endIndex: last.endIndex,
    hasError,
    importScope,
    statements,
  };
}

/** A rule's match that passed its checks: where to report it, and the node's own positions when they are exact. */
interface Hit {
  readonly rule: RuleDefinition;
  readonly range: TextRange;
  readonly node?: Node;
}

class TreeSitterShield implements Shield {
  private readonly ruleInfos: readonly ShieldRuleInfo[];
  private readonly requirements = new Map<RulePattern, readonly (readonly string[])[]>();

  constructor(
    private readonly syntax: SyntaxRuntime,
    /** Set when the runtime is the Shield's own, to dispose with it. */
    private readonly ownsSyntax: boolean,
    private readonly grammars: ReadonlyMap<ShieldLanguage, Language>,
    private readonly runtimes: Map<ShieldLanguage, LanguageRuntime>,
    private readonly ruleDefinitions: readonly RuleDefinition[],
  ) {
    this.ruleInfos = [...ruleDefinitions, ...ENGINE_RULES].map((rule) => ({
      id: rule.id,
      cwe: rule.cwe,
      severity: rule.severity,
      message: rule.message,
      fixHint: rule.fixHint,
      explanation: rule.explanation,
      languages:
        rule.patterns.length === 0
          ? SHIELD_LANGUAGES
          : SHIELD_LANGUAGES.filter((language) => rule.patterns.some((p) => p.languages.includes(language))),
    }));
  }

  scan(code: string, language: ShieldLanguage, options?: ScanOptions): Finding[] {
    return this.scanRange(code, language, 0, code.length, options);
  }

  scanSuggestion(input: SuggestionInput, options?: ScanOptions): Finding[] {
    const code = input.prefix + input.suggestion + input.suffix;
    const start = input.prefix.length;
    const end = start + input.suggestion.length;
    const inDocument = input.document && this.scanInDocument(input, input.document, code, options);
    return inDocument ?? this.scanRange(code, input.language, start, end, options);
  }

  rules(): readonly ShieldRuleInfo[] {
    return this.ruleInfos;
  }

  languages(): readonly ShieldLanguage[] {
    return [...this.grammars.keys()];
  }

  dispose(): void {
    for (const runtime of this.runtimes.values()) deleteRuntime(runtime);
    this.runtimes.clear();
    if (this.ownsSyntax) this.syntax.dispose();
  }

  private grammarOf(language: ShieldLanguage): Language {
    const grammar = this.grammars.get(language);
    if (!grammar) throw new Error(`Shield: no grammar loaded for ${language}`);
    return grammar;
  }

  /** The compiled query for a language, compiled now if it is missing or lacks a pattern this text could match. */
  private runtimeFor(language: ShieldLanguage, grammar: Language, code: string): LanguageRuntime {
    const current = this.runtimes.get(language);
    if (current && !current.partial) return current;
    const all = patternsOf(language, this.ruleDefinitions);
    const needed = all.filter(({ pattern }) => this.mayMatch(pattern, code));
    if (current?.partial && needed.every(({ pattern }) => current.partial?.has(pattern))) return current;
    const runtime = current
      ? compileLanguage(language, grammar, all, false)
      : compileLanguage(language, grammar, needed, true);
    if (current) deleteRuntime(current);
    this.runtimes.set(language, runtime);
    return runtime;
  }

  private mayMatch(pattern: RulePattern, code: string): boolean {
    let requirements = this.requirements.get(pattern);
    if (!requirements) {
      requirements = requiredWords(pattern.query);
      this.requirements.set(pattern, requirements);
    }
    return requirements.every((words) => words.some((word) => code.includes(word)));
  }

  /**
   * The suggestion checked in the document's own tree, which the completion pipeline re-parsed incrementally with the
   * suggestion in it: only the top-level statements it touches are queried, and nothing is parsed from scratch.
   * Findings come back in the frame of prefix + suggestion + suffix, as the text's own scan gives them. Undefined when
   * those statements have a syntax error: the text's repaired readings (scanRange) decide then, as for any fragment.
   */
  private scanInDocument(
    input: SuggestionInput,
    document: SuggestionInDocument,
    code: string,
    options: ScanOptions | undefined,
  ): Finding[] | undefined {
    const { tree, prefixStart } = document;
    const from = prefixStart + input.prefix.length;
    const to = from + input.suggestion.length;
    const region = statementsAround(tree.rootNode, from, Math.max(to, from + 1));
    if (region?.hasError) return undefined;
    const runtime = this.runtimeFor(input.language, this.grammarOf(input.language), code);
    const findings: Finding[] = [];
    if (!options?.disabledRules?.has(BIDI_CONTROL.id))
      findings.push(...bidiControlFindings(code, input.prefix.length, input.prefix.length + input.suggestion.length));
    const lines = new LineIndex(code);
    const inWindow = (rule: RuleDefinition, range: TextRange): Finding => {
      const startIndex = Math.min(code.length, Math.max(0, range.startIndex - prefixStart));
      const endIndex = Math.min(code.length, Math.max(startIndex, range.endIndex - prefixStart));
      const shifted = { startIndex, endIndex };
      return toFinding(rule, shifted, lines.positionAt(startIndex), lines.positionAt(endIndex));
    };
    // Only the statements the suggestion touches are queried, so only their depth matters.
    const tooDeep = region && nodeBeyondDepth(tree, MAX_ANALYSED_DEPTH, region.statements);
    if (tooDeep) {
      if (!options?.disabledRules?.has(TOO_DEEPLY_NESTED.id))
        findings.push(inWindow(TOO_DEEPLY_NESTED, codeAnchor(tooDeep)));
    } else if (region) {
      limitImportsTo(tree, region.importScope);
      const reading: Reading = { tree, from: 0, fromRow: 0 };
      const startIndex = Math.max(region.startIndex, prefixStart);
      const checked: CheckedText = {
        text: code.slice(startIndex - prefixStart, Math.max(startIndex, region.endIndex) - prefixStart),
        startIndex,
      };
      const seen = new Set<string>();
      const found = this.hits(runtime, input.language, reading, region, { from, to }, () => checked, options);
      for (const { rule, range } of found) {
        const key = `${rule.id}:${range.startIndex}:${range.endIndex}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(inWindow(rule, range));
      }
    }
    findings.sort((a, b) => a.startIndex - b.startIndex || a.ruleId.localeCompare(b.ruleId));
    return findings;
  }

  /**
   * The rule matches in one reading that pass their checks and overlap [from, to) (every one when `overlap` is
   * undefined), in the part of the tree `queried` covers.
   */
  private hits(
    runtime: LanguageRuntime,
    language: ShieldLanguage,
    reading: Reading,
    queried: (RowRange & { statements: readonly Node[] }) | undefined,
    overlap: { from: number; to: number } | undefined,
    checkedText: () => CheckedText,
    options: ScanOptions | undefined,
  ): Hit[] {
    const hits: Hit[] = [];
    const range = queried
      ? { startPosition: queried.startPosition, endPosition: queried.endPosition }
      : reading.fromRow > 0
        ? { startPosition: { row: reading.fromRow, column: 0 } }
        : undefined;
    for (const match of tiledMatches(runtime.query, reading.tree.rootNode, range, queried?.statements)) {
      const owner = runtime.patternOwners[match.patternIndex];
      if (!owner || options?.disabledRules?.has(owner.rule.id)) continue;
      const ruleMatch = toMatch(language, match, checkedText);
      const node = ruleMatch.capture("finding");
      if (!node || node.startIndex < reading.from) continue;
      const verdict = owner.pattern.accept ? owner.pattern.accept(ruleMatch) : true;
      if (verdict === false) continue;
      const reported: TextRange = verdict === true ? node : verdict;
      if (overlap && !(reported.startIndex < overlap.to && reported.endIndex > overlap.from)) continue;
      hits.push({ rule: owner.rule, range: reported, node: verdict === true ? node : undefined });
    }
    return hits;
  }

  /** Reports findings whose node overlaps [from, to); a whole-file scan passes the whole range. */
  private scanRange(
    code: string,
    language: ShieldLanguage,
    from: number,
    to: number,
    options?: ScanOptions,
  ): Finding[] {
    const grammar = this.grammarOf(language);
    const opening = openingToAdd(code, language);
    if (opening) {
      const findings = this.scanRange(opening + code, language, from + opening.length, to + opening.length, options);
      return findings.map((finding) => shiftFinding(finding, opening.length));
    }
    const runtime = this.runtimeFor(language, grammar, code);
    const parsed = readings((text) => this.syntax.parse(grammar, text), code, language);
    try {
      const findings: Finding[] = [];
      const seen = new Set<string>();
      const wholeText = from === 0 && to === code.length;
      const lines = new LineIndex(code);
      if (!options?.disabledRules?.has(BIDI_CONTROL.id)) findings.push(...bidiControlFindings(code, from, to));
      // The queries do not run on such a tree, so the suggestion's own code goes unanalysed too: the finding stands
      // wherever the deep code is.
      if (parsed.tooDeep && !options?.disabledRules?.has(TOO_DEEPLY_NESTED.id)) {
        const node = codeAnchor(parsed.tooDeep);
        findings.push(toFinding(TOO_DEEPLY_NESTED, node, node.startPosition, node.endPosition));
      }
      for (const reading of parsed.tooDeep ? [] : parsed.readings) {
        for (const { rule, range: reported, node } of this.hits(
          runtime,
          language,
          reading,
          undefined,
          undefined,
          () => ({ text: reading.tree.rootNode.text, startIndex: 0 }),
          options,
        )) {
          // A node that ends in brackets a repaired reading added ends, for the caller, where the code ends.
          const range: TextRange =
            reported.endIndex > code.length ? { startIndex: reported.startIndex, endIndex: code.length } : reported;
          if (!wholeText && !(range.startIndex < to && range.endIndex > from)) continue;
          const key = `${rule.id}:${range.startIndex}:${range.endIndex}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (node && range === reported) {
            findings.push(toFinding(rule, range, node.startPosition, node.endPosition));
          } else {
            findings.push(toFinding(rule, range, lines.positionAt(range.startIndex), lines.positionAt(range.endIndex)));
          }
        }
      }
      findings.sort((a, b) => a.startIndex - b.startIndex || a.ruleId.localeCompare(b.ruleId));
      return findings;
    } finally {
      for (const reading of parsed.readings) reading.tree.delete();
    }
  }
}

export async function createShield(options: ShieldOptions): Promise<Shield> {
  const ownsSyntax = !("syntax" in options);
  const syntax = "syntax" in options ? options.syntax : await SyntaxRuntime.create(options.grammars);
  const rules = ALL_RULES;
  const wanted = options.languages ?? SHIELD_LANGUAGES;
  const grammars = new Map<ShieldLanguage, Language>();
  const runtimes = new Map<ShieldLanguage, LanguageRuntime>();
  try {
    for (const language of wanted) {
      // The runtime loads each grammar once, whichever of the languages that share it asks first.
      const grammar = await syntax.language(language);
      if (!grammar) throw new Error(`Shield: no grammar for ${language}`);
      grammars.set(language, grammar);
      if (!options.compileOnDemand) {
        runtimes.set(language, compileLanguage(language, grammar, patternsOf(language, rules), false));
      }
    }
  } catch (error) {
    for (const runtime of runtimes.values()) deleteRuntime(runtime);
    if (ownsSyntax) syntax.dispose();
    throw error;
  }
  return new TreeSitterShield(syntax, ownsSyntax, grammars, runtimes, rules);
}
