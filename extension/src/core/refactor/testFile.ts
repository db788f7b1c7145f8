import path from "node:path";

/**
 * Where generated tests go: next to the source, named the way the language's tools look for tests. `exists` lets the
 * caller avoid overwriting a test file that is already there by numbering the new one.
 */
export function testFilePath(sourcePath: string, languageId: string, exists: (candidate: string) => boolean): string {
  const directory = path.dirname(sourcePath);
  const extension = path.extname(sourcePath);
  const stem = path.basename(sourcePath, extension);
  const named = (suffix: string): string => path.join(directory, testFileName(stem, extension, languageId, suffix));
  for (let attempt = 1; ; attempt++) {
    const candidate = named(attempt === 1 ? "" : String(attempt));
    if (!exists(candidate)) return candidate;
  }
}

function testFileName(stem: string, extension: string, languageId: string, suffix: string): string {
  const capitalised = stem.charAt(0).toUpperCase() + stem.slice(1);
  switch (languageId) {
    case "python":
      return `test_${stem}${suffix}${extension}`;
    case "go":
      return `${stem}${suffix}_test${extension}`;
    case "rust":
      return `${stem}${suffix}_test${extension}`;
    case "java":
    case "php":
      return `${capitalised}${suffix}Test${extension}`;
    case "csharp":
      return `${capitalised}${suffix}Tests${extension}`;
    case "ruby":
      return `${stem}${suffix}_spec${extension}`;
    case "shellscript":
      return `${stem}${suffix}.bats`;
    case "c":
    case "cpp":
      return `test_${stem}${suffix}${extension}`;
    default:
      return `${stem}${suffix}.test${extension}`;
  }
}
