/**
 * The parts of a syntax node the definitions algorithm reads. web-tree-sitter's Node (the extension
 * host) and native tree-sitter's SyntaxNode (the symbol index worker) both have them, so both run
 * the same algorithm. Indices count UTF-16 code units in both.
 */
export interface SyntaxNodeLike {
  readonly id: number;
  readonly type: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly text: string;
  childForFieldName(fieldName: string): SyntaxNodeLike | null;
}

/** A compiled definitions.scm, from either library. */
export interface DefinitionsQuery {
  matches(
    node: SyntaxNodeLike,
  ): ReadonlyArray<{ readonly captures: ReadonlyArray<{ readonly name: string; readonly node: SyntaxNodeLike }> }>;
}

export interface Definition {
  name: string;
  signature: string;
  /** Not inside another definition: what the workspace index keeps of a file. */
  topLevel: boolean;
  /** Where the definition's node starts and ends in the text (UTF-16 offsets): retrieval cuts its chunks there. */
  start: number;
  end: number;
}

const maxSignatureLines = 12;
/** Declarations that are their own signature: a struct's fields or an interface's members are what the model needs. */
const declarationType =
  /struct|enum|interface|type_alias|type_definition|type_item|type_spec|type_declaration|record|union|trait_item|alias_declaration/;

function collapse(text: string): string {
  const lines = text.split("\n");
  return lines.length <= maxSignatureLines ? text : [...lines.slice(0, maxSignatureLines), "…"].join("\n");
}

/**
 * A captured node with its place read once: native tree-sitter answers each node property with a call into the
 * addon, and the containment checks below compare every definition with every other.
 */
interface Located {
  node: SyntaxNodeLike;
  id: number;
  start: number;
  end: number;
}

function located(node: SyntaxNodeLike): Located {
  return { node, id: node.id, start: node.startIndex, end: node.endIndex };
}

function indentationOf(definition: Located, text: string): string {
  const lineStart = text.lastIndexOf("\n", definition.start - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, definition.start))?.[0] ?? "";
}

/** The part of a definition a caller needs: its header without the body, or a short declaration whole. */
function signatureOf(definition: Located, text: string, members: readonly Located[]): string {
  const { node, start, end } = definition;
  const body = node.childForFieldName("body");
  const whole = text.slice(start, end);
  const bodyStart = body?.startIndex;
  if (bodyStart === undefined || bodyStart <= start) return collapse(whole);
  const type = node.type;
  if (declarationType.test(type) && !/class/.test(type)) return collapse(whole);
  const header = text.slice(start, bodyStart).trimEnd();
  if (members.length === 0) return header;
  // A class is summed up by its header and its members' signatures.
  const memberLines = members.map((member) => indentationOf(member, text) + signatureOf(member, text, []));
  return collapse([header, ...memberLines].join("\n"));
}

function contains(outer: Located, inner: Located): boolean {
  return outer.id !== inner.id && outer.start <= inner.start && outer.end >= inner.end;
}

/** Every definition the language's definitions.scm finds, with its signature; a class's signature lists its members'. */
export function parseDefinitions(
  queries: { readonly definitions: DefinitionsQuery },
  tree: { readonly rootNode: SyntaxNodeLike },
  text: string,
): Definition[] {
  const found: Array<{ name: string; definition: Located }> = [];
  for (const match of queries.definitions.matches(tree.rootNode)) {
    const name = match.captures.find((capture) => capture.name === "name")?.node.text;
    const node = match.captures.find((capture) => capture.name === "definition")?.node;
    if (name && node) found.push({ name, definition: located(node) });
  }
  return found.map(({ name, definition }) => {
    const members = found
      .map((other) => other.definition)
      .filter((other) => other.start > definition.start && other.end <= definition.end && other.id !== definition.id)
      .filter(
        (other, _, inside) =>
          !inside.some((outer) => outer.id !== other.id && outer.start < other.start && outer.end >= other.end),
      );
    const topLevel = !found.some((outer) => contains(outer.definition, definition));
    return {
      name,
      signature: signatureOf(definition, text, members),
      topLevel,
      start: definition.start,
      end: definition.end,
    };
  });
}
