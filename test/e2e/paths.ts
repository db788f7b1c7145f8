import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const artifactsDir = path.join(repoRoot, "test/artifacts");
export const sampleWorkspace = path.join(repoRoot, "test/workspace");
/** Where `npm start` keeps its copy of the sample workspace, so a user's edits stay out of the repository. */
export const demoWorkspace = path.join(repoRoot, ".cache/demo-workspace");
export const chromiumExecutable = "/usr/bin/chromium";
/** The extension's own id, as VS Code prefixes its status bar entries and webviews with it. */
export const extensionId = "llama-assist.llama-assist";
