import { readFile } from "node:fs/promises";
import path from "node:path";
import type { GrammarSource } from "../../core/shield/types";

/** Reads grammar .wasm files from a directory (the extension's or the CLI's grammars/ folder). */
export function fileGrammarSource(grammarDir: string): GrammarSource {
  return {
    load: async (fileName) => new Uint8Array(await readFile(path.join(grammarDir, fileName))),
  };
}
