import type { Tree } from "web-tree-sitter";
import { isCodeLanguage, type CodeLanguage } from "../config/codeLanguages";
import { enclosingClass, type OffsetRange } from "./target";

/** What the model sees around the target but must not rewrite. */
export interface SurroundingContext {
  /** The file's import lines, in order. */
  imports: string[];
  /** The first line of the class that holds the target, e.g. "class Cart(Base):". */
  enclosingClassHeader?: string;
  /** Signatures of symbols the target uses that other files define (the completions' definition context). */
  definitions?: readonly DefinitionSnippet[];
}

export interface DefinitionSnippet {
  /** Workspace-relative or absolute path of the file that defines it. */
  path: string;
  text: string;
}

const importTypes: Readonly<Record<CodeLanguage, readonly string[]>> = {
  python: ["import_statement", "import_from_statement", "future_import_statement"],
  javascript: ["import_statement"],
  javascriptreact: ["import_statement"],
  typescript: ["import_statement"],
  typescriptreact: ["import_statement"],
  java: ["package_declaration", "import_declaration"],
  c: ["preproc_include"],
  cpp: ["preproc_include", "using_declaration"],
  csharp: ["using_directive"],
  go: ["package_clause", "import_declaration"],
  rust: ["use_declaration"],
  php: ["namespace_use_declaration"],
  ruby: [],
  shellscript: [],
};

/** Imports beyond this are dropped: they feed the prompt, which has a budget. */
const maxImportLines = 40;

export function surroundingContext(
  tree: Tree,
  languageId: string,
  text: string,
  target: OffsetRange,
): SurroundingContext {
  if (!isCodeLanguage(languageId)) return { imports: [] };
  const wanted = importTypes[languageId];
  const imports: string[] = [];
  for (const child of tree.rootNode.children) {
    if (child === null || !wanted.includes(child.type)) continue;
    // An import inside the target is already in the prompt.
    if (child.startIndex >= target.start && child.endIndex <= target.end) continue;
    imports.push(...text.slice(child.startIndex, child.endIndex).split(/\r?\n/));
    if (imports.length >= maxImportLines) break;
  }
  const holder = enclosingClass(tree, languageId, target);
  const headerEnd = holder === undefined ? -1 : text.indexOf("\n", holder.startIndex);
  const enclosingClassHeader =
    holder === undefined
      ? undefined
      : text
          .slice(holder.startIndex, headerEnd < 0 || headerEnd > holder.endIndex ? holder.endIndex : headerEnd)
          .trimEnd();
  return {
    imports: imports.slice(0, maxImportLines),
    ...(enclosingClassHeader !== undefined ? { enclosingClassHeader } : {}),
  };
}
