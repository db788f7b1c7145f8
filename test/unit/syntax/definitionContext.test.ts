import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { buildPromptPieces, defaultPromptBudget } from "../../../extension/src/core/completion/prompt";
import { fitInfillContextEstimated } from "../../../extension/src/core/completion/promptFit";
import { DefinitionContext } from "../../../extension/src/core/syntax/definitionContext";
import { textReader } from "../../../extension/src/core/syntax/documentReader";
import { DocumentTree, pointAfter } from "../../../extension/src/core/syntax/documentTree";
import { isSecretPath } from "../../../extension/src/core/syntax/importResolution";
import { QueryStore } from "../../../extension/src/core/syntax/queries";
import { grammar, grammarDirectory, inProcessImportedDefinitions, testRuntime } from "./testRuntime";

const workspace = path.resolve(__dirname, "workspace").replace(/\\/g, "/");

describe("definition context on a fixture workspace", () => {
  let store: QueryStore;
  let context: DefinitionContext;
  const reads: string[] = [];

  before(async () => {
    store = new QueryStore({ load: (file) => readFile(path.join(grammarDirectory, file)) });
    context = new DefinitionContext({
      runtime: await testRuntime(),
      queries: store,
      imported: await inProcessImportedDefinitions((filePath) => reads.push(filePath)),
      roots: [workspace],
      timeLimitMs: 5000,
    });
  });
  after(() => store.dispose());

  async function snippetsAt(relativePath: string, languageId: string, marker: string) {
    const filePath = `${workspace}/${relativePath}`;
    const text = await readFile(filePath, "utf8");
    const tree = (await testRuntime()).parse(await grammar(languageId), text);
    try {
      const cursor = text.indexOf(marker) + marker.length;
      const snippets = await context.snippetsFor({ languageId, path: filePath, tree, cursor });
      return { snippets, prefix: text.slice(0, cursor), suffix: text.slice(cursor) };
    } finally {
      tree.delete();
    }
  }

  it("puts the signature of an imported TypeScript function in the prompt, without its body", async () => {
    const { snippets, prefix, suffix } = await snippetsAt("shop/checkout.ts", "typescript", "const total = ");
    const pieces = buildPromptPieces({
      prefix,
      suffix,
      cursorLine: prefix.split("\n").length - 1,
      languageId: "typescript",
      path: "shop/checkout.ts",
      snippets,
      budget: defaultPromptBudget,
    });
    const prompt = fitInfillContextEstimated(pieces, "estimated from characters").text;
    assert.match(prompt.prefix, /\/\/ Path: shop\/billing\.ts\n/);
    assert.match(prompt.prefix, /function computeTotal\(items: LineItem\[\], taxRate: number\): number/);
    assert.match(prompt.prefix, /interface LineItem \{\n {2}price: number;/);
    assert.doesNotMatch(prompt.prefix, /items\.reduce/, "bodies stay out");
    assert.doesNotMatch(prompt.prefix, /unrelatedHelper/, "only symbols used near the cursor");
  });

  it("reads the names near the cursor from the text around it, when the request has it", async () => {
    const filePath = `${workspace}/shop/checkout.ts`;
    const text = await readFile(filePath, "utf8");
    const tree = (await testRuntime()).parse(await grammar("typescript"), text);
    try {
      const cursor = text.indexOf("const total = ") + 14;
      const start = Math.max(0, cursor - 300);
      const request = { languageId: "typescript", path: filePath, tree, cursor };
      const fromTree = await context.snippetsFor(request);
      assert.ok(fromTree.some((snippet) => /computeTotal/.test(snippet.text)));
      assert.deepEqual(
        await context.snippetsFor({ ...request, around: { start, text: text.slice(start, cursor + 300) } }),
        fromTree,
      );
      // Proof that the names come from the window: one that names something else finds no such import.
      const renamed = text.slice(start, cursor + 300).replace(/computeTotal/g, "computeTotaX");
      const fromWindow = await context.snippetsFor({ ...request, around: { start, text: renamed } });
      assert.ok(!fromWindow.some((snippet) => /computeTotal/.test(snippet.text)), JSON.stringify(fromWindow));
    } finally {
      tree.delete();
    }
  });

  it("never reads or prompts a .env file, even when the code imports it", async () => {
    const { snippets, prefix, suffix } = await snippetsAt("shop/checkout.ts", "typescript", "const total = ");
    const pieces = buildPromptPieces({
      prefix,
      suffix,
      cursorLine: prefix.split("\n").length - 1,
      languageId: "typescript",
      path: "shop/checkout.ts",
      snippets,
      budget: defaultPromptBudget,
    });
    const prompt = fitInfillContextEstimated(pieces, "estimated from characters").text;
    assert.doesNotMatch(prompt.prefix + prompt.suffix, /sk_live/);
    assert.ok(!reads.some((filePath) => filePath.includes(".env")), `read: ${reads.join(", ")}`);
    assert.ok(isSecretPath("/w/.env.production") && isSecretPath("/w/certs/server.pem") && !isSecretPath("/w/env.ts"));
  });

  it("resolves a relative Python import and sums up a class by its members' signatures", async () => {
    const { snippets } = await snippetsAt("py/views.py", "python", "return ");
    assert.equal(snippets.length, 1);
    assert.equal(snippets[0].path, "py/text_utils.py");
    assert.match(snippets[0].text, /def slugify\(title: str, separator: str = "-"\) -> str:/);
    assert.match(
      snippets[0].text,
      /class Page:\n {4}def __init__\(self, title: str\) -> None:\n {4}def url\(self\) -> str:/,
    );
    assert.doesNotMatch(snippets[0].text, /re\.findall/);
  });

  it("leaves out imported names that are only used far from the cursor", async () => {
    const filler = Array.from({ length: 80 }, (_, index) => `    total_${index} = ${index} * 2\n`).join("");
    const text = `from .text_utils import slugify, Page\n\n\ndef build():\n    page = Page("x")\n${filler}    return slugify(`;
    const tree = (await testRuntime()).parse(await grammar("python"), text);
    try {
      const snippets = await context.snippetsFor({
        languageId: "python",
        path: `${workspace}/py/report.py`,
        tree,
        cursor: text.length,
      });
      assert.equal(snippets.length, 1);
      assert.match(snippets[0].text, /def slugify/);
      assert.doesNotMatch(snippets[0].text, /class Page/);
    } finally {
      tree.delete();
    }
  });

  it("finds the imports at the top again when an edit changes them, and keeps them while typing elsewhere", async () => {
    const filePath = `${workspace}/py/report.py`;
    const runtime = await testRuntime();
    const language = await grammar("python");
    let text = "import os\n\ndef build():\n    return slugify(";
    const document = new DocumentTree(runtime, language, text, 1_000_000);
    const edit = (offset: number, length: number, inserted: string) => {
      const origin = { row: 0, column: 0 };
      document.edit([
        {
          rangeOffset: offset,
          rangeLength: length,
          start: pointAfter(origin, text.slice(0, offset)),
          end: pointAfter(origin, text.slice(0, offset + length)),
          text: inserted,
        },
      ]);
      text = text.slice(0, offset) + inserted + text.slice(offset + length);
    };
    const snippets = async () => {
      const tree = document.treeFor(textReader(text), text.length);
      assert.ok(tree);
      return context.snippetsFor({
        languageId: "python",
        path: filePath,
        tree,
        cursor: text.length,
        parse: document.lastParse,
      });
    };
    try {
      assert.deepEqual(await snippets(), []);
      edit(text.length, 0, "x, ");
      assert.deepEqual(await snippets(), [], "typing below the imports");
      edit(0, "import os".length, "from .text_utils import slugify");
      const withImport = await snippets();
      assert.equal(withImport.length, 1);
      assert.match(withImport[0].text, /def slugify/);
      edit(text.length, 0, "y");
      assert.equal((await snippets()).length, 1, "the import is kept while typing below it");
      edit(0, 0, "# ");
      assert.deepEqual(await snippets(), [], "an import commented out is gone");
    } finally {
      document.dispose();
    }
  });

  it("reads the imported files when the document opens, so the keystrokes near imported names read none", async () => {
    const opened: string[] = [];
    const prefetching = new DefinitionContext({
      runtime: await testRuntime(),
      queries: store,
      imported: await inProcessImportedDefinitions((filePath) => opened.push(path.posix.basename(filePath))),
      roots: [workspace],
      timeLimitMs: 5000,
    });
    const filePath = `${workspace}/shop/checkout.ts`;
    const text = await readFile(filePath, "utf8");
    const tree = (await testRuntime()).parse(await grammar("typescript"), text);
    try {
      await prefetching.prefetchImports({ languageId: "typescript", path: filePath, tree, cursor: 0 });
      assert.ok(opened.includes("billing.ts"), `read: ${opened.join(", ")}`);
      assert.ok(!opened.some((name) => name.startsWith(".env")), `read: ${opened.join(", ")}`);
      const readAtOpen = opened.length;
      const snippets = await prefetching.snippetsFor({
        languageId: "typescript",
        path: filePath,
        tree,
        cursor: text.indexOf("const total = ") + 14,
      });
      assert.ok(snippets.some((snippet) => snippet.path === "shop/billing.ts"));
      assert.equal(opened.length, readAtOpen, "no file is read at the keystroke");
    } finally {
      tree.delete();
    }
  });

  it("resolves an import again once the file it names is created", async () => {
    const scratch = (await mkdtemp(path.join(os.tmpdir(), "definition-context-"))).replace(/\\/g, "/");
    const fresh = new DefinitionContext({
      runtime: await testRuntime(),
      queries: store,
      imported: await inProcessImportedDefinitions(),
      roots: [scratch],
      timeLimitMs: 5000,
    });
    const filePath = `${scratch}/main.ts`;
    const text = 'import { later } from "./later";\n\nconst value = later(';
    const tree = (await testRuntime()).parse(await grammar("typescript"), text);
    try {
      const request = { languageId: "typescript", path: filePath, tree, cursor: text.length };
      assert.deepEqual(await fresh.snippetsFor(request), [], "nothing to resolve yet");
      await writeFile(
        `${scratch}/later.ts`,
        "export function later(count: number): string {\n  return String(count);\n}\n",
      );
      assert.deepEqual(
        await fresh.snippetsFor(request),
        [],
        "the resolution is kept until a file event says otherwise",
      );
      fresh.invalidate(`${scratch}/later.ts`);
      const snippets = await fresh.snippetsFor(request);
      assert.equal(snippets.length, 1);
      assert.match(snippets[0].text, /function later\(count: number\): string/);
    } finally {
      tree.delete();
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it("lists the headers of the scopes around the cursor, outermost first", async () => {
    const filePath = `${workspace}/py/text_utils.py`;
    const text = await readFile(filePath, "utf8");
    const tree = (await testRuntime()).parse(await grammar("python"), text);
    try {
      const cursor = text.indexOf('return "/"');
      const headers = context.scopeHeaders(
        { languageId: "python", path: filePath, tree, cursor },
        (row) => text.split("\n")[row],
      );
      assert.deepEqual(
        headers.map((header) => header.text),
        ["class Page:", "    def url(self) -> str:"],
      );
      assert.deepEqual(
        headers.map((header) => text.split("\n")[header.line]),
        ["class Page:", "    def url(self) -> str:"],
      );
      assert.deepEqual(
        headers.map((header) => text.slice(header.offset, header.offset + header.text.length)),
        ["class Page:", "    def url(self) -> str:"],
      );
    } finally {
      tree.delete();
    }
  });
});
