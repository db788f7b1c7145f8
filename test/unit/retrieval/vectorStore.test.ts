import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ChunkEmbeddings } from "../../../extension/src/core/retrieval/chunkEmbeddings";
import { VectorStore, quantize, rescoreDepth } from "../../../extension/src/core/retrieval/vectorStore";
import { WorkspaceRetrieval } from "../../../extension/src/node/retrieval/workspaceRetrieval";

/** Deterministic numbers in [-1, 1). */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2147483648 - 1;
  };
}

/**
 * Vectors that cluster as real embeddings do: a topic's centre plus noise as large as the centre, so that the nearest
 * neighbours of a query are a handful among thousands, with near ties below them.
 */
function clustered(count: number, dimensions: number, seed: number): number[][] {
  const random = generator(seed);
  const centres = Array.from({ length: 40 }, () => Array.from({ length: dimensions }, random));
  return Array.from({ length: count }, (_, index) => centres[index % centres.length].map((value) => value + random()));
}

function span(text: string, startLine = 0) {
  return { startLine, endLine: startLine + text.split("\n").length - 1, symbols: [], text };
}

/** Files of `perFile` chunks, every chunk with `vectors`' next vector. */
function embedded(vectors: readonly number[][], perFile = 5): ChunkEmbeddings {
  const embeddings = new ChunkEmbeddings("model");
  for (let file = 0; file * perFile < vectors.length; file++)
    embeddings.setFile(
      `/w/f${file}.ts`,
      Array.from({ length: Math.min(perFile, vectors.length - file * perFile) }, (_, index) =>
        span(`chunk ${file} ${index}`, index * 10),
      ),
    );
  for (const chunk of embeddings.pending(vectors.length))
    embeddings.store(chunk, vectors[Number(/f(\d+)/.exec(chunk.path)?.[1]) * perFile + chunk.startLine / 10]);
  return embeddings;
}

const key = (chunk: { path: string; startLine: number }): string => `${chunk.path}:${chunk.startLine}`;

describe("the vector store", () => {
  it("finds by sign bits and 8-bit rescoring the neighbours the exact scan finds", () => {
    const dimensions = 256;
    // The questions are about the stored vectors' topics, as a real question about the code is.
    const all = clustered(6040, dimensions, 7);
    const embeddings = embedded(all.slice(0, 6000));
    const queries = all.slice(6000);
    assert.ok(embeddings.counts().embedded > rescoreDepth * 10, "large enough that the two passes are used");
    let shared = 0;
    let sameBest = 0;
    for (const query of queries) {
      const exact = embeddings.nearestExact(query, 20);
      const quantized = embeddings.nearest(query, 20);
      assert.equal(quantized.length, 20);
      const exactKeys = new Set(exact.map(key));
      shared += quantized.filter((chunk) => exactKeys.has(key(chunk))).length;
      if (key(exact[0]) === key(quantized[0])) sameBest++;
      // Rescored exactly: where both found a chunk, they give it the same score.
      for (const chunk of quantized) {
        const same = exact.find((candidate) => key(candidate) === key(chunk));
        if (same) assert.equal(chunk.score, same.score);
      }
    }
    assert.ok(shared / (queries.length * 20) >= 0.95, `top 20 shared: ${shared / (queries.length * 20)}`);
    assert.ok(sameBest >= queries.length - 1, `same best chunk for ${sameBest} of ${queries.length}`);
  });

  it("scans a store no larger than the rescoring depth exactly", () => {
    const vectors = clustered(rescoreDepth, 64, 3);
    const embeddings = embedded(vectors);
    for (const query of clustered(10, 64, 5))
      assert.deepEqual(embeddings.nearest(query, 10), embeddings.nearestExact(query, 10));
  });

  it("never returns a removed chunk and reuses its slot", () => {
    const store = new VectorStore<string>();
    const a = store.add(quantize([1, 0, 0]) as Int8Array, "a");
    const b = store.add(quantize([0, 1, 0]) as Int8Array, "b");
    assert.equal(store.add(quantize([1, 0]) as Int8Array, "narrow"), undefined, "another width is refused");
    assert.ok(a !== undefined && b !== undefined);
    store.remove(a);
    store.remove(a);
    assert.equal(store.size, 1);
    assert.deepEqual(
      store.nearestExact(quantize([1, 0.1, 0]) as Int8Array, 5).map(({ owner }) => owner),
      ["b"],
    );
    assert.equal(store.add(quantize([0, 0, 1]) as Int8Array, "c"), a);
    assert.equal(store.slotCount, 2);

    const embeddings = embedded(clustered(3000, 64, 11));
    const [best] = embeddings.nearest(clustered(1, 64, 11)[0], 1);
    embeddings.removeFile(best.path);
    assert.ok(
      embeddings.nearest(clustered(1, 64, 11)[0], 50).every((chunk) => chunk.path !== best.path),
      "the removed file's chunks are gone from both passes",
    );
    embeddings.keepOnly(new Set(["/w/f1.ts"]));
    assert.deepEqual(embeddings.counts(), { chunks: 5, embedded: 5 });
    assert.ok(embeddings.nearest(clustered(1, 64, 11)[0], 50).every((chunk) => chunk.path === "/w/f1.ts"));
  });

  it("embeds again only a changed chunk, and ranks by its new vector", () => {
    const embeddings = new ChunkEmbeddings("model");
    embeddings.setFile("/w/a.ts", [span("alpha"), span("beta", 5), span("beta", 9)]);
    for (const chunk of embeddings.pending(10)) embeddings.store(chunk, [1, chunk.startLine, 0]);
    // The file again with beta changed at line 5: alpha and the other beta keep their vectors.
    embeddings.setFile("/w/a.ts", [span("alpha"), span("gamma", 5), span("beta", 9)]);
    const pending = embeddings.pending(10);
    assert.deepEqual(
      pending.map((chunk) => chunk.startLine),
      [5],
    );
    embeddings.store(pending[0], [0, 0, 1]);
    assert.deepEqual(embeddings.counts(), { chunks: 3, embedded: 3 });
    const [best] = embeddings.nearest([0, 0, 1], 1);
    assert.equal(best.startLine, 5);
    assert.ok(best.score > 0.99, "gamma's vector, not beta's old one");
    assert.equal(embeddings.nearestExact([0, 0, 1], 5).length, 3, "the old vector's slot holds nothing now");
  });

  it("drops the vectors and their width when the model changes", () => {
    const embeddings = embedded(clustered(100, 64, 1));
    embeddings.useModel("wider");
    assert.deepEqual(embeddings.counts(), { chunks: 100, embedded: 0 });
    assert.deepEqual(embeddings.nearest(clustered(1, 64, 1)[0], 5), []);
    for (const chunk of embeddings.pending(100)) embeddings.store(chunk, clustered(1, 128, chunk.startLine + 1)[0]);
    assert.deepEqual(embeddings.counts(), { chunks: 100, embedded: 100 });
    assert.equal(embeddings.nearest(clustered(1, 128, 1)[0], 5).length, 5);
    assert.deepEqual(embeddings.nearest(clustered(1, 64, 1)[0], 5), [], "a question of the old width matches nothing");
  });

  it("stores in binary and loads to the same answers, over several blocks and with freed slots", () => {
    const vectors = clustered(5000, 96, 21);
    const embeddings = embedded(vectors);
    embeddings.removeFile("/w/f3.ts");
    const bytes = Buffer.concat(embeddings.toStored());
    assert.ok(bytes.length < 5000 * 96 + 200_000, `${bytes.length} bytes: the vectors as bytes, not text`);
    const loaded = ChunkEmbeddings.fromStored(bytes);
    assert.ok(loaded);
    assert.equal(loaded.model, "model");
    assert.deepEqual(loaded.counts(), embeddings.counts());
    for (const query of clustered(5, 96, 22)) {
      assert.deepEqual(loaded.nearest(query, 10), embeddings.nearest(query, 10));
      assert.deepEqual(loaded.nearestExact(query, 10), embeddings.nearestExact(query, 10));
    }
    // New vectors go into the freed slots and after the last one loaded.
    loaded.setFile("/w/new.ts", [span("one"), span("two", 5), span("three", 9), span("four", 12), span("five", 20)]);
    loaded.setFile("/w/more.ts", [span("six"), span("seven", 3)]);
    for (const chunk of loaded.pending(10)) loaded.store(chunk, vectors[chunk.startLine]);
    assert.deepEqual(loaded.counts(), { chunks: 5002, embedded: 5002 });
    assert.equal(loaded.nearestExact(vectors[3], 1)[0].score > 0.99, true);
    assert.equal(ChunkEmbeddings.fromStored(bytes.subarray(0, bytes.length - 1)), undefined, "cut short");
  });

  it("does not read an older store, and its chunks are embedded again", async () => {
    const legacy = {
      version: 1,
      model: "model",
      files: { "/w/a.ts": [[0, 0, 123, Buffer.from(new Int8Array([127, 0])).toString("base64")]] },
    };
    assert.equal(ChunkEmbeddings.fromStored(Buffer.from(JSON.stringify(legacy))), undefined);

    const folder = mkdtempSync(path.join(os.tmpdir(), "vector-store-"));
    try {
      const file = path.join(folder, "a.ts").replace(/\\/g, "/");
      writeFileSync(file, "export const a = 1;\n");
      const store = path.join(folder, "retrieval-index.json");
      const first = new WorkspaceRetrieval([folder], store);
      first.setFile(file, [{ startLine: 0, endLine: 0, symbols: ["a"], text: "export const a = 1;" }]);
      first.useEmbeddingModel("model");
      await first.save();
      const legacyFile = path.join(folder, "retrieval-index-embeddings.json");
      writeFileSync(legacyFile, JSON.stringify({ ...legacy, files: { [file]: legacy.files["/w/a.ts"] } }));

      const second = new WorkspaceRetrieval([folder], store);
      await second.load();
      second.setFile(file, [{ startLine: 0, endLine: 0, symbols: ["a"], text: "export const a = 1;" }]);
      second.useEmbeddingModel("model");
      assert.deepEqual(second.embeddingCounts(), { chunks: 1, embedded: 0 }, "the old vectors are not used");
      assert.equal(existsSync(legacyFile), false, "the old store is deleted");
      const pending = await second.pendingEmbeddings(10);
      second.storeEmbeddings(pending.chunks, [[0.6, 0.8]]);
      await second.save();
      const stored = readFileSync(path.join(folder, "retrieval-index-embeddings.bin"));
      assert.deepEqual(ChunkEmbeddings.fromStored(stored)?.counts(), { chunks: 1, embedded: 1 });

      const third = new WorkspaceRetrieval([folder], store);
      await third.load();
      assert.deepEqual(third.embeddingCounts(), { chunks: 1, embedded: 1 }, "the binary store is read back");
      assert.equal((await third.retrieve("unrelated words", 5, [0.6, 0.8]))[0]?.path, file);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
