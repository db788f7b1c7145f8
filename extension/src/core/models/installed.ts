// The models folder in the extension's global storage: what is installed, what is half downloaded, what was rejected.
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { discardPartial } from "./httpDownload";

export interface ModelFile {
  path: string;
  fileName: string;
  sizeBytes: number;
  state: "installed" | "partial" | "rejected";
}

const partialSuffix = ".gguf.partial";
const rejectedSuffix = ".gguf.rejected";

export async function listModelFiles(directory: string): Promise<ModelFile[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const files: ModelFile[] = [];
  for (const name of names.sort()) {
    let fileName: string;
    let state: ModelFile["state"];
    if (name.endsWith(".gguf")) {
      fileName = name;
      state = "installed";
    } else if (name.endsWith(partialSuffix)) {
      fileName = name.slice(0, -".partial".length);
      state = "partial";
    } else if (name.endsWith(rejectedSuffix)) {
      fileName = name.slice(0, -".rejected".length);
      state = "rejected";
    } else {
      continue;
    }
    const stats = await stat(path.join(directory, name)).catch(() => undefined);
    if (stats?.isFile()) files.push({ path: path.join(directory, name), fileName, sizeBytes: stats.size, state });
  }
  return files;
}

/** Deletes a model file; a partial download goes with its resume record. */
export async function deleteModelFile(file: ModelFile): Promise<void> {
  if (file.state === "partial") await discardPartial(path.join(path.dirname(file.path), file.fileName));
  else await rm(file.path, { force: true });
}
