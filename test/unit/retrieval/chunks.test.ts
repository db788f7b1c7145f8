import assert from "node:assert/strict";
import { chunkFile, maxChunkLines, type Chunk } from "../../../extension/src/core/retrieval/chunks";
import type { DefinitionsByLanguage } from "../../../extension/src/core/syntax/symbolIndex";
import { nativeTestDefinitions } from "../syntax/testRuntime";

function outline(chunks: readonly Chunk[]): string[] {
  return chunks.map(
    (chunk) => `${chunk.startLine + 1}-${chunk.endLine + 1} ${chunk.symbols.join(" in ") || "(block)"}`,
  );
}

describe("retrieval chunks (tree-sitter units)", () => {
  let definitions: DefinitionsByLanguage;
  before(async () => {
    definitions = await nativeTestDefinitions();
  });

  async function chunksOf(languageId: string, text: string): Promise<Chunk[]> {
    const found = await definitions.definitionsOf(languageId, text);
    assert.ok(found, `no ${languageId} grammar`);
    return chunkFile(text, found);
  }

  it("cuts a Python module into its imports, each function and method, and the class header", async () => {
    const text = [
      "import os",
      "from typing import Optional",
      "",
      "class TokenStore:",
      '    """Keeps the tokens of signed-in users."""',
      "    ttl = 3600",
      "",
      "    def validate(self, token: str) -> bool:",
      "        return token in self.tokens",
      "",
      "    @staticmethod",
      "    def expired(age: int) -> bool:",
      "        return age > 3600",
      "",
      "",
      "def load_store(path: str) -> Optional[TokenStore]:",
      "    return None",
      "",
      'print("ready")',
    ].join("\n");
    const chunks = await chunksOf("python", text);
    assert.deepEqual(outline(chunks), [
      "1-3 (block)",
      "4-7 TokenStore",
      "8-9 validate in TokenStore",
      "11-13 expired in TokenStore",
      "16-17 load_store",
      "18-19 (block)",
    ]);
    assert.equal(chunks[3].text, "    @staticmethod\n    def expired(age: int) -> bool:\n        return age > 3600");
  });

  it("takes a JSDoc comment into its function's chunk", async () => {
    const text = [
      'import { hash } from "./hash";',
      "",
      "/**",
      " * Checks a session token against its signature.",
      " */",
      "export function verifySession(token: string): boolean {",
      "  return hash(token) === token.slice(-8);",
      "}",
    ].join("\n");
    const chunks = await chunksOf("typescript", text);
    assert.deepEqual(outline(chunks), ["1-2 (block)", "3-8 verifySession"]);
    assert.ok(chunks[1].text.startsWith("/**\n * Checks a session token"));
  });

  it("cuts a long function into pieces that all carry its name, and skips blank stretches", () => {
    const body = Array.from({ length: maxChunkLines * 2 }, (_, line) => `  x${line} = ${line}`);
    const text = ["def long_one():", ...body, "", "", ""].join("\n");
    const chunks = chunkFile(text, [{ name: "long_one", start: 0, end: text.trimEnd().length }]);
    assert.deepEqual(
      chunks.map((chunk) => [chunk.startLine, chunk.symbols]),
      [
        [0, ["long_one"]],
        [maxChunkLines, ["long_one"]],
        [maxChunkLines * 2, ["long_one"]],
      ],
    );
    assert.ok(chunks.every((chunk) => chunk.endLine - chunk.startLine < maxChunkLines));
  });

  it("cuts a file without definitions into blocks at blank lines", () => {
    const paragraph = (word: string) => Array.from({ length: 25 }, (_, line) => `${word} ${line}`);
    const text = [...paragraph("alpha"), "", ...paragraph("beta")].join("\n");
    assert.deepEqual(outline(chunkFile(text, [])), ["1-25 (block)", "26-51 (block)"]);
    assert.deepEqual(chunkFile("\n\n   \n", []), []);
  });
});
