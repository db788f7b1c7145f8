// Workspace embeddings through the real host: an embedding GGUF (the random-weight fixture, mean pooling) loaded as the
// host's fourth model returns a vector per chunk and per question on lanes of its own, the retrieval index ranks with
// them beside BM25, and a completion asked for while the workspace is being embedded does not wait for it.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ChunkEmbeddings, quantize, similarity } from "../../extension/src/core/retrieval/chunkEmbeddings";
import type { ChunkEmbedder } from "../../extension/src/core/retrieval/indexerRetrieval";
import type { EmbeddingPurpose } from "../../extension/src/core/protocol/host";
import { WorkspaceRetrieval } from "../../extension/src/node/retrieval/workspaceRetrieval";
import { SymbolIndexClient } from "../../extension/src/node/syntax/symbolIndexClient";
import { embeddingModelDimensions, ensureEmbeddingModel } from "../fixtures/embeddingModel";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel, fimCompletion, repoRoot } from "../fixtures/scriptedModel";

function writeFiles(root: string, contents: Record<string, string>): void {
  for (const [relative, text] of Object.entries(contents)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const files: Record<string, string> = {
  "billing/ledger.ts":
    "export function totalOfLedger(ledger: Ledger): number {\n  return ledger.entries.reduce((sum, entry) => sum + entry.amount, 0);\n}",
  "ui/window.ts": "export function drawWindowFrame(frame: Frame): void {\n  canvas.stroke(frame.outline);\n}",
  "net/socket.ts": "export function openSocket(port: number): Socket {\n  return net.connect({ port });\n}",
  "auth/token.ts": "export function checkToken(token: string): boolean {\n  return token.length === 32;\n}",
};

describe("workspace embeddings through the real host", function () {
  this.timeout(240_000);
  let host: TestHost;
  let workspace: string;

  before(async function () {
    host = createTestHost(
      hostConfig(ensureScriptedModel("standard"), { embeddingModelPath: ensureEmbeddingModel(), threads: 2 }),
    );
    await host.client.start();
    workspace = mkdtempSync(path.join(os.tmpdir(), "embeddings-"));
    writeFiles(workspace, files);
  });

  after(async function () {
    await host?.client.dispose();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it("loads the embedding model beside the others and embeds chunks and a question", async function () {
    const info = await host.client.info();
    assert.ok(info.embeddingModel, "the host reports its embedding model");
    assert.equal(info.embeddingModel.path, ensureEmbeddingModel());
    assert.equal(info.embeddingFailure, undefined);

    const texts = Object.values(files);
    const documents = await host.client.embed({ purpose: "document", texts });
    assert.equal(documents.vectors.length, texts.length);
    for (const vector of documents.vectors) assert.equal(vector.length, embeddingModelDimensions);
    assert.equal(documents.truncated, 0);
    const [query] = (await host.client.embed({ purpose: "query", texts: ["sum of the ledger entries"] })).vectors;
    assert.equal(query.length, embeddingModelDimensions);
    // Different texts get different vectors, the same text the same one.
    const again = (await host.client.embed({ purpose: "document", texts: [texts[0]] })).vectors[0];
    assert.ok(similarity(quantize(again) as Int8Array, quantize(documents.vectors[0]) as Int8Array) > 0.99);
    assert.ok(
      similarity(quantize(documents.vectors[0]) as Int8Array, quantize(documents.vectors[1]) as Int8Array) < 0.99,
    );
  });

  it("cuts a text longer than the embedding context and says so", async function () {
    const long = "const value = other + 1;\n".repeat(400);
    const result = await host.client.embed({ purpose: "document", texts: [long, "short"] });
    assert.equal(result.truncated, 1);
    assert.equal(result.vectors.length, 2);
  });

  it("ranks with the embeddings beside BM25 once the chunks have vectors", async function () {
    const retrieval = new WorkspaceRetrieval([workspace], null);
    for (const [relative, text] of Object.entries(files)) {
      const name = /function (\w+)/.exec(text)?.[1] ?? "";
      retrieval.setFile(path.posix.join(workspace, relative), [
        { startLine: 0, endLine: text.split("\n").length - 1, symbols: [name], text },
      ]);
    }
    retrieval.useEmbeddingModel("fixture");
    const question = "sum of the ledger entries";
    const keywordOnly = await retrieval.retrieve(question, 10);
    assert.deepEqual(
      keywordOnly.map((chunk) => path.posix.relative(workspace, chunk.path)),
      ["billing/ledger.ts"],
      "BM25 alone finds only the chunk that shares the question's words",
    );
    const [queryVector] = (await host.client.embed({ purpose: "query", texts: [question] })).vectors;
    assert.equal((await retrieval.retrieve(question, 10, queryVector)).length, 1, "no vectors yet: keywords alone");

    const pending = await retrieval.pendingEmbeddings(100);
    assert.equal(pending.texts.length, 4);
    const { vectors } = await host.client.embed({ purpose: "document", texts: pending.texts });
    retrieval.storeEmbeddings(pending.chunks, vectors);
    assert.deepEqual(retrieval.embeddingCounts(), { chunks: 4, embedded: 4 });

    const hybrid = await retrieval.retrieve(question, 10, queryVector);
    const hybridFiles = hybrid.map((chunk) => path.posix.relative(workspace, chunk.path));
    assert.equal(hybridFiles[0], "billing/ledger.ts", "the chunk both rankings agree on comes first");
    assert.deepEqual([...hybridFiles].sort(), Object.keys(files).sort(), "the embeddings bring the other chunks in");
    // Below the top, the chunks only the embeddings found come in the order of their cosine similarity.
    const cosine = (relative: string): number =>
      similarity(
        quantize(queryVector) as Int8Array,
        quantize(vectors[pending.texts.indexOf(files[relative])]) as Int8Array,
      );
    const rest = hybridFiles.slice(1);
    assert.deepEqual(
      rest,
      [...rest].sort((a, b) => cosine(b) - cosine(a)),
    );
  });

  it("does not make a completion wait while the workspace is being embedded", async function () {
    const chunk = Array.from(
      { length: 60 },
      (_, line) => `  const value${line} = compute(input[${line}], ${line});`,
    ).join("\n");
    const texts = Array.from({ length: 24 }, (_, index) => `function part${index}() {\n${chunk}\n}`);
    const events: string[] = [];
    const embedding = host.client.embed({ purpose: "document", texts }).then((result) => {
      events.push("embedded");
      return result;
    });
    // Let the batch get going in the host first.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const completion = host.client
      .infill({ prefix: "def add(a, b):\n", suffix: "\n", maxTokens: 16, stop: [], temperature: 0 })
      .then((result) => {
        events.push("completed");
        return result;
      });
    const question = host.client.embed({ purpose: "query", texts: ["where is the value computed?"] }).then((result) => {
      events.push("question embedded");
      return result;
    });
    const [done, answer, asked] = await Promise.all([embedding, completion, question]);
    assert.equal(answer.text, fimCompletion);
    assert.equal(done.vectors.length, texts.length);
    assert.equal(asked.vectors.length, 1);
    assert.equal(events[events.length - 1], "embedded", `the batch finishes last: ${events.join(", ")}`);
  });

  it("the index worker embeds the workspace after its keyword pass, keeps the vectors, follows a save and ranks hybrid", async function () {
    const root = mkdtempSync(path.join(os.tmpdir(), "embeddings-worker-")).replace(/\\/g, "/");
    const storage = path.join(root, ".storage");
    const tree = `${root}/tree`;
    writeFiles(tree, files);
    const calls: Array<{ purpose: EmbeddingPurpose; texts: number }> = [];
    const embedder: ChunkEmbedder = {
      model: "fixture",
      embed: async (texts, purpose) => {
        calls.push({ purpose, texts: texts.length });
        return (await host.client.embed({ texts, purpose })).vectors;
      },
    };
    let progress = { done: -1, total: -1 };
    const logged: string[] = [];
    const client = new SymbolIndexClient(
      path.join(repoRoot, "dist/symbolIndexWorker.js"),
      { info: (message) => logged.push(message), warn: (message) => logged.push(message) },
      () => undefined,
      (done, total) => (progress = { done, total }),
    );
    const documentTexts = (): number =>
      calls.filter((call) => call.purpose === "document").reduce((sum, call) => sum + call.texts, 0);
    try {
      client.useEmbedder(embedder);
      client.start({
        grammarDirectory: path.join(repoRoot, "grammars"),
        roots: [tree],
        retrievalStore: path.join(storage, "retrieval-index.json"),
      });
      client.indexFiles(Object.keys(files).map((relative) => `${tree}/${relative}`));
      await until(
        () => documentTexts() === 4 && progress.total === 4 && progress.done === 4,
        "the four chunks to be embedded",
      );
      assert.deepEqual(
        logged.filter((line) => line.startsWith("Workspace embeddings")),
        ["Workspace embeddings: 4 chunks embedded by the host; the index holds 4 chunks."],
        JSON.stringify(logged),
      );
      // The index is saved at the end of its listing, before the vectors; they are saved once embedded.
      const stored = path.join(storage, "retrieval-index-embeddings.bin");
      const kept = (): ChunkEmbeddings | undefined =>
        existsSync(stored) ? ChunkEmbeddings.fromStored(readFileSync(stored)) : undefined;
      await until(() => kept()?.counts().embedded === 4, "the embeddings to be saved");
      assert.equal(kept()?.model, "fixture");
      // Any question of the model's width ranks every stored chunk.
      const everyChunk = kept()?.nearestExact(new Array<number>(embeddingModelDimensions).fill(1), 10) ?? [];
      assert.deepEqual(
        everyChunk.map((chunk) => chunk.path).sort(),
        Object.keys(files)
          .map((relative) => `${tree}/${relative}`)
          .sort(),
      );

      const hybrid = await client.retrieval.retrieve("sum of the ledger entries", 10);
      assert.equal(calls[calls.length - 1].purpose, "query", "the question was embedded");
      assert.equal(path.posix.relative(tree, hybrid[0].path), "billing/ledger.ts");
      assert.equal(hybrid.length, 4, "the embeddings bring in the chunks BM25 does not find");

      // A saved file: only its changed chunk is embedded again.
      writeFileSync(`${tree}/ui/window.ts`, `${files["ui/window.ts"]}\n\nexport const frameColour = "blue";`);
      const before = documentTexts();
      client.post({ kind: "update", file: `${tree}/ui/window.ts` });
      await until(() => documentTexts() > before && progress.done === progress.total, "the saved file's new chunk");
      assert.ok(documentTexts() - before <= 2, `re-embedded ${documentTexts() - before} chunks, not only window.ts's`);

      client.useEmbedder(undefined);
      const keywordOnly = await client.retrieval.retrieve("sum of the ledger entries", 10);
      assert.deepEqual(
        keywordOnly.map((chunk) => path.posix.relative(tree, chunk.path)),
        ["billing/ledger.ts"],
      );
    } finally {
      client.stop();
      // The worker may still be writing its last save into the storage folder as it stops.
      rmSync(root, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
