import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { codeLanguages, type CodeLanguage } from "../../../extension/src/core/config/codeLanguages";
import { nativeOrFallback } from "../../../extension/src/node/syntax/nativeDefinitions";
import {
  DefinitionsByLanguage,
  SymbolIndexer,
  type IndexerFiles,
  type LanguageDefinitions,
} from "../../../extension/src/core/syntax/symbolIndex";
import { WasmDefinitions } from "../../../extension/src/core/syntax/wasmDefinitions";
import { grammarDirectory, nativeTestDefinitions } from "./testRuntime";

const polyglot = path.resolve(__dirname, "workspace/polyglot");

/** One fixture file per language, each opening with non-ASCII text, and the top-level names the index must keep. */
const samples: Readonly<Record<CodeLanguage, { file: string; topLevel: string[] }>> = {
  python: { file: "geometry.py", topLevel: ["Triangle", "hypotenuse"] },
  javascript: { file: "cart.js", topLevel: ["ShoppingCart", "cartTotal"] },
  javascriptreact: { file: "button.jsx", topLevel: ["FancyButton"] },
  typescript: { file: "ledger.ts", topLevel: ["LedgerEntry", "Ledger", "ledgerBalance"] },
  typescriptreact: { file: "panel.tsx", topLevel: ["PanelProps", "SidePanel"] },
  java: { file: "Inventory.java", topLevel: ["Inventory"] },
  c: { file: "vector.c", topLevel: ["vec2", "vec2_dot"] },
  cpp: { file: "matrix.cpp", topLevel: ["Matrix", "matrixTrace"] },
  csharp: { file: "Invoice.cs", topLevel: ["Invoice"] },
  go: { file: "server.go", topLevel: ["HealthServer", "Address", "StartHealthServer"] },
  rust: { file: "shapes.rs", topLevel: ["Hexagon", "Tiling", "hexagon_area"] },
  php: { file: "page.php", topLevel: ["PageRenderer", "slugify_title"] },
  ruby: { file: "account.rb", topLevel: ["BankAccount", "format_balance"] },
  shellscript: { file: "deploy.sh", topLevel: ["DEPLOY_TARGET", "deploy_release"] },
};

describe("native tree-sitter definitions (the symbol index worker's parser)", () => {
  let wasm: WasmDefinitions;
  before(() => {
    wasm = new WasmDefinitions({ load: (file) => readFile(path.join(grammarDirectory, file)) });
  });
  after(() => wasm.dispose());

  for (const languageId of codeLanguages) {
    it(`${languageId}: finds what web-tree-sitter finds, with the same signatures`, async () => {
      const { file, topLevel } = samples[languageId];
      const text = await readFile(path.join(polyglot, file), "utf8");
      const native = await (await nativeTestDefinitions()).definitionsOf(languageId, text);
      assert.ok(native, `no native grammar for ${languageId}`);
      assert.deepEqual(
        native.filter((definition) => definition.topLevel).map((definition) => definition.name),
        topLevel,
      );
      assert.deepEqual(native, (await wasm.load(languageId)).definitionsOf(text));
    });
  }

  it("keeps a class's member signatures after non-ASCII text (offsets count UTF-16 units, not bytes)", async () => {
    const text = await readFile(path.join(polyglot, "geometry.py"), "utf8");
    const definitions = (await (await nativeTestDefinitions()).definitionsOf("python", text)) ?? [];
    assert.equal(
      definitions.find((definition) => definition.name === "Triangle")?.signature,
      "class Triangle:\n    def __init__(self, base: float, height: float) -> None:\n    def surface(self) -> float:",
    );
    assert.equal(
      definitions.find((definition) => definition.name === "hypotenuse")?.signature,
      "def hypotenuse(a: float, b: float) -> float:",
    );
  });
});

describe("definitions by language", () => {
  const fakeGrammar = (languageId: CodeLanguage): LanguageDefinitions => ({
    definitionsOf: (text) => [
      { name: `${languageId}:${text}`, signature: text, topLevel: true, start: 0, end: text.length },
    ],
  });

  it("skips a language whose grammar fails to load, says so once, and goes on with the others", async () => {
    const failures: string[] = [];
    const loads: CodeLanguage[] = [];
    const parser = new DefinitionsByLanguage(
      async (languageId) => {
        loads.push(languageId);
        if (languageId === "rust") throw new Error("tree-sitter-rust.node: invalid ELF header");
        return fakeGrammar(languageId);
      },
      (languageId, error) => failures.push(`${languageId}: ${error instanceof Error ? error.message : String(error)}`),
    );
    assert.equal(await parser.definitionsOf("rust", "fn a() {}"), undefined);
    assert.equal(await parser.definitionsOf("rust", "fn b() {}"), undefined);
    assert.deepEqual(await parser.definitionsOf("python", "area"), [
      { name: "python:area", signature: "area", topLevel: true, start: 0, end: 4 },
    ]);
    assert.equal(await parser.definitionsOf("markdown", "# notes"), undefined);
    assert.deepEqual(failures, ["rust: tree-sitter-rust.node: invalid ELF header"]);
    assert.deepEqual(loads, ["rust", "python"], "a failed grammar is not loaded again");
  });

  it("loads a grammar once for the languages that share it", async () => {
    const loads: CodeLanguage[] = [];
    const parser = new DefinitionsByLanguage(
      async (languageId) => {
        loads.push(languageId);
        return fakeGrammar(languageId);
      },
      () => assert.fail("no grammar fails here"),
    );
    await Promise.all([
      parser.definitionsOf("javascript", "a"),
      parser.definitionsOf("javascriptreact", "b"),
      parser.definitionsOf("javascript", "c"),
    ]);
    await parser.definitionsOf("typescript", "d");
    await parser.definitionsOf("typescriptreact", "e");
    assert.deepEqual(loads, ["javascript", "typescript", "typescriptreact"]);
  });

  it("leaves the files of a language without a grammar out of the index, and indexes the rest", async () => {
    const parser = new DefinitionsByLanguage(
      async (languageId) => {
        if (languageId === "rust") throw new Error("no binding");
        return fakeGrammar(languageId);
      },
      () => undefined,
    );
    const texts = new Map([
      ["/w/src/lib.rs", "fn area() {}"],
      ["/w/app.py", "area"],
    ]);
    const files: IndexerFiles = {
      stat: async (file) => {
        const text = texts.get(file);
        return text === undefined ? undefined : { size: text.length, mtimeMs: 1 };
      },
      read: async (file) => (texts.has(file) ? new TextEncoder().encode(texts.get(file)) : undefined),
    };
    const indexer = new SymbolIndexer(parser, files, ["/w"]);
    assert.deepEqual(await indexer.indexFile("/w/src/lib.rs"), { indexed: false, reason: "noGrammar" });
    assert.deepEqual(await indexer.indexFile("/w/app.py"), {
      indexed: true,
      stamp: { size: 4, mtimeMs: 1 },
      symbols: [{ name: "python:area", signature: "area" }],
      chunks: [{ startLine: 0, endLine: 0, symbols: ["python:area"], text: "area" }],
    });
  });
});

describe("native definitions, or web-tree-sitter's where they do not load", () => {
  const grammarOf =
    (parsedBy: string) =>
    (languageId: CodeLanguage): LanguageDefinitions => ({
      definitionsOf: (text) => [
        { name: `${parsedBy} ${languageId}`, signature: text, topLevel: true, start: 0, end: text.length },
      ],
    });

  it("uses the fallback for every language, and says so once, when tree-sitter itself does not load", async () => {
    const told: string[] = [];
    const load = await nativeOrFallback(
      async () => {
        throw new Error("No native build was found for platform=darwin arch=arm64");
      },
      async (languageId) => grammarOf("wasm")(languageId),
      (message) => told.push(message),
    );
    assert.equal((await load("python")).definitionsOf("a")[0].name, "wasm python");
    assert.equal((await load("rust")).definitionsOf("b")[0].name, "wasm rust");
    assert.deepEqual(told, [
      "native tree-sitter did not load (No native build was found for platform=darwin arch=arm64), so every file is parsed with web-tree-sitter, which is slower",
    ]);
  });

  it("uses the fallback only for a language whose native binding does not load, and names it", async () => {
    const told: string[] = [];
    const load = await nativeOrFallback(
      async () => async (languageId) => {
        if (languageId === "csharp") throw new Error("tree-sitter-c-sharp.node: invalid ELF header");
        return grammarOf("native")(languageId);
      },
      async (languageId) => grammarOf("wasm")(languageId),
      (message) => told.push(message),
    );
    assert.equal((await load("python")).definitionsOf("a")[0].name, "native python");
    assert.equal((await load("csharp")).definitionsOf("b")[0].name, "wasm csharp");
    assert.deepEqual(told, [
      "the native csharp grammar did not load (tree-sitter-c-sharp.node: invalid ELF header), so csharp files are parsed with web-tree-sitter, which is slower",
    ]);
  });

  it("fails a language that neither loader can load", async () => {
    const load = await nativeOrFallback(
      async () => async () => {
        throw new Error("native: missing");
      },
      async () => {
        throw new Error("wasm: missing");
      },
      () => undefined,
    );
    await assert.rejects(load("go"), /wasm: missing/);
  });
});
