import path from "node:path";

/** Files that hold credentials: never read for context, whatever imports them. */
const secretFileNames = [
  /^\.env(?:\..*)?$/i,
  /\.(?:pem|key|p12|pfx|jks|keystore|crt|cer|der)$/i,
  /^id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?$/i,
  /^\.(?:npmrc|pypirc|netrc|htpasswd|pgpass)$/i,
  /^(?:credentials|secrets?)(?:\..*)?$/i,
];

/** True when any segment of the path is a secret file's name: `.env/index.ts` is as secret as `.env`. */
export function isSecretPath(filePath: string): boolean {
  return filePath.split(/[\\/]/).some((segment) => secretFileNames.some((pattern) => pattern.test(segment)));
}

const scriptExtensions = [".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs"];

function jsCandidates(directory: string, source: string): string[] {
  if (!source.startsWith(".")) return [];
  const base = path.posix.join(directory, source);
  const candidates = [
    base,
    ...scriptExtensions.map((extension) => base + extension),
    ...["index.ts", "index.tsx", "index.js"].map((index) => path.posix.join(base, index)),
  ];
  // TypeScript's ESM convention imports "./x.js" for the source file "./x.ts".
  const compiled = /\.(m|c)?js$/.exec(base);
  if (compiled)
    candidates.unshift(base.slice(0, -compiled[0].length) + ".ts", base.slice(0, -compiled[0].length) + ".tsx");
  return candidates;
}

function pythonCandidates(directory: string, source: string, roots: readonly string[]): string[] {
  const dots = /^\.*/.exec(source)?.[0].length ?? 0;
  const modulePath = source.slice(dots).split(".").filter(Boolean).join("/");
  const bases: string[] = [];
  if (dots > 0) {
    let base = directory;
    for (let level = 1; level < dots; level++) base = path.posix.dirname(base);
    bases.push(base);
  } else {
    bases.push(directory, ...roots, ...roots.map((root) => path.posix.join(root, "src")));
  }
  return bases.flatMap((base) =>
    modulePath === ""
      ? [path.posix.join(base, "__init__.py")]
      : [path.posix.join(base, `${modulePath}.py`), path.posix.join(base, modulePath, "__init__.py")],
  );
}

function relativeCandidates(
  directory: string,
  source: string,
  roots: readonly string[],
  extensions: readonly string[],
): string[] {
  const bases = [directory, ...roots];
  return bases.flatMap((base) => {
    const joined = path.posix.join(base, source);
    return [joined, ...extensions.map((extension) => joined + extension)];
  });
}

function rustCandidates(directory: string, source: string, roots: readonly string[]): string[] {
  // `mod shapes;` names a file next to this one; `crate::a::b` names one under src/.
  if (/^[A-Za-z_]\w*$/.test(source))
    return [path.posix.join(directory, `${source}.rs`), path.posix.join(directory, source, "mod.rs")];
  const crate = /^crate::(\w+)/.exec(source);
  if (!crate) return [];
  return roots.flatMap((root) => [
    path.posix.join(root, "src", `${crate[1]}.rs`),
    path.posix.join(root, "src", crate[1], "mod.rs"),
  ]);
}

/**
 * The files an import may refer to, most likely first. Only imports that name files are
 * resolved (relative JS/TS paths, Python modules, includes, requires, Rust modules); package
 * imports (Go, Java, C#) need the workspace index.
 */
export function importCandidates(
  languageId: string,
  documentPath: string,
  source: string,
  roots: readonly string[],
): string[] {
  const directory = path.posix.dirname(documentPath);
  const unquoted = source.replace(/^["']|["']$/g, "");
  let candidates: string[];
  switch (languageId) {
    case "javascript":
    case "javascriptreact":
    case "typescript":
    case "typescriptreact":
      candidates = jsCandidates(directory, unquoted);
      break;
    case "python":
      candidates = pythonCandidates(directory, unquoted, roots);
      break;
    case "c":
    case "cpp":
      candidates = relativeCandidates(
        directory,
        unquoted,
        [...roots, ...roots.map((root) => path.posix.join(root, "include"))],
        [],
      );
      break;
    case "ruby":
      candidates = relativeCandidates(
        directory,
        unquoted,
        [...roots, ...roots.map((root) => path.posix.join(root, "lib"))],
        [".rb"],
      );
      break;
    case "php":
      candidates = relativeCandidates(directory, unquoted, roots, []);
      break;
    case "shellscript":
      candidates = relativeCandidates(directory, unquoted, roots, []);
      break;
    case "rust":
      candidates = rustCandidates(directory, unquoted, roots);
      break;
    default:
      candidates = [];
  }
  return [...new Set(candidates)].filter((candidate) => candidate !== documentPath && !isSecretPath(candidate));
}

const languageByExtension: Readonly<Record<string, string>> = {
  ".py": "python",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascriptreact",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "typescriptreact",
  ".java": "java",
  ".c": "c",
  ".h": "c",
  ".cc": "cpp",
  ".cpp": "cpp",
  ".cxx": "cpp",
  ".hpp": "cpp",
  ".hh": "cpp",
  ".cs": "csharp",
  ".go": "go",
  ".rs": "rust",
  ".php": "php",
  ".rb": "ruby",
  ".sh": "shellscript",
  ".bash": "shellscript",
};

/** File extensions (with the dot) of the languages that have a grammar. */
export const sourceFileExtensions: readonly string[] = Object.keys(languageByExtension);

/** The language of an imported file; a header included from C++ is parsed as C++. */
export function languageOfPath(filePath: string, importingLanguageId: string): string | undefined {
  const extension = path.posix.extname(filePath).toLowerCase();
  if (extension === ".h" && importingLanguageId === "cpp") return "cpp";
  if (extension === "" && importingLanguageId === "shellscript") return "shellscript";
  return languageByExtension[extension];
}
