import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { DefinitionContext } from "../../../extension/src/core/syntax/definitionContext";
import { IndexerDefinitions, type ImportedDefinitions } from "../../../extension/src/core/syntax/importedDefinitions";
import { QueryStore } from "../../../extension/src/core/syntax/queries";
import type { ToIndexer } from "../../../extension/src/core/syntax/symbolIndexProtocol";
import { grammar, grammarDirectory, inProcessImportedDefinitions, testRuntime } from "./testRuntime";

const workspace = path.resolve(__dirname, "workspace").replace(/\\/g, "/");

describe("imported files' definitions from the symbol index worker", () => {
  it("settles each request with the worker's answer to it, and fails what a stopped worker left unanswered", async () => {
    const sent: ToIndexer[] = [];
    const client = new IndexerDefinitions();
    await assert.rejects(client.definitionsOf("/w/a.py", "python"), /not running/);
    client.attach((message) => sent.push(message));
    const first = client.definitionsOf("/w/a.py", "python");
    const second = client.definitionsOf("/w/b.py", "python");
    assert.deepEqual(
      sent.map((message) => (message.kind === "definitions" ? [message.id, message.file] : message.kind)),
      [
        [1, "/w/a.py"],
        [2, "/w/b.py"],
      ],
    );
    client.receive({ kind: "definitions", id: 2, definitions: null });
    client.receive({
      kind: "definitions",
      id: 1,
      definitions: [{ name: "f", signature: "def f():", topLevel: true, start: 0, end: 7 }],
    });
    assert.deepEqual(await first, [{ name: "f", signature: "def f():", topLevel: true, start: 0, end: 7 }]);
    assert.equal(await second, undefined);
    const unanswered = client.definitionsOf("/w/c.py", "python");
    client.attach(undefined);
    await assert.rejects(unanswered, /stopped before it answered/);
  });

  it("asks again for a file that nothing could answer for before, instead of remembering it as missing", async () => {
    const store = new QueryStore({ load: (file) => readFile(path.join(grammarDirectory, file)) });
    const working = await inProcessImportedDefinitions();
    let running = false;
    const imported: ImportedDefinitions = {
      definitionsOf: (filePath, languageId) =>
        running
          ? working.definitionsOf(filePath, languageId)
          : Promise.reject(new Error("the symbol index worker is not running")),
    };
    const context = new DefinitionContext({
      runtime: await testRuntime(),
      queries: store,
      imported,
      roots: [workspace],
      timeLimitMs: 5000,
    });
    const filePath = `${workspace}/shop/checkout.ts`;
    const text = await readFile(filePath, "utf8");
    const tree = (await testRuntime()).parse(await grammar("typescript"), text);
    try {
      const request = { languageId: "typescript", path: filePath, tree, cursor: text.indexOf("const total = ") + 14 };
      assert.deepEqual(await context.snippetsFor(request), []);
      running = true;
      const snippets = await context.snippetsFor(request);
      assert.ok(
        snippets.some((snippet) => snippet.path === "shop/billing.ts"),
        JSON.stringify(snippets),
      );
    } finally {
      tree.delete();
      store.dispose();
    }
  });
});
