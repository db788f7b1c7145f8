// What the CLI scans, found and read as a pre-commit hook or a CI job meets them: paths that vanish, FIFOs and devices
// named by mistake or malice, symbolic links (loops included), binary and oversized files. None of them may hang the
// scan, grow memory without bound, or silently drop another path's findings.
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  type Dirent,
  type Stats,
} from "node:fs";
import path from "node:path";
import { languageForFileName, type ShieldLanguage } from "../../core/shield";

/** The path that stands for standard input. */
export const STDIN_PATH = "-";

/** A file to scan, under the name it is reported by. */
export interface ScanTarget {
  readonly path: string;
  readonly language: ShieldLanguage;
}

/** A path that could not be scanned; the scan is incomplete, so the exit code says so. */
export interface PathError {
  readonly path: string;
  readonly message: string;
}

/** A path left out on purpose (a binary file, a link to a directory already scanned); named, never silent. */
export interface SkippedPath {
  readonly path: string;
  readonly reason: string;
}

export interface ScanPlan {
  readonly targets: ScanTarget[];
  readonly errors: PathError[];
  readonly skipped: SkippedPath[];
}

const SKIPPED_DIRECTORIES = new Set(["node_modules", "dist", "out", "build", "target", "vendor", "__pycache__"]);

/** What a path that is neither a file nor a directory is, for the message that refuses it. */
function kindOf(stats: Stats | Dirent): string {
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The files named on the command line, with directories expanded to the source files inside them. Symbolic links
 * are followed; each directory is entered once (by device and inode), so a link back up the tree ends the walk there
 * and is named among the skipped paths.
 */
export function planScan(
  paths: readonly string[],
  forcedLanguage: ShieldLanguage | undefined,
  stdinLanguage: ShieldLanguage | undefined,
): ScanPlan {
  const plan: ScanPlan = { targets: [], errors: [], skipped: [] };
  const enteredDirectories = new Set<string>();
  const languageOf = (file: string): ShieldLanguage | undefined => forcedLanguage ?? languageForFileName(file);

  const walk = (dir: string, stats: Stats): void => {
    const identity = `${stats.dev}:${stats.ino}`;
    if (enteredDirectories.has(identity)) {
      plan.skipped.push({
        path: dir,
        reason: "a directory already scanned, reached again through a symbolic link (a loop or an alias)",
      });
      return;
    }
    enteredDirectories.add(identity);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch (error) {
      plan.errors.push({ path: dir, message: describeError(error) });
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && !SKIPPED_DIRECTORIES.has(entry.name)) visitDirectory(full);
      } else if (entry.isSymbolicLink()) {
        visitLink(full, entry.name);
      } else if (entry.isFile()) {
        const language = languageOf(entry.name);
        if (language) plan.targets.push({ path: full, language });
      } else if (languageForFileName(entry.name)) {
        // A FIFO or device with a source file's name: reading it could block or never end.
        plan.skipped.push({ path: full, reason: `${kindOf(entry)}, not read` });
      }
    }
  };

  const visitDirectory = (dir: string): void => {
    try {
      walk(dir, statSync(dir));
    } catch (error) {
      plan.errors.push({ path: dir, message: describeError(error) });
    }
  };

  const visitLink = (link: string, name: string): void => {
    let target: Stats;
    try {
      target = statSync(link);
    } catch (error) {
      // A broken link to a source file is worth a word; one to anything else is not a source file at all.
      if (languageForFileName(name))
        plan.skipped.push({ path: link, reason: `a broken symbolic link (${describeError(error)})` });
      return;
    }
    if (target.isDirectory()) {
      if (!name.startsWith(".") && !SKIPPED_DIRECTORIES.has(name)) walk(link, target);
    } else if (target.isFile()) {
      const language = languageOf(name);
      if (language) plan.targets.push({ path: link, language });
    } else if (languageForFileName(name)) {
      plan.skipped.push({ path: link, reason: `a symbolic link to ${kindOf(target)}, not read` });
    }
  };

  for (const named of paths) {
    if (named === STDIN_PATH) {
      if (stdinLanguage) plan.targets.push({ path: STDIN_PATH, language: stdinLanguage });
      else plan.errors.push({ path: named, message: "the language of standard input is unknown; pass --language" });
      continue;
    }
    let stats: Stats;
    try {
      stats = statSync(named);
    } catch (error) {
      plan.errors.push({ path: named, message: describeError(error) });
      continue;
    }
    if (stats.isDirectory()) {
      walk(named, stats);
    } else if (!stats.isFile()) {
      plan.errors.push({ path: named, message: `${kindOf(stats)}, not a regular file: refused` });
    } else {
      const language = languageOf(named);
      if (language) plan.targets.push({ path: named, language });
      else plan.errors.push({ path: named, message: "cannot infer the language from the file name; pass --language" });
    }
  }
  return plan;
}

/** Git's test: a NUL byte among the first 8,000 bytes makes a file binary. */
const BINARY_PROBE_BYTES = 8_000;

export type SourceText =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "binary" }
  | { readonly kind: "error"; readonly message: string };

const CHUNK_BYTES = 64 * 1024;

export function tooLargeMessage(maxBytes: number): string {
  return `larger than the ${formatBytes(maxBytes)} limit (--max-file-size), not scanned`;
}

export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** Decodes what was read: binary stays unread, a UTF-8 byte-order mark is dropped. */
export function decodeSource(bytes: Buffer): SourceText {
  if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) return { kind: "binary" };
  const text = bytes.toString("utf8");
  return { kind: "text", text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/**
 * Reads a file the plan found, at most `maxBytes`. The file is opened without blocking and checked again once open,
 * so a path swapped for a FIFO or a device after planning is refused rather than read forever.
 */
export function readSourceFile(file: string, maxBytes: number): SourceText {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    return { kind: "error", message: describeError(error) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { kind: "error", message: `${kindOf(stats)}, not a regular file: refused` };
    if (stats.size > maxBytes) return { kind: "error", message: tooLargeMessage(maxBytes) };
    // The size is checked again while reading: files under /proc report 0, and a file may grow meanwhile.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, maxBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) return { kind: "error", message: tooLargeMessage(maxBytes) };
    }
    return decodeSource(Buffer.concat(chunks, total));
  } catch (error) {
    return { kind: "error", message: describeError(error) };
  } finally {
    closeSync(fd);
  }
}

/** Reads standard input up to `maxBytes`; a producer that never stops (`< /dev/zero`) is cut off there. */
export function readStandardInput(maxBytes: number): Promise<SourceText> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const input = process.stdin;
    const finish = (result: SourceText): void => {
      input.removeAllListeners("data").removeAllListeners("end").removeAllListeners("error");
      input.destroy();
      resolve(result);
    };
    input.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) finish({ kind: "error", message: tooLargeMessage(maxBytes) });
      else chunks.push(chunk);
    });
    input.on("end", () => finish(decodeSource(Buffer.concat(chunks, total))));
    input.on("error", (error) => finish({ kind: "error", message: describeError(error) }));
  });
}
