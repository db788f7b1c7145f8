import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const artifactsDir = path.join(repoRoot, "test/artifacts");
export const sampleWorkspace = path.join(repoRoot, "test/workspace");
/** What `npm start` keeps between runs, outside the repository: its copy of the sample workspace and its log. */
export const userCacheDir = path.join(os.homedir(), ".cache/llama-assist");
export const demoWorkspace = path.join(userCacheDir, "demo-workspace");
export const chromiumExecutable = "/usr/bin/chromium";
/** The extension's own id, as VS Code prefixes its status bar entries and webviews with it. */
export const extensionId = "llama-assist.llama-assist";
