import { spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./paths";
import { timed } from "./phases";

let installed: Promise<string> | undefined;

/** The code-server executable, installing it on first use in this process. */
export function codeServerExecutable(): Promise<string> {
  installed ??= timed("install (apt packages, code-server)", installCodeServer);
  return installed;
}

/**
 * Runs .ci/install-e2e.sh (quick when everything is there) and returns the code-server executable.
 * Its progress goes straight to our stderr so a first install does not look like a hang.
 */
export function installCodeServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    const installer = spawn("bash", [path.join(repoRoot, ".ci/install-e2e.sh")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    installer.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    installer.on("error", reject);
    installer.on("close", (code) => {
      const executable = stdout.trim().split("\n").at(-1);
      if (code === 0 && executable) resolve(executable);
      else reject(new Error(`.ci/install-e2e.sh failed with exit code ${String(code)}`));
    });
  });
}
