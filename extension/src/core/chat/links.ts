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

/**
 * Where a file link leads, as a URI path ("/home/me/x.ts", "/c:/src/x.ts"): inside one of the workspace folders, or
 * outside all of them, which the adapter opens only after asking. `folder` is the index of the folder whose file
 * system the path is on: the one a relative link was resolved in, or the one an absolute path lies within.
 */
export interface FileLinkTarget {
  path: string;
  inside: boolean;
  folder?: number;
}

const drivePath = /^\/?[a-zA-Z]:\//;

/**
 * The places a file link may name, each resolved (".." and "." applied, backslashes as slashes) and checked against
 * the workspace folders, given as URI paths. A relative link is tried in each folder; an absolute one is itself.
 * An answer may name "/etc/passwd" or "../../../.ssh/id_rsa": resolving first keeps ".." from climbing out unseen.
 */
export function fileLinkTargets(linkPath: string, folderPaths: readonly string[]): FileLinkTarget[] {
  const path = linkPath.replace(/\\/g, "/");
  const folders = folderPaths.map(resolvePath);
  const within = (target: string) => folders.findIndex((folder) => isWithin(target, folder));
  if (path.startsWith("/") || drivePath.test(path)) {
    const target = resolvePath(path.startsWith("/") ? path : `/${path}`);
    const folder = within(target);
    return [folder < 0 ? { path: target, inside: false } : { path: target, inside: true, folder }];
  }
  return folders.map((folder, index) => {
    const target = resolvePath(`${folder}/${path}`);
    return { path: target, inside: within(target) >= 0, folder: index };
  });
}
/** An absolute URI path with "." and ".." applied; ".." at the root stays there, as in URL resolution. */
function resolvePath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      // A Windows drive is the root of its path.
      if (segments.length > 1 || (segments.length === 1 && !/^[a-zA-Z]:$/.test(segments[0]))) segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

function isWithin(target: string, folder: string): boolean {
  // Drive letters and Windows paths compare without case; elsewhere case matters.
  const windows = drivePath.test(folder);
  const [a, b] = windows ? [target.toLowerCase(), folder.toLowerCase()] : [target, folder];
  return a === b || a.startsWith(b === "/" ? "/" : `${b}/`);
}
