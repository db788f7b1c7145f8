// What a link in an answer may do. The webview never follows links itself; the extension asks this first.

export type LinkDecision =
  | { kind: "external"; url: string }
  | { kind: "file"; path: string; line?: number }
  | { kind: "refuse"; reason: string };

const schemePattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const lineFragment = /#L?(\d+)(?:-L?\d+)?$/;

export function classifyLink(href: string): LinkDecision {
  // Browsers ignore whitespace and control characters inside a scheme ("java\tscript:"), so the check must too.
  const compact = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, "");
  if (compact === "" || compact.startsWith("#")) return { kind: "refuse", reason: "The link points nowhere." };
  const scheme = schemePattern.exec(compact)?.[1]?.toLowerCase();
  // One letter before a colon is a Windows drive ("C:\src"), not a scheme.
  if (scheme !== undefined && scheme.length > 1) {
    if (scheme === "http" || scheme === "https") {
      try {
        return { kind: "external", url: new URL(compact).toString() };
      } catch {
        return { kind: "refuse", reason: "The link is not a valid web address." };
      }
    }
    if (scheme === "file") {
      try {
        const url = new URL(compact);
        return withLine(decodeURIComponent(url.pathname), url.hash);
      } catch {
        return { kind: "refuse", reason: "The link is not a valid file address." };
      }
    }
    return { kind: "refuse", reason: `Links with the "${scheme}:" scheme are not opened.` };
  }
  const fragment = lineFragment.exec(href.trim());
  const pathPart = href.trim().replace(/#.*$/, "");
  if (pathPart === "") return { kind: "refuse", reason: "The link points nowhere." };
  return withLine(safeDecode(pathPart), fragment === null ? "" : `#L${fragment[1]}`);
}

function withLine(path: string, hash: string): LinkDecision {
  const match = lineFragment.exec(hash);
  return match === null ? { kind: "file", path } : { kind: "file", path, line: Number(match[1]) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
