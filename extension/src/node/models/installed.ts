// The models folder in the extension's global storage: what is installed, what is half downloaded, what was rejected.
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { discardDownload, downloadedPathOf, partialPathOf, rejectedPathOf } from "./modelDownload";

export interface ModelFile {
  path: string;
  fileName: string;
  sizeBytes: number;
  state: "installed" | "partial" | "rejected";
}

// Suffixes after a model's ".gguf" name, longest first: a download in progress, a finished one not yet checked (both
// "partial" to the user, deleted together), and one that failed its checks.
const suffixes: readonly [string, ModelFile["state"]][] = [
  [partialPathOf(""), "partial"],
  [downloadedPathOf(""), "partial"],
  [rejectedPathOf(""), "rejected"],
];

export async function listModelFiles(directory: string): Promise<ModelFile[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const files: ModelFile[] = [];
  for (const name of names.sort()) {
    let fileName = name;
    let state: ModelFile["state"] = "installed";
    const suffix = suffixes.find(([ending]) => name.endsWith(`.gguf${ending}`));
    if (suffix !== undefined) {
      fileName = name.slice(0, -suffix[0].length);
      state = suffix[1];
    } else if (!name.endsWith(".gguf")) {
      continue;
    }
    const stats = await stat(path.join(directory, name)).catch(() => undefined);
    if (stats?.isFile()) files.push({ path: path.join(directory, name), fileName, sizeBytes: stats.size, state });
  }
  return files;
}

/** Deletes a model file; a partial download goes together with a finished but unchecked copy. */
export async function deleteModelFile(file: ModelFile): Promise<void> {
  if (file.state === "partial") await discardDownload(path.join(path.dirname(file.path), file.fileName));
  else await rm(file.path, { force: true });
}
