// Apply from chat: where in a file a code block belongs. A block that rewrites one function, method or class replaces
// the definition of that name in a file the conversation is about; tree-sitter finds both.
import type { Node, Tree } from "web-tree-sitter";
import { isCodeLanguage } from "../config/codeLanguages";
import { type Definition, type DefinitionKind, definitionOf, kindOf } from "./target";

/** The name a definition node declares: its name field, a variable's name, or a C declarator's identifier. */
function definitionName(node: Node): string | undefined {
  if (node.parent?.type === "variable_declarator") return node.parent.childForFieldName("name")?.text;
  const named = node.childForFieldName("name");
  if (named !== null) return named.text;
  // C and C++: function_definition > function_declarator > identifier (or a qualified or pointer declarator).
  let declarator = node.childForFieldName("declarator");
  while (declarator?.childForFieldName("declarator") != null) declarator = declarator.childForFieldName("declarator");
  if (declarator != null) return declarator.text;
  // Go: type_declaration > type_spec name.
  return node.namedChildren.find((child) => child?.type === "type_spec")?.childForFieldName("name")?.text;
}

interface NamedDefinition {
  name: string;
  kind: DefinitionKind;
  node: Node;
}

/** Definitions in the tree, outermost first; `topLevelOnly` leaves out those inside another definition. */
function definitionsIn(tree: Tree, languageId: string, topLevelOnly: boolean): NamedDefinition[] {
  if (!isCodeLanguage(languageId)) return [];
  const found: NamedDefinition[] = [];
  const visit = (node: Node, inside: boolean): void => {
    const kind = kindOf(languageId, node.type);
    const name = kind === undefined ? undefined : definitionName(node);
    if (kind !== undefined && name !== undefined && name !== "") found.push({ name, kind, node });
    if (kind !== undefined && topLevelOnly) return;
    for (const child of node.namedChildren) if (child !== null) visit(child, inside || kind !== undefined);
  };
  visit(tree.rootNode, false);
  return found;
}

/**
 * The one function, method or class a code block defines, where it defines exactly one (imports, comments and other
 * statements around it aside); undefined for a snippet of statements or several definitions.
 */
export function soleDefinitionName(tree: Tree, languageId: string): string | undefined {
  const definitions = definitionsIn(tree, languageId, true);
  return definitions.length === 1 ? definitions[0].name : undefined;
}

/** Every definition named `name` in a document, with its range as a refactor's target (decorators, indentation). */
export function definitionsNamed(tree: Tree, languageId: string, text: string, name: string): Definition[] {
  return definitionsIn(tree, languageId, false)
    .filter((definition) => definition.name === name)
    .map((definition) => definitionOf(definition.node, definition.kind, text));
}

/** The code moved to `indent`: its least indented line gets `indent`, the others keep their depth relative to it. */
export function reindented(code: string, indent: string): string {
  const lines = code.replace(/\n+$/, "").split("\n");
  const widths = lines.filter((line) => line.trim() !== "").map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = widths.length === 0 ? 0 : Math.min(...widths);
  return lines.map((line) => (line.trim() === "" ? "" : indent + line.slice(common))).join("\n");
}
