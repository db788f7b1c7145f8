import type { Node, Tree } from "web-tree-sitter";
import type { ShieldLanguage } from "./types";

/** A file's imports: the name code uses locally → the qualified name it stands for. */
export type ImportTable = ReadonlyMap<string, string>;

const EMPTY: ImportTable = new Map();

function goImportPath(spec: Node): string | undefined {
  const path = spec.childForFieldName("path")?.text;
  return path ? path.replace(/^["`]|["`]$/g, "") : undefined;
}

/**
 * `import "crypto/md5"` → md5 → crypto/md5; `import h "crypto/md5"` → h → crypto/md5. Blank (`_`) and dot imports
 * are kept under their marker with the path appended, so a rule can ask whether a package is imported for its side
 * effects (`_ "net/http/pprof"`).
 */
function goImports(root: Node): Map<string, string> {
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
function javaImports(root: Node): Map<string, string> {
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

const READERS: Partial<Record<ShieldLanguage, (root: Node) => Map<string, string>>> = {
  go: goImports,
  java: javaImports,
};

const cache = new WeakMap<Tree, ImportTable>();

/** The import table of the file a node belongs to, read once per parse. */
export function importsOf(node: Node, language: ShieldLanguage): ImportTable {
  const reader = READERS[language];
  if (!reader) return EMPTY;
  let table = cache.get(node.tree);
  if (!table) {
    table = reader(node.tree.rootNode);
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
