import type { Node, Tree } from "web-tree-sitter";
import type { ShieldLanguage } from "./types";

/**
 * The per-file symbol table: which module member each local name stands for, so a rule can match an API whatever
 * name the file gives it (`import hashlib as h`, `from Crypto.Cipher import AES`, `const { exec } =
 * require("child_process")`, `import * as cp from "node:child_process"`).
 *
 * Keys are local names; values are qualified names with "." between parts: "hashlib", "Crypto.Cipher.AES",
 * "child_process.exec"; Go keeps its import paths ("crypto/md5") and Java its class names ("java.util.Random"), which
 * `isGoPackage` and `isJavaClass` read. A language's collector only reads import statements and returns every binding it saw;
 * the engine builds the table once per parsed tree, and only when a rule asks for a name.
 *
 * To support another language, add a collector to IMPORT_COLLECTORS: a function from the tree's root node to the
 * bindings it declares. Nothing else changes: rules already ask `match.qualifiedName(node)`.
 */
export type ImportBindings = ReadonlyMap<string, string>;

type ImportCollector = (root: Node) => ImportBindings;

/** Node packages are imported as "node:fs" or "fs"; the table names them the second way. */
function moduleName(specifier: string): string {
  return specifier.replace(/^node:/, "").replace(/\//g, ".");
}

function stringText(node: Node | null | undefined): string | undefined {
  if (!node || node.type !== "string") return undefined;
  return node.text.slice(1, -1);
}

/** Python: `import a.b`, `import a.b as x`, `from a.b import c`, `from a.b import c as d`. */
function pythonImports(root: Node): ImportBindings {
  const bindings = new Map<string, string>();
  for (const statement of root.descendantsOfType(["import_statement", "import_from_statement"])) {
    if (!statement) continue;
    const from =
      statement.type === "import_from_statement" ? statement.childForFieldName("module_name")?.text : undefined;
    if (from?.startsWith(".")) continue; // the package's own modules: never a library API
    for (const imported of statement.childrenForFieldName("name")) {
      if (!imported) continue;
      const alias = imported.type === "aliased_import" ? imported.childForFieldName("alias")?.text : undefined;
      const dotted = imported.type === "aliased_import" ? imported.childForFieldName("name")?.text : imported.text;
      if (!dotted) continue;
      const qualified = from ? `${from}.${dotted}` : dotted;
      // `import os.path` binds `os`, which then resolves to itself.
      const local = alias ?? (from ? dotted : (dotted.split(".")[0] ?? dotted));
      bindings.set(local, alias || from ? qualified : local);
    }
  }
  return bindings;
}

/** The module a `require("m")` or `require("m").member` expression loads, with the member appended. */
function requiredModule(value: Node | null): string | undefined {
  if (!value) return undefined;
  if (value.type === "await_expression") return requiredModule(value.namedChildren[0] ?? null);
  if (value.type === "member_expression") {
    const base = requiredModule(value.childForFieldName("object"));
    const member = value.childForFieldName("property")?.text;
    return base && member ? `${base}.${member}` : undefined;
  }
  if (value.type !== "call_expression") return undefined;
  const callee = value.childForFieldName("function")?.text;
  if (callee !== "require" && callee !== "import") return undefined;
  const specifier = stringText(value.childForFieldName("arguments")?.namedChildren[0]);
  return specifier === undefined ? undefined : moduleName(specifier);
}

/**
 * JavaScript and TypeScript: `const x = require("m")`, `const { a, b: c } = require("m")`, `const f =
 * require("m").f`, `import x from "m"`, `import * as x from "m"`, `import { a as b } from "m"`.
 */
function javascriptImports(root: Node): ImportBindings {
  const bindings = new Map<string, string>();
  for (const declarator of root.descendantsOfType("variable_declarator")) {
    const module = requiredModule(declarator?.childForFieldName("value") ?? null);
    const name = declarator?.childForFieldName("name");
    if (!module || !name) continue;
    if (name.type === "identifier") bindings.set(name.text, module);
    else if (name.type === "object_pattern") {
      for (const property of name.namedChildren) {
        if (property?.type === "shorthand_property_identifier_pattern")
          bindings.set(property.text, `${module}.${property.text}`);
        else if (property?.type === "pair_pattern") {
          const key = property.childForFieldName("key")?.text;
          const local = property.childForFieldName("value");
          if (key && local?.type === "identifier") bindings.set(local.text, `${module}.${key}`);
        }
      }
    }
  }
  for (const statement of root.descendantsOfType("import_statement")) {
    const specifier = stringText(statement?.childForFieldName("source"));
    const clause = statement?.namedChildren.find((child) => child?.type === "import_clause");
    if (specifier === undefined || !clause) continue;
    const module = moduleName(specifier);
    for (const part of clause.namedChildren) {
      if (part?.type === "identifier") bindings.set(part.text, module);
      else if (part?.type === "namespace_import") {
        const local = part.namedChildren[0]?.text;
        if (local) bindings.set(local, module);
      } else if (part?.type === "named_imports") {
        for (const specifierNode of part.namedChildren) {
          const imported = specifierNode?.childForFieldName("name")?.text;
          const local = specifierNode?.childForFieldName("alias")?.text ?? imported;
          if (imported && local) bindings.set(local, `${module}.${imported}`);
        }
      }
    }
  }
  return bindings;
}

/** PHP: `use A\B\C;` binds C, `use A\B\C as D;` binds D, to "A.B.C". */
function phpImports(root: Node): ImportBindings {
  const bindings = new Map<string, string>();
  for (const clause of root.descendantsOfType("namespace_use_clause")) {
    const name = clause?.namedChildren.find((child) => child?.type === "qualified_name" || child?.type === "name");
    if (!clause || !name) continue;
    const qualified = name.text.replace(/^\\/, "").replace(/\\/g, ".");
    const local = clause.childForFieldName("alias")?.text ?? qualified.split(".").pop();
    if (local) bindings.set(local, qualified);
  }
  return bindings;
}

function goImportPath(spec: Node): string | undefined {
  const path = spec.childForFieldName("path")?.text;
  return path ? path.replace(/^["`]|["`]$/g, "") : undefined;
}

/**
 * `import "crypto/md5"` → md5 → crypto/md5; `import h "crypto/md5"` → h → crypto/md5. Blank (`_`) and dot imports
 * are kept under their marker with the path appended, so a rule can ask whether a package is imported for its side
 * effects (`_ "net/http/pprof"`).
 */
function goImports(root: Node): ImportBindings {
  const table = new Map<string, string>();
  for (const declaration of root.namedChildren) {
    if (declaration?.type !== "import_declaration") continue;
    for (const spec of declaration.descendantsOfType("import_spec")) {
      if (!spec) continue;
      const path = goImportPath(spec);
      if (!path) continue;
      const alias = spec.childForFieldName("name")?.text;
      // Versioned module paths (gopkg.in/yaml.v3, github.com/x/y/v2) are named by the segment before the version.
      const segments = path.split("/").filter((segment) => !/^v\d+$/.test(segment));
      const defaultName = (segments[segments.length - 1] ?? path).replace(/\.v\d+$/, "").replace(/^go-/, "");
      if (alias === "_" || alias === ".") table.set(`${alias}${path}`, path);
      else table.set(alias ?? defaultName, path);
    }
  }
  return table;
}

/**
 * `import java.util.Random;` → Random → java.util.Random; `import static java.lang.Runtime.getRuntime;` → getRuntime →
 * java.lang.Runtime.getRuntime. On-demand imports (`java.net.*`) name no class and are kept as `*java.net`.
 */
function javaImports(root: Node): ImportBindings {
  const table = new Map<string, string>();
  for (const declaration of root.namedChildren) {
    if (declaration?.type !== "import_declaration") continue;
    const name = declaration.namedChildren.find((c) => c?.type === "scoped_identifier" || c?.type === "identifier");
    if (!name) continue;
    if (declaration.namedChildren.some((c) => c?.type === "asterisk")) table.set(`*${name.text}`, name.text);
    else table.set(name.text.slice(name.text.lastIndexOf(".") + 1), name.text);
  }
  return table;
}

const IMPORT_COLLECTORS: Partial<Readonly<Record<ShieldLanguage, ImportCollector>>> = {
  python: pythonImports,
  javascript: javascriptImports,
  javascriptreact: javascriptImports,
  typescript: javascriptImports,
  typescriptreact: javascriptImports,
  php: phpImports,
  go: goImports,
  java: javaImports,
};

const NO_BINDINGS: ImportBindings = new Map();

export function collectImports(language: ShieldLanguage, root: Node): ImportBindings {
  return IMPORT_COLLECTORS[language]?.(root) ?? NO_BINDINGS;
}

/** Member access spelled with "." in every language the collectors serve; PHP's "::" and "->" read the same. */
function dottedParts(node: Node): string[] | undefined {
  switch (node.type) {
    case "identifier":
    case "name":
    case "constant":
    case "property_identifier":
      return [node.text];
    case "attribute":
    case "member_expression": {
      const object = node.childForFieldName("object");
      const member = node.childForFieldName("attribute") ?? node.childForFieldName("property");
      const head = object ? dottedParts(object) : undefined;
      return head && member ? [...head, member.text] : undefined;
    }
    case "scoped_call_expression":
    case "class_constant_access_expression":
    case "scope_resolution": {
      const scope = node.childForFieldName("scope") ?? node.namedChildren[0];
      const name = node.childForFieldName("name") ?? node.namedChildren[1];
      const head = scope ? dottedParts(scope) : undefined;
      return head && name ? [...head, name.text] : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * The qualified name an expression such as `h.md5`, `AES.new` or `exec` stands for: its first name replaced by
 * what the file imported under it. An expression that is not a plain chain of names, or whose first name was not
 * imported, reads as written.
 */
export function qualifiedName(bindings: ImportBindings, node: Node): string {
  const parts = dottedParts(node);
  if (!parts || parts.length === 0) return node.text;
  const [head, ...rest] = parts;
  const resolved = head === undefined ? undefined : bindings.get(head);
  return [resolved ?? head, ...rest].join(".");
}

const cache = new WeakMap<Tree, ImportBindings>();
const scopes = new WeakMap<Tree, readonly Node[]>();

/**
 * Reads a tree's imports from these nodes only, in document order, instead of from all of it: a whole document's
 * tree, checked around one suggestion, needs its top-level statements and the statements around the suggestion, not
 * every function body of the file walked again for each suggestion. Call before the first importsOf on the tree.
 */
export function limitImportsTo(tree: Tree, nodes: readonly Node[]): void {
  scopes.set(tree, nodes);
}

/** The import table of the file a node belongs to, read once per parse. */
export function importsOf(node: Node, language: ShieldLanguage): ImportBindings {
  let table = cache.get(node.tree);
  if (!table) {
    const scope = scopes.get(node.tree);
    table = scope
      ? new Map(scope.flatMap((part) => [...collectImports(language, part)]))
      : collectImports(language, node.tree.rootNode);
    cache.set(node.tree, table);
  }
  return table;
}

/**
 * Whether a Go package name used in code stands for one of these import paths. A fragment without its import block
 * (a completion window) is read by the conventional name, the last path segment; a file that imports something else
 * under that name is not.
 */
export function isGoPackage(name: Node, language: ShieldLanguage, paths: readonly string[]): boolean {
  const imported = importsOf(name, language).get(name.text);
  if (imported !== undefined) return paths.includes(imported);
  return paths.some((path) => path.slice(path.lastIndexOf("/") + 1) === name.text);
}

/**
 * Whether a Java simple class name stands for one of these classes: an explicit import decides; without one (the
 * same package, java.lang, a fragment) the simple name is taken at its word.
 */
export function isJavaClass(name: Node, language: ShieldLanguage, qualifiedNames: readonly string[]): boolean {
  const imported = importsOf(name, language).get(name.text);
  if (imported !== undefined) return qualifiedNames.includes(imported);
  return qualifiedNames.some((qualified) => qualified.slice(qualified.lastIndexOf(".") + 1) === name.text);
}
