import { spawn } from "node:child_process";
import { repoRoot } from "./paths";

/** `npm run build`, with its output passed through. */
export function buildExtension(): Promise<void> {
  return new Promise((resolve, reject) => {
    const build = spawn("npm", ["run", "--silent", "build"], { cwd: repoRoot, stdio: "inherit" });
    build.on("error", reject);
    build.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build failed with exit code ${String(code)}`)),
    );
  });
}
