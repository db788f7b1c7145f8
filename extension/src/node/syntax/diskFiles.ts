// The file system as the symbol indexer reads it (core/syntax/symbolIndex.ts's IndexerFiles), from disk.
import { readFile, stat } from "node:fs/promises";
import type { IndexerFiles } from "../../core/syntax/symbolIndex";

export const diskFiles: IndexerFiles = {
  stat: (file) =>
    stat(file).then(
      (info) => (info.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : undefined),
      () => undefined,
    ),
  read: (file) => readFile(file).catch(() => undefined),
};
