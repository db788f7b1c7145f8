import { execFile } from "node:child_process";

/** Output beyond this is cut: a diff that large would not fit a local model's context anyway. */
const maxDiffBytes = 4 * 1024 * 1024;

/**
 * `git diff HEAD` in `folder`: staged and unstaged changes of tracked files. For windows without VS Code's git
 * extension; rejects with git's own message where the folder is no repository or git is missing.
 */
export function gitDiffOfWorkingTree(folder: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["diff", "HEAD", "--no-color", "--no-ext-diff"],
      { cwd: folder, maxBuffer: maxDiffBytes, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error) reject(new Error(stderr.trim() || error.message));
        else resolve(stdout);
      },
    );
  });
}
