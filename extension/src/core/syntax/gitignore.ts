import path from "node:path";

export interface GitignoreRule {
  /** The folder of the .gitignore the rule came from, as an absolute POSIX path without a trailing slash. */
  base: string;
  pattern: RegExp;
  negated: boolean;
  directoryOnly: boolean;
}

/** A gitignore glob as a regular expression over a path relative to the .gitignore's folder. */
function globToRegExp(glob: string, anchored: boolean): RegExp {
  let source = "";
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index];
    if (char === "*" && glob[index + 1] === "*") {
      const slashAfter = glob[index + 2] === "/";
      source += slashAfter ? "(?:.*/)?" : ".*";
      index += slashAfter ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else if (char === "[") {
      const close = glob.indexOf("]", index + 1);
      if (close < 0) source += "\\[";
      else {
        source += `[${glob
          .slice(index + 1, close)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        index = close;
      }
    } else if (char === "\\" && index + 1 < glob.length) source += `\\${glob[++index]}`;
    else source += char.replace(/[.+^${}()|\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${anchored ? "" : "(?:.*/)?"}${source}$`);
}

/** The rules of one .gitignore file; comments, blank lines and malformed patterns are skipped. */
export function parseGitignore(text: string, base: string): GitignoreRule[] {
  const rules: GitignoreRule[] = [];
  const normalizedBase = base.replace(/\/+$/, "");
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    if (negated) line = line.slice(1);
    const directoryOnly = line.endsWith("/");
    if (directoryOnly) line = line.replace(/\/+$/, "");
    // A slash anywhere but at the end ties the pattern to the .gitignore's folder.
    const anchored = line.includes("/");
    line = line.replace(/^\//, "");
    if (line === "") continue;
    try {
      rules.push({ base: normalizedBase, pattern: globToRegExp(line, anchored), negated, directoryOnly });
    } catch {
      continue;
    }
  }
  return rules;
}

/**
 * Decides like git whether a path is ignored: later rules win, deeper .gitignore files come
 * later, and nothing inside an ignored folder can be re-included.
 */
export class IgnoreRules {
  private readonly rules: GitignoreRule[] = [];

  /** Add the rules of a .gitignore; add outer folders' files before inner ones. */
  add(rules: readonly GitignoreRule[]): void {
    this.rules.push(...rules);
  }

  ignores(filePath: string): boolean {
    const parts = filePath.split("/");
    for (let end = 2; end <= parts.length; end++) {
      const prefix = parts.slice(0, end).join("/");
      if (this.matches(prefix, end < parts.length)) return true;
    }
    return false;
  }

  private matches(candidate: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const rule of this.rules) {
      if (rule.directoryOnly && !isDirectory) continue;
      if (!candidate.startsWith(`${rule.base}/`)) continue;
      if (rule.pattern.test(path.posix.relative(rule.base, candidate))) ignored = !rule.negated;
    }
    return ignored;
  }
}
