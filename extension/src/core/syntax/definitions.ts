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
  matches(node: SyntaxNodeLike): ReadonlyArray<{ readonly captures: ReadonlyArray<{ readonly name: string; readonly node: SyntaxNodeLike }> }>;
}

export interface Definition {
  name: string;
  signature: string;
  /** Not inside another definition: what the workspace index keeps of a file. */
  topLevel: boolean;
}

const maxSignatureLines = 12;
/** Declarations that are their own signature: a struct's fields or an interface's members are what the model needs. */
const declarationType = /struct|enum|interface|type_alias|type_definition|type_item|type_spec|type_declaration|record|union|trait_item|alias_declaration/;

function collapse(text: string): string {
  const lines = text.split("\n");
  return lines.length <= maxSignatureLines ? text : [...lines.slice(0, maxSignatureLines), "…"].join("\n");
}

function indentationOf(node: SyntaxNodeLike, text: string): string {
  const lineStart = text.lastIndexOf("\n", node.startIndex - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, node.startIndex))?.[0] ?? "";
}

/** The part of a definition a caller needs: its header without the body, or a short declaration whole. */
function signatureOf(node: SyntaxNodeLike, text: string, members: readonly SyntaxNodeLike[]): string {
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

function contains(outer: SyntaxNodeLike, inner: SyntaxNodeLike): boolean {
  return outer.id !== inner.id && outer.startIndex <= inner.startIndex && outer.endIndex >= inner.endIndex;
}

/** Every definition the language's definitions.scm finds, with its signature; a class's signature lists its members'. */
export function parseDefinitions(queries: { readonly definitions: DefinitionsQuery }, tree: { readonly rootNode: SyntaxNodeLike }, text: string): Definition[] {
  const found: Array<{ name: string; node: SyntaxNodeLike }> = [];
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
    const topLevel = !found.some((outer) => contains(outer.node, node));
    return { name, signature: signatureOf(node, text, members), topLevel };
  });
}
