// How code and questions about code are cut into search terms: identifiers are kept whole and also split at
// camelCase and snake_case boundaries, so "where is the token validated" finds validateToken and validate_token.

const wordPattern = /[A-Za-z0-9_$]+/g;

/** Words too common in prose or code to tell one chunk from another. */
const stopWords: ReadonlySet<string> = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "by",
  "do",
  "does",
  "for",
  "from",
  "how",
  "if",
  "in",
  "into",
  "is",
  "it",
  "its",
  "of",
  "on",
  "or",
  "that",
  "the",
  "this",
  "to",
  "var",
  "let",
  "const",
  "was",
  "we",
  "what",
  "when",
  "where",
  "which",
  "with",
]);

function splitIdentifier(identifier: string): string[] {
  return identifier
    .split(/[_$]+/)
    .flatMap((part) =>
      part
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
        .split(" "),
    )
    .filter((part) => part !== "");
}

/** The words of a text, identifiers whole and in parts, in their original case. */
export function codeWords(text: string): string[] {
  const words: string[] = [];
  for (const word of text.match(wordPattern) ?? []) {
    const parts = splitIdentifier(word);
    if (parts.length > 1) words.push(word.replace(/^[_$]+|[_$]+$/g, ""));
    words.push(...parts);
  }
  return words;
}

/**
 * A word as the index stores it: lower case, plural and verb endings folded ("returns", "returned", "returning" all
 * become "return"), stop words and single characters dropped (null).
 */
export function searchTerm(word: string): string | null {
  const lower = word.toLowerCase();
  if (lower.length < 2 || stopWords.has(lower) || /^\d+$/.test(lower)) return null;
  return fold(lower);
}

function fold(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(sh|ch|x|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("ing") && word.length > 6) return undouble(word.slice(0, -3));
  if (word.endsWith("ed") && word.length > 5) return undouble(word.slice(0, -2));
  if (word.endsWith("s")) return word.slice(0, -1);
  return word;
}

/** "mapped" and "mapping" fold to "map", not "mapp". */
function undouble(stem: string): string {
  return /([b-df-hj-np-tv-z])\1$/.test(stem) && !/(ll|ss|ff|zz)$/.test(stem) ? stem.slice(0, -1) : stem;
}
