import type { Node, Tree } from "web-tree-sitter";
import type { CodeLanguage } from "../config/codeLanguages";
import { isCodeLanguage } from "../config/codeLanguages";

/** A range of the document, in UTF-16 offsets. */
export interface OffsetRange {
  start: number;
  end: number;
}

/**
 * Widens a selection to whole lines where it already covers a line's code: selecting from the first character of
 * a line should take its indentation too, and a selection ending at the last character should not leave trailing
 * blanks behind. A selection inside a line (an expression) stays as it is. A selection that ends at column 0 of
 * the next line covers the line break, which stays part of the target.
 */
export function normaliseSelection(text: string, range: OffsetRange): OffsetRange {
  const lineStart = text.lastIndexOf("\n", range.start - 1) + 1;
  const start = /^[ \t]*$/.test(text.slice(lineStart, range.start)) ? lineStart : range.start;
  if (range.end > range.start && text[range.end - 1] === "\n") return { start, end: range.end };
  const lineBreak = text.indexOf("\n", range.end);
  const lineEnd =
    lineBreak < 0 ? text.length : lineBreak > 0 && text[lineBreak - 1] === "\r" ? lineBreak - 1 : lineBreak;
  const end = /^[ \t]*$/.test(text.slice(range.end, lineEnd)) ? lineEnd : range.end;
  return { start, end };
}

export type DefinitionKind = "function" | "class";

export interface Definition extends OffsetRange {
  kind: DefinitionKind;
  /** The node type, for the message that names what was picked. */
  nodeType: string;
}

const functionTypes: Readonly<Record<CodeLanguage, readonly string[]>> = {
  python: ["function_definition"],
  javascript: [
    "function_declaration",
    "generator_function_declaration",
    "method_definition",
    "function_expression",
    "arrow_function",
  ],
  javascriptreact: [
    "function_declaration",
    "generator_function_declaration",
    "method_definition",
    "function_expression",
    "arrow_function",
  ],
  typescript: [
    "function_declaration",
    "generator_function_declaration",
    "method_definition",
    "function_expression",
    "arrow_function",
  ],
  typescriptreact: [
    "function_declaration",
    "generator_function_declaration",
    "method_definition",
    "function_expression",
    "arrow_function",
  ],
  java: ["method_declaration", "constructor_declaration"],
  c: ["function_definition"],
  cpp: ["function_definition"],
  csharp: ["method_declaration", "constructor_declaration", "local_function_statement"],
  go: ["function_declaration", "method_declaration"],
  rust: ["function_item"],
  php: ["function_definition", "method_declaration"],
  ruby: ["method", "singleton_method"],
  shellscript: ["function_definition"],
};

const classTypes: Readonly<Record<CodeLanguage, readonly string[]>> = {
  python: ["class_definition"],
  javascript: ["class_declaration"],
  javascriptreact: ["class_declaration"],
  typescript: ["class_declaration", "abstract_class_declaration", "interface_declaration"],
  typescriptreact: ["class_declaration", "abstract_class_declaration", "interface_declaration"],
  java: ["class_declaration", "interface_declaration", "enum_declaration", "record_declaration"],
  c: ["struct_specifier"],
  cpp: ["class_specifier", "struct_specifier"],
  csharp: [
    "class_declaration",
    "struct_declaration",
    "interface_declaration",
    "record_declaration",
    "enum_declaration",
  ],
  go: ["type_declaration"],
  rust: ["impl_item", "struct_item", "enum_item", "trait_item"],
  php: ["class_declaration", "interface_declaration", "trait_declaration"],
  ruby: ["class", "module"],
  shellscript: [],
};

/** Wrappers that belong to the definition they hold: decorators, `export`, `const f = () => …`, C++ templates. */
const wrapperTypes: ReadonlySet<string> = new Set(["decorated_definition", "export_statement", "template_declaration"]);

export function kindOf(languageId: CodeLanguage, type: string): DefinitionKind | undefined {
  if (functionTypes[languageId].includes(type)) return "function";
  if (classTypes[languageId].includes(type)) return "class";
  return undefined;
}

/**
 * The innermost function or class around `offset`, widened to the statement that declares it (decorators, an
 * arrow function's `const`), and to the start of its first line so its indentation comes along.
 */
export function enclosingDefinition(
  tree: Tree,
  languageId: string,
  text: string,
  offset: number,
): Definition | undefined {
  if (!isCodeLanguage(languageId)) return undefined;
  let node: Node | null = tree.rootNode.descendantForIndex(offset, offset);
  let callback: Definition | undefined;
  while (node !== null) {
    const kind = kindOf(languageId, node.type);
    if (kind !== undefined) {
      const definition = definitionOf(node, kind, text);
      // An anonymous function passed as an argument is too small a target when a named function holds it.
      if (!isAnonymousCallback(node)) return definition;
      callback ??= definition;
    }
    node = node.parent;
  }
  return callback;
}

export function definitionOf(node: Node, kind: DefinitionKind, text: string): Definition {
  const declared = declaringStatement(node);
  const lineStart = text.lastIndexOf("\n", declared.startIndex - 1) + 1;
  const start = /^[ \t]*$/.test(text.slice(lineStart, declared.startIndex)) ? lineStart : declared.startIndex;
  return { start, end: declared.endIndex, kind, nodeType: node.type };
}

/** The class, struct or impl block that holds the range, if any. */
export function enclosingClass(tree: Tree, languageId: string, range: OffsetRange): Node | undefined {
  if (!isCodeLanguage(languageId)) return undefined;
  let node: Node | null = tree.rootNode.descendantForIndex(range.start, Math.max(range.start, range.end - 1));
  while (node !== null) {
    if (kindOf(languageId, node.type) === "class" && node.startIndex < range.start && node.endIndex >= range.end)
      return node;
    node = node.parent;
  }
  return undefined;
}

function isAnonymousCallback(node: Node): boolean {
  if (node.type !== "arrow_function" && node.type !== "function_expression") return false;
  return node.parent?.type !== "variable_declarator";
}

function declaringStatement(node: Node): Node {
  let current = node;
  if (current.parent?.type === "variable_declarator" && current.parent.parent !== null) current = current.parent.parent;
  while (current.parent !== null && wrapperTypes.has(current.parent.type)) current = current.parent;
  return current;
}
