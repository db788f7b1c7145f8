import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildPromptPieces, defaultPromptBudget } from "../../../extension/src/core/completion/prompt";
import { fitInfillContextEstimated } from "../../../extension/src/core/completion/promptFit";
import { DefinitionContext } from "../../../extension/src/core/syntax/definitionContext";
import { IgnoreRules, parseGitignore } from "../../../extension/src/core/syntax/gitignore";
import { QueryStore } from "../../../extension/src/core/syntax/queries";
import {
  excludeGlob,
  looksBinary,
  maxIndexedFileBytes,
  SymbolIndexer,
  sourceFilesGlob,
  WorkspaceSymbolIndex,
} from "../../../extension/src/core/syntax/symbolIndex";
import { diskFiles } from "../../../extension/src/node/syntax/diskFiles";
import {
  grammar,
  grammarDirectory,
  inProcessImportedDefinitions,
  nativeTestDefinitions,
  testRuntime,
} from "./testRuntime";

const workspace = path.resolve(__dirname, "workspace").replace(/\\/g, "/");

describe("gitignore rules", () => {
  function ignores(gitignore: string, file: string, base = "/w"): boolean {
    const rules = new IgnoreRules();
    rules.add(parseGitignore(gitignore, base));
    return rules.ignores(file);
  }

  it("matches names at any depth, and anchored patterns only from their folder", () => {
    assert.ok(ignores("*.log", "/w/a/b/debug.log"));
    assert.ok(!ignores("*.log", "/w/a/b/debug.py"));
    assert.ok(ignores("/build", "/w/build/x.py"));
    assert.ok(!ignores("/build", "/w/src/build/x.py"));
    assert.ok(ignores("src/gen", "/w/src/gen/x.py"));
    assert.ok(!ignores("src/gen", "/w/lib/src/gen/x.py"));
  });

  it("treats a trailing slash as folders only, and ** across folders", () => {
    assert.ok(ignores("out/", "/w/a/out/x.ts"));
    assert.ok(!ignores("out/", "/w/a/out"), "a file named out is not a folder");
    assert.ok(ignores("docs/**/*.py", "/w/docs/a/b/c.py"));
    assert.ok(ignores("docs/**/*.py", "/w/docs/c.py"));
    assert.ok(!ignores("docs/**/*.py", "/w/src/docs/c.py"));
  });

  it("lets a later negation re-include a file but never one inside an ignored folder", () => {
    assert.ok(!ignores("*.tmp.py\n!keep.tmp.py", "/w/keep.tmp.py"));
    assert.ok(ignores("*.tmp.py\n!keep.tmp.py", "/w/other.tmp.py"));
    assert.ok(ignores("gen/\n!gen/keep.py", "/w/gen/keep.py"));
  });

  it("skips comments and blank lines, and scopes rules to the .gitignore's folder", () => {
    assert.ok(!ignores("# *.py\n\n", "/w/a.py"));
    assert.ok(!ignores("*.py", "/elsewhere/a.py"));
    assert.ok(ignores("[ab].py", "/w/a.py") && !ignores("[ab].py", "/w/c.py"));
  });
});

describe("workspace symbol index", () => {
  it("builds a findFiles exclude that keeps files.exclude and leaves out dependency folders", () => {
    const glob = excludeGlob({
      "**/.git": true,
      "**/*.gen.ts": true,
      "**/off": false,
      "**/when": { when: "$(basename).ts" },
    });
    assert.match(glob, /^\{.*\}$/);
    assert.ok(glob.includes("**/*.gen.ts") && glob.includes("**/node_modules/**"));
    assert.ok(!glob.includes("**/off") && !glob.includes("**/when"));
    assert.match(sourceFilesGlob(), /^\*\*\/\*\.\{.*\bpy\b.*\bts\b.*\brs\b.*\}$/);
  });

  it("tells binary files by a NUL byte near the start", () => {
    assert.ok(looksBinary(new Uint8Array([100, 101, 0, 102])));
    assert.ok(!looksBinary(new TextEncoder().encode("def f():\n    return 1\n")));
  });

  it("finds symbols by name, replaces a file's symbols on update and forgets removed files", () => {
    const index = new WorkspaceSymbolIndex();
    index.setFile("/w/a.py", [{ name: "area", signature: "def area(s):" }]);
    index.setFile("/w/b.py", [
      { name: "area", signature: "def area(s, t):" },
      { name: "volume", signature: "def volume(s):" },
    ]);
    assert.deepEqual(
      index
        .lookup("area")
        .map((symbol) => symbol.path)
        .sort(),
      ["/w/a.py", "/w/b.py"],
    );
    index.setFile("/w/b.py", [{ name: "volume", signature: "def volume(s, scale):" }]);
    assert.deepEqual(
      index.lookup("area").map((symbol) => symbol.path),
      ["/w/a.py"],
    );
    assert.equal(index.lookup("volume")[0].signature, "def volume(s, scale):");
    index.removeFile("/w/a.py");
    assert.deepEqual(index.lookup("area"), []);
    assert.equal(index.fileCount, 1);
  });

  describe("indexer on the fixture workspace", () => {
    let indexer: SymbolIndexer;

    before(async () => {
      indexer = new SymbolIndexer(await nativeTestDefinitions(), diskFiles, [workspace]);
    });

    it("keeps top-level definitions with their signatures, a class summed up by its members", async () => {
      const verdict = await indexer.indexFile(`${workspace}/lib/geometry.py`);
      assert.ok(verdict.indexed);
      assert.deepEqual(
        verdict.symbols.map((symbol) => symbol.name),
        ["Shape", "polygon_area"],
      );
      const area = verdict.symbols.find((symbol) => symbol.name === "polygon_area");
      assert.equal(area?.signature, "def polygon_area(shape: Shape, length: float) -> float:");
      const shape = verdict.symbols.find((symbol) => symbol.name === "Shape");
      assert.match(
        shape?.signature ?? "",
        /^class Shape:\n {4}def __init__\(self, sides: int\) -> None:\n {4}def perimeter\(self, length: float\) -> float:$/,
      );
    });

    it("indexes TypeScript declarations, exported or not", async () => {
      const verdict = await indexer.indexFile(`${workspace}/shop/billing.ts`);
      assert.ok(verdict.indexed);
      assert.ok(
        verdict.symbols.some(
          (symbol) =>
            symbol.name === "computeTotal" &&
            /function computeTotal\(items: LineItem\[\], taxRate: number\): number/.test(symbol.signature),
        ),
      );
    });

    it("respects .gitignore: ignored folders and patterns, and their negations", async () => {
      assert.deepEqual(await indexer.indexFile(`${workspace}/generated/schema.py`), {
        indexed: false,
        reason: "ignored",
      });
      assert.deepEqual(await indexer.indexFile(`${workspace}/lib/scratch.tmp.py`), {
        indexed: false,
        reason: "ignored",
      });
      const kept = await indexer.indexFile(`${workspace}/lib/keep.tmp.py`);
      assert.ok(kept.indexed && kept.symbols[0].name === "kept_helper");
    });

    it("skips binaries, secrets, files of other languages and files outside the workspace", async () => {
      assert.deepEqual(await indexer.indexFile(`${workspace}/lib/blob.py`), { indexed: false, reason: "binary" });
      assert.deepEqual(await indexer.indexFile(`${workspace}/shop/.env`), { indexed: false, reason: "notCode" });
      assert.deepEqual(await indexer.indexFile(`${workspace}/.gitignore`), { indexed: false, reason: "notCode" });
      assert.deepEqual(await indexer.indexFile("/somewhere/else.py"), { indexed: false, reason: "ignored" });
    });

    it("skips files over the size limit without reading them", async () => {
      const directory = (await mkdtemp(path.join(os.tmpdir(), "symbol-index-"))).replace(/\\/g, "/");
      try {
        await writeFile(`${directory}/big.py`, "x = 1\n".repeat(Math.ceil(maxIndexedFileBytes / 6) + 1));
        const reads: string[] = [];
        const big = new SymbolIndexer(
          await nativeTestDefinitions(),
          { stat: diskFiles.stat, read: (file) => (reads.push(file), diskFiles.read(file)) },
          [directory],
        );
        assert.deepEqual(await big.indexFile(`${directory}/big.py`), { indexed: false, reason: "tooLarge" });
        assert.ok(!reads.includes(`${directory}/big.py`));
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });
  });

  describe("in the prompt", () => {
    let store: QueryStore;
    const index = new WorkspaceSymbolIndex();

    before(async () => {
      store = new QueryStore({ load: (file) => readFile(path.join(grammarDirectory, file)) });
      const indexer = new SymbolIndexer(await nativeTestDefinitions(), diskFiles, [workspace]);
      for (const file of ["lib/geometry.py", "generated/schema.py", "py/text_utils.py", "shop/billing.ts"]) {
        const verdict = await indexer.indexFile(`${workspace}/${file}`);
        if (verdict.indexed) index.setFile(`${workspace}/${file}`, verdict.symbols);
      }
    });
    after(() => store.dispose());

    async function promptAt(relativePath: string, languageId: string, withIndex: boolean) {
      const context = new DefinitionContext({
        runtime: await testRuntime(),
        queries: store,
        imported: await inProcessImportedDefinitions(),
        roots: [workspace],
        symbols: withIndex ? index : undefined,
        timeLimitMs: 5000,
      });
      const filePath = `${workspace}/${relativePath}`;
      const text = await readFile(filePath, "utf8");
      const tree = (await testRuntime()).parse(await grammar(languageId), text);
      try {
        const cursor = text.length;
        const snippets = await context.snippetsFor({ languageId, path: filePath, tree, cursor });
        const pieces = buildPromptPieces({
          prefix: text,
          suffix: "",
          cursorLine: text.split("\n").length - 1,
          languageId,
          path: relativePath,
          snippets,
          budget: defaultPromptBudget,
        });
        const prompt = fitInfillContextEstimated(pieces, "estimated from characters").text;
        return { snippets, prompt };
      } finally {
        tree.delete();
      }
    }

    it("adds the signature of a symbol used near the cursor that no import explains, with its path", async () => {
      const { snippets, prompt } = await promptAt("py/report.py", "python", true);
      assert.deepEqual(
        snippets.map((snippet) => snippet.path),
        ["lib/geometry.py"],
      );
      assert.match(snippets[0].reason, /workspace index: polygon_area/);
      assert.match(
        prompt.prefix,
        /# Path: lib\/geometry\.py\ndef polygon_area\(shape: Shape, length: float\) -> float:\n/,
      );
      assert.doesNotMatch(prompt.prefix, /math\.tan/, "bodies stay out");
      assert.doesNotMatch(prompt.prefix, /def polygon_area\(rows\)/, "the ignored generated copy is not indexed");
    });

    it("adds nothing without the index", async () => {
      const { snippets } = await promptAt("py/report.py", "python", false);
      assert.deepEqual(snippets, []);
    });

    it("puts imported definitions first and does not repeat them from the index", async () => {
      const { snippets } = await promptAt("shop/checkout.ts", "typescript", true);
      assert.equal(snippets[0].path, "shop/billing.ts");
      assert.match(snippets[0].reason, /^imported/);
      assert.equal(snippets.filter((snippet) => snippet.path === "shop/billing.ts").length, 1);
    });
  });
});

describe("workspace symbol index: search by name (chat @symbol)", function () {
  it("puts names that start with the query first, then names that contain it, shorter first", function () {
    const index = new WorkspaceSymbolIndex();
    index.setFile("/w/a.py", [
      { name: "parse_config", signature: "def parse_config():" },
      { name: "parse", signature: "def parse():" },
    ]);
    index.setFile("/w/b.py", [{ name: "reparse", signature: "def reparse():" }]);
    assert.deepEqual(
      index.search("Parse", 10).map((symbol) => symbol.name),
      ["parse", "parse_config", "reparse"],
    );
    assert.deepEqual(
      index.search("parse", 1).map((symbol) => symbol.name),
      ["parse"],
    );
  });
});
