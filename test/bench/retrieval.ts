// npm run bench:retrieval: how well the workspace retrieval finds the file that defines a function from its
// documentation, and what the index costs. Quality runs on a vendored repository (lodash's modular source,
// test/fixtures/third-party/lodash) with queries built from its JSDoc: the first sentence of each documented
// function, its own name removed; the defining file is the truth. Or on any repository and query set:
//   npx tsx test/bench/retrieval.ts --repo DIR --queries FILE.json   (a JSON array of {"query", "file"})
// --quality-only skips the cost half (and so the summary line); --misses lists the queries whose file was not top 5.
// Embeddings and hybrid ranking: the chunks and queries are embedded by the real host (dist/host/main.mjs, npm run
// build) with the random-weight fixture embedding model, or with a real one given as --embedding-model FILE.GGUF;
// ranked by the vector store's two passes as the extension does, and by an exact scan of every vector, to show that
// the two passes lose nothing.
// Cost: a synthetic 10,000-file repository indexed by the same SymbolIndexer and RetrievalIndex as the extension's
// worker, in a child process so that its peak memory is its own: the kernel's high-water mark of its resident size
// (VmHWM) less its resident size before indexing began; then query latency, in wall time and in the CPU time each
// query took (which a loaded machine does not inflate as much). Then again in a second child with a synthetic
// 768-wide vector for every chunk (nomic-embed-text's width), held while the files are indexed as in a session that
// loaded its stored vectors, and hybrid questions timed (keyword query, vector search, fusion) beside the per-chunk
// vector scan of before and an exact scan of the new store. Then the same repository through the extension's own
// worker thread (dist/symbolIndexWorker.js, npm run build) with a store file, started twice, each start in a child
// process of its own: the first indexes everything and stores the index, the second (a reload of the unchanged
// workspace) reads the store and parses only what changed; each figure is the time from the thread's start until it
// reports the listing done, with the files it parsed and its peak memory. Then both starts again with a 768-wide
// embedding model set, the bench answering the thread's embed requests with synthetic vectors as the extension does
// through the host: the first start embeds every chunk and stores the vectors, the second loads them with the index.
// Prints figures only; it asserts nothing.
import { execFileSync } from "node:child_process";
import { Worker } from "node:worker_threads";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Chunk } from "../../extension/src/core/retrieval/chunks";
import {
  ChunkEmbeddings,
  fuseRankings,
  fusionDepth,
  hybridRanking,
  quantize,
  similarity,
} from "../../extension/src/core/retrieval/chunkEmbeddings";
import { type RankedChunk, RetrievalIndex } from "../../extension/src/core/retrieval/retrievalIndex";
import { WorkspaceRetrieval } from "../../extension/src/node/retrieval/workspaceRetrieval";
import {
  alwaysExcludedFolders,
  DefinitionsByLanguage,
  SymbolIndexer,
} from "../../extension/src/core/syntax/symbolIndex";
import { diskFiles } from "../../extension/src/node/syntax/diskFiles";
import { nativeDefinitionsLoader } from "../../extension/src/node/syntax/nativeDefinitions";
import { indexerResourceLimits } from "../../extension/src/node/syntax/symbolIndexClient";
import { isFromIndexer, type ToIndexer } from "../../extension/src/core/syntax/symbolIndexProtocol";
import { ensureEmbeddingModel } from "../fixtures/embeddingModel";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel } from "../fixtures/scriptedModel";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fixtureRepo = path.join(repoRoot, "test/fixtures/third-party/lodash");
const syntheticFiles = 10_000;
const latencyQueries = 200;
const topK = 5;
/** Ranks past this count as a miss for MRR. */
const mrrDepth = 50;

interface LabelledQuery {
  query: string;
  file: string;
}

interface Quality {
  recall: number;
  mrr: number;
  queries: number;
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function toPosix(file: string): string {
  return file.replace(/\\/g, "/");
}

function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!alwaysExcludedFolders.includes(entry.name)) walk(path.join(directory, entry.name));
      } else if (entry.isFile()) files.push(toPosix(path.join(directory, entry.name)));
    }
  };
  walk(root);
  return files.sort();
}

async function buildIndex(
  root: string,
  onFile?: (file: string, chunks: readonly Chunk[]) => void,
): Promise<{ index: RetrievalIndex; files: number; chunks: number }> {
  const grammars = { load: (file: string) => readFile(path.join(repoRoot, "grammars", file)) };
  const definitions = new DefinitionsByLanguage(await nativeDefinitionsLoader(grammars), (languageId, error) => {
    throw new Error(`the ${languageId} grammar did not load: ${String(error)}`);
  });
  const posixRoot = toPosix(root);
  const indexer = new SymbolIndexer(definitions, diskFiles, [posixRoot]);
  const index = new RetrievalIndex();
  let files = 0;
  for (const file of listFiles(root)) {
    const verdict = await indexer.indexFile(file);
    if (!verdict.indexed) continue;
    index.setFile(file, path.posix.relative(posixRoot, file), verdict.chunks);
    onFile?.(file, verdict.chunks);
    files++;
  }
  return { index, files, chunks: index.chunkCount };
}

/** The first sentence of a doc comment: up to the first full stop followed by a space or the end, on one line. */
function firstSentence(doc: string): string {
  const text = doc.replace(/\s+/g, " ").trim();
  const end = text.search(/\.(\s|$)/);
  return end < 0 ? text : text.slice(0, end + 1);
}

/** JSDoc blocks followed by a function (declaration or assigned), and Python docstrings right below a def. */
function documentedFunctions(text: string): Array<{ name: string; doc: string }> {
  const found: Array<{ name: string; doc: string }> = [];
  const jsdoc =
    /\/\*\*((?:[^*]|\*(?!\/))*)\*\/\s*(?:export\s+)?(?:async\s+)?(?:function\s*\*?\s*([A-Za-z_$][\w$]*)|(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s+)?(?:function|\())/g;
  for (const match of text.matchAll(jsdoc)) {
    const description = match[1]
      .split("\n")
      .map((line) => line.replace(/^\s*\*\s?/, ""))
      .join("\n")
      .split(/\n\s*@/)[0];
    const name = match[2] ?? match[3];
    if (name) found.push({ name, doc: description });
  }
  const python = /^\s*(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\([^)]*\)[^:]*:\s*\n\s*[rRuU]?("""|''')([\s\S]*?)\2/gm;
  for (const match of text.matchAll(python)) found.push({ name: match[1], doc: match[3] });
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function docstringQueries(root: string): LabelledQuery[] {
  const queries: LabelledQuery[] = [];
  for (const file of listFiles(root)) {
    if (!/\.(js|ts|py)$/.test(file)) continue;
    for (const { name, doc } of documentedFunctions(readFileSync(file, "utf8"))) {
      const sentence = firstSentence(doc)
        .replace(new RegExp(`\\b${escapeRegExp(name)}\\b`, "g"), "")
        .replace(/\s+/g, " ")
        .trim();
      if (sentence.split(" ").length < 3) continue;
      queries.push({ query: sentence, file: path.posix.relative(toPosix(root), file) });
    }
  }
  return queries;
}

/** Chunks ranked, then read as files: a file's rank is that of its best chunk. */
function rankedFiles(index: RetrievalIndex, query: string, root: string): string[] {
  return filesOf(index.query(query, mrrDepth * 4), root);
}

function filesOf(chunks: readonly Pick<RankedChunk, "path">[], root: string): string[] {
  const files: string[] = [];
  for (const chunk of chunks) {
    const file = path.posix.relative(root, chunk.path);
    if (!files.includes(file)) files.push(file);
    if (files.length >= mrrDepth) break;
  }
  return files;
}

function evaluate(rank: (query: string) => string[], queries: readonly LabelledQuery[]): Quality {
  let found = 0;
  let reciprocal = 0;
  for (const { query, file } of queries) {
    const ranked = rank(query);
    const position = ranked.indexOf(file);
    if (position >= 0 && position < topK) found++;
    else if (process.argv.includes("--misses"))
      console.log(`  miss: ${file} <- "${query}" (got ${ranked.slice(0, 3).join(", ")})`);
    if (position >= 0) reciprocal += 1 / (position + 1);
  }
  return { recall: found / queries.length, mrr: reciprocal / queries.length, queries: queries.length };
}

/** How many chunks a hybrid question asks for in the quality runs. */
const hybridLimitOuter = mrrDepth * 2;

/** Chunks per embed request, as the extension's worker sends them. */
const embeddingBatch = 8;

interface EmbeddingQuality {
  embeddings: Quality;
  hybrid: Quality;
  /** The same with every vector scanned (ChunkEmbeddings.nearestExact), the reference for the two-pass search. */
  embeddingsExact: Quality;
  hybridExact: Quality;
  chunks: number;
  truncated: number;
  seconds: number;
  model: string;
}

/**
 * Embeds every chunk and query through the real host, then ranks by the embeddings alone (ChunkEmbeddings.nearest)
 * and as the extension does with both (WorkspaceRetrieval.retrieve with the query's vector: BM25 fused with them);
 * and both again with every vector scanned exactly instead of the two-pass search.
 */
async function embeddingQuality(
  root: string,
  index: RetrievalIndex,
  fileChunks: ReadonlyMap<string, readonly Chunk[]>,
  queries: readonly LabelledQuery[],
  embeddingModel: string,
): Promise<EmbeddingQuality> {
  const host = createTestHost(hostConfig(ensureScriptedModel("standard"), { embeddingModelPath: embeddingModel }));
  try {
    const info = await host.client.start();
    if (info.embeddingModel === undefined)
      throw new Error(info.embeddingFailure?.message ?? "the host did not load the embedding model");
    const retrieval = new WorkspaceRetrieval([root], null);
    const embeddings = new ChunkEmbeddings("bench");
    for (const [file, chunks] of fileChunks) {
      retrieval.setFile(file, chunks);
      embeddings.setFile(file, chunks);
    }
    retrieval.useEmbeddingModel("bench");
    const started = performance.now();
    let truncated = 0;
    for (;;) {
      const batch = await retrieval.pendingEmbeddings(embeddingBatch);
      if (batch.chunks.length === 0) break;
      const result = await host.client.embed({ purpose: "document", texts: batch.texts });
      truncated += result.truncated;
      retrieval.storeEmbeddings(batch.chunks, result.vectors);
      batch.chunks.forEach((chunk, index) => embeddings.store(chunk, result.vectors[index]));
    }
    const seconds = (performance.now() - started) / 1000;
    const queryVectors = new Map<string, number[]>();
    for (let start = 0; start < queries.length; start += embeddingBatch) {
      const texts = queries.slice(start, start + embeddingBatch).map(({ query }) => query);
      const { vectors } = await host.client.embed({ purpose: "query", texts });
      texts.forEach((text, index) => queryVectors.set(text, vectors[index]));
    }
    const vectorOf = (query: string): number[] => queryVectors.get(query) ?? [];
    const semantic = evaluate((query) => filesOf(embeddings.nearest(vectorOf(query), mrrDepth * 4), root), queries);
    const hybridRanks = new Map<string, string[]>();
    for (const { query } of queries) {
      hybridRanks.set(query, filesOf(await retrieval.retrieve(query, hybridLimitOuter, vectorOf(query)), root));
    }
    const hybrid = evaluate((query) => hybridRanks.get(query) ?? [], queries);
    const semanticExact = evaluate(
      (query) => filesOf(embeddings.nearestExact(vectorOf(query), mrrDepth * 4), root),
      queries,
    );
    const hybridLimit = hybridLimitOuter;
    const depth = Math.max(hybridLimit, fusionDepth);
    const hybridExact = evaluate(
      (query) =>
        filesOf(
          fuseRankings([index.query(query, depth), embeddings.nearestExact(vectorOf(query), depth)], hybridLimit),
          root,
        ),
      queries,
    );
    return {
      embeddings: semantic,
      hybrid,
      embeddingsExact: semanticExact,
      hybridExact,
      chunks: retrieval.embeddingCounts().embedded,
      truncated,
      seconds,
      model: info.embeddingModel.name,
    };
  } finally {
    await host.client.dispose();
  }
}

/** nomic-embed-text's width: the synthetic repository's chunks get vectors this wide. */
const scanDimensions = 768;

/** A synthetic vector (only the cost is measured): fills `into` from a seed, xorshift32 in [-1, 1). */
function syntheticVector(seed: number, into: Float32Array): Float32Array {
  let state = Math.imul(seed + 1, 2654435761) >>> 0 || 1;
  for (let index = 0; index < into.length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    into[index] = (state >>> 0) / 2147483648 - 1;
  }
  return into;
}

/**
 * The vector search of before, as the baseline: a typed array per chunk in spans per file, every one scored in turn
 * and the best kept in a sorted list.
 */
class PerChunkScan {
  private readonly files = new Map<string, Array<{ startLine: number; endLine: number; vector: Int8Array }>>();

  add(path: string, startLine: number, endLine: number, vector: Int8Array): void {
    const spans = this.files.get(path) ?? [];
    spans.push({ startLine, endLine, vector });
    this.files.set(path, spans);
  }

  nearest(query: ArrayLike<number>, limit: number): RankedChunk[] {
    const target = quantize(query);
    if (!target) return [];
    const scored = function* (files: PerChunkScan["files"]): Generator<RankedChunk> {
      for (const [path, spans] of files)
        for (const { startLine, endLine, vector } of spans)
          yield { path, startLine, endLine, symbols: [], score: similarity(target, vector) };
    };
    const best: RankedChunk[] = [];
    for (const chunk of scored(this.files)) {
      if (best.length === limit && chunk.score <= best[best.length - 1].score) continue;
      let at = best.length;
      while (at > 0 && best[at - 1].score < chunk.score) at--;
      best.splice(at, 0, chunk);
      if (best.length > limit) best.pop();
    }
    return best;
  }
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

// ---- The synthetic repository, indexed in a child process ----

const vocabulary = (
  "account address amount archive array balance batch buffer cache cart channel chunk client column config " +
  "connection context counter cursor customer date decode delta document draft encode entry event export field " +
  "filter format frame graph handler header history image index invoice item journal key layout ledger limit " +
  "line list lock message metric model module node order owner packet page parser path payment point policy " +
  "price profile queue range record region report request response result route row schema score session " +
  "shape signal socket source stream summary table task tenant token total trace tree upload user value vector " +
  "window worker"
).split(" ");
const verbs =
  "build check compute create delete encode fetch find load merge parse read render resolve save send sort split update validate write".split(
    " ",
  );

function pick<T>(items: readonly T[], seed: number): T {
  return items[Math.abs(Math.imul(seed, 2654435761) >>> 0) % items.length];
}

function syntheticFile(fileNumber: number): string {
  const parts: string[] = [`import { helper${fileNumber % 97} } from "./shared/helpers${fileNumber % 13}";`, ""];
  for (let fn = 0; fn < 6; fn++) {
    const seed = fileNumber * 31 + fn * 7;
    const verb = pick(verbs, seed);
    const noun = pick(vocabulary, seed + 1);
    const other = pick(vocabulary, seed + 2);
    const name = `${verb}${noun[0].toUpperCase()}${noun.slice(1)}${fn}`;
    parts.push(
      `/** ${verb[0].toUpperCase()}${verb.slice(1)}s the ${noun} of a ${other}, checking its ${pick(vocabulary, seed + 3)}. */`,
      `export function ${name}(${other}: Record<string, number>, limit = ${fn + 1}): number {`,
      `  let ${noun}Total = 0;`,
      `  for (const [key, value] of Object.entries(${other})) {`,
      `    if (key.startsWith("${pick(vocabulary, seed + 4)}") && value < limit) ${noun}Total += value;`,
      `  }`,
      `  return helper${fileNumber % 97}(${noun}Total);`,
      `}`,
      "",
    );
  }
  return parts.join("\n");
}

function writeSyntheticRepository(root: string): void {
  for (let file = 0; file < syntheticFiles; file++) {
    const folder = path.join(root, `packages/p${Math.floor(file / 500)}/src/${pick(vocabulary, file)}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `module${file}.ts`), syntheticFile(file));
  }
}

interface CostReport {
  files: number;
  chunks: number;
  seconds: number;
  /** The peak's growth over the process's resident size before indexing began. */
  peakMegabytes: number;
  /** The process's own peak resident size, everything included (Node, tsx, grammars). */
  peakTotalMegabytes: number;
  /** How the peak was read: the kernel's high-water mark, or sampling where /proc has none. */
  peakSource: string;
  retainedMegabytes: number;
  storedMegabytes: number;
  /** The vectors' stored form (with `vectors` only). */
  storedVectorMegabytes?: number;
  p50: number;
  p95: number;
  cpuP50: number;
  cpuP95: number;
  /** With every chunk's vector held: the hybrid question's figures, and those of the scans it is compared with. */
  hybrid?: {
    vectorMegabytes: number;
    twoPass: Latency;
    exact: Latency;
    perChunk: Latency;
  };
}

interface Latency {
  p50: number;
  p95: number;
  cpuP50: number;
  cpuP95: number;
}

function latency(rank: (query: number) => void, queries: number): Latency {
  const timings: number[] = [];
  const cpuTimings: number[] = [];
  for (let query = 0; query < queries; query++) {
    const cpu = process.cpuUsage();
    const begin = performance.now();
    rank(query);
    timings.push(performance.now() - begin);
    const spent = process.cpuUsage(cpu);
    cpuTimings.push((spent.user + spent.system) / 1000);
  }
  timings.sort((a, b) => a - b);
  cpuTimings.sort((a, b) => a - b);
  return {
    p50: percentile(timings, 0.5),
    p95: percentile(timings, 0.95),
    cpuP50: percentile(cpuTimings, 0.5),
    cpuP95: percentile(cpuTimings, 0.95),
  };
}

function latencyText({ p50, p95, cpuP50, cpuP95 }: Latency): string {
  return `p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (CPU p50 ${cpuP50.toFixed(1)} ms, p95 ${cpuP95.toFixed(1)} ms)`;
}

/** A field of /proc/self/status in bytes (Linux); undefined elsewhere. */
function procStatusBytes(field: "VmHWM" | "VmRSS"): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function latencyQuery(query: number): string {
  return `${pick(verbs, query)} the ${pick(vocabulary, query + 5)} of each ${pick(vocabulary, query + 9)} with its ${pick(vocabulary, query + 3)} limit`;
}

/**
 * Run in the child: index the synthetic repository, then time queries. With `vectors`, every chunk gets a synthetic
 * 768-wide vector as its file is indexed (as a session that loaded its stored vectors holds them while its listing
 * indexes every file again), so the peak includes them; then hybrid questions are timed too.
 */
async function measureCost(root: string, vectors: boolean): Promise<CostReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = process.memoryUsage();
  const baselineRss = procStatusBytes("VmRSS") ?? baseline.rss;
  // Where the kernel keeps no high-water mark, sampling every 20 ms is the fallback (it can miss a short peak).
  let sampled = baseline.rss;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const embeddings = new ChunkEmbeddings("synthetic");
  const vector = new Float32Array(scanDimensions);
  let seed = 0;
  const { index, files, chunks } = await buildIndex(
    root,
    vectors
      ? (file, fileChunks) => {
          embeddings.setFile(file, fileChunks);
          for (const chunk of embeddings.pending(fileChunks.length))
            embeddings.store(chunk, syntheticVector(seed++, vector));
        }
      : undefined,
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sampled = Math.max(sampled, process.memoryUsage().rss);
  const highWater = procStatusBytes("VmHWM");
  const peak = highWater ?? sampled;
  gc?.();
  const retained = process.memoryUsage().heapUsed - baseline.heapUsed;
  let storedBytes = 0;
  for (const record of index.storedRecords()) storedBytes += JSON.stringify(record).length + 1;
  const storedMegabytes = storedBytes / 1048576;
  const keyword = latency((query) => index.query(latencyQuery(query), 20), latencyQueries);
  let hybrid: CostReport["hybrid"];
  let storedVectorMegabytes: number | undefined;
  if (vectors) {
    const queryVector = (query: number): Float32Array =>
      syntheticVector(10_000_000 + query, new Float32Array(scanDimensions));
    const depth = fusionDepth;
    const twoPass = latency(
      (query) => hybridRanking(index, embeddings, latencyQuery(query), 20, queryVector(query)),
      latencyQueries,
    );
    const exact = latency(
      (query) =>
        fuseRankings([index.query(latencyQuery(query), depth), embeddings.nearestExact(queryVector(query), depth)], 20),
      latencyQueries / 4,
    );
    // The baseline last, after the peak was read: its per-chunk arrays are not in the figures above.
    const perChunk = new PerChunkScan();
    for (let chunk = 0; chunk < seed; chunk++) {
      const line = (chunk % 7) * 10;
      const quantized = quantize(syntheticVector(chunk, vector)) as Int8Array;
      perChunk.add(`/synthetic/module${Math.floor(chunk / 7)}.ts`, line, line + 9, quantized);
    }
    const baselineScan = latency(
      (query) =>
        fuseRankings([index.query(latencyQuery(query), depth), perChunk.nearest(queryVector(query), depth)], 20),
      latencyQueries / 4,
    );
    storedVectorMegabytes = embeddings.toStored().reduce((sum, part) => sum + part.length, 0) / 1048576;
    hybrid = {
      vectorMegabytes: (embeddings.counts().embedded * scanDimensions * (1 + 1 / 8)) / 1048576,
      twoPass,
      exact,
      perChunk: baselineScan,
    };
  }
  return {
    files,
    chunks,
    seconds,
    peakMegabytes: (peak - baselineRss) / 1048576,
    peakTotalMegabytes: peak / 1048576,
    peakSource: highWater === undefined ? "RSS sampled every 20 ms" : "VmHWM from /proc/self/status",
    retainedMegabytes: retained / 1048576,
    storedMegabytes,
    ...keyword,
    storedVectorMegabytes,
    hybrid,
  };
}

interface StartReport {
  /** From the thread's start until it reported the listing done. */
  seconds: number;
  /** Of which the listing itself, from the thread's own report: the rest is its start and the store's load. */
  listingSeconds: number;
  parsed: number;
  unchanged: number;
  skipped: number;
  peakMegabytes: number;
  storedMegabytes: number;
  /** With an embedding model set: the chunks it embedded, the seconds from idle until none waited, the vectors' file. */
  embedded?: number;
  embeddingSeconds?: number;
  storedVectorMegabytes?: number;
}

/**
 * Run in a child: one start of the extension's worker thread over the repository with `store`, as the extension
 * starts it, up to the end of its listing and the save that follows.
 */
async function measureStart(root: string, store: string, embed: boolean): Promise<StartReport> {
  const baselineRss = procStatusBytes("VmRSS") ?? process.memoryUsage().rss;
  const vectorStore = path.join(path.dirname(store), `${path.basename(store, ".json")}-embeddings.bin`);
  const mtime = (file: string): number | undefined => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
  const storedBefore = mtime(store);
  const vectorsBefore = mtime(vectorStore);
  const started = performance.now();
  const worker = new Worker(path.join(repoRoot, "dist/symbolIndexWorker.js"), {
    workerData: { grammarDirectory: path.join(repoRoot, "grammars"), roots: [toPosix(root)], retrievalStore: store },
    resourceLimits: indexerResourceLimits,
  });
  let embeddedChunks = 0;
  const scratchVector = new Float32Array(scanDimensions);
  let idleAt = started;
  let embeddedAt = started;
  const idle = await new Promise<{
    indexedFiles: number;
    unchangedFiles: number;
    skippedFiles: number;
    elapsedMs: number;
  }>((resolve, reject) => {
    let listed: { indexedFiles: number; unchangedFiles: number; skippedFiles: number; elapsedMs: number } | undefined;
    worker.on("message", (message: unknown) => {
      if (!isFromIndexer(message)) return;
      if (message.kind === "idle") {
        listed = message;
        idleAt = performance.now();
        if (!embed) resolve(message);
      }
      // As the extension's host would: a synthetic vector per text, after the keyword listing.
      if (message.kind === "embed") {
        // One scratch array: 70,000 typed arrays of the bench's own would weigh on the peak measured for the thread.
        const vectors = message.texts.map(() => Array.from(syntheticVector(embeddedChunks++, scratchVector)));
        worker.postMessage({ kind: "embedded", id: message.id, vectors } satisfies ToIndexer);
      }
      if (message.kind === "embeddingProgress" && listed !== undefined && message.done === message.total) {
        embeddedAt = performance.now();
        resolve(listed);
      }
      if (message.kind === "failed") reject(new Error(message.message));
    });
    worker.on("error", reject);
    if (embed) worker.postMessage({ kind: "embeddings", model: `synthetic-${scanDimensions}` } satisfies ToIndexer);
    worker.postMessage({ kind: "index", files: listFiles(root) } satisfies ToIndexer);
  });
  const seconds = (idleAt - started) / 1000;
  // A start that changed anything writes the store after its idle report (the vectors after the last one is
  // embedded): the next start needs them.
  while (idle.indexedFiles > 0 && mtime(store) === storedBefore)
    await new Promise((resolve) => setTimeout(resolve, 50));
  while (embeddedChunks > 0 && mtime(vectorStore) === vectorsBefore)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const peak = procStatusBytes("VmHWM") ?? process.memoryUsage().rss;
  const exited = new Promise((resolve) => worker.once("exit", resolve));
  worker.postMessage({ kind: "shutdown" } satisfies ToIndexer);
  await exited;
  return {
    seconds,
    listingSeconds: idle.elapsedMs / 1000,
    parsed: idle.indexedFiles,
    unchanged: idle.unchangedFiles,
    skipped: idle.skippedFiles,
    peakMegabytes: (peak - baselineRss) / 1048576,
    storedMegabytes: statSync(store).size / 1048576,
    ...(embed && {
      embedded: embeddedChunks,
      embeddingSeconds: (embeddedAt - idleAt) / 1000,
      storedVectorMegabytes: (statSync(vectorStore, { throwIfNoEntry: false })?.size ?? 0) / 1048576,
    }),
  };
}

function inChild<T>(...args: string[]): T {
  const output = execFileSync(
    process.execPath,
    ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url), ...args],
    { encoding: "utf8", maxBuffer: 1 << 20 },
  );
  return JSON.parse(output.trim().split("\n").pop() ?? "{}") as T;
}

/** The keyword index alone, then with every chunk's vector, then the worker's two starts, each in a child of its own. */
function costInChildren(): {
  cost: CostReport;
  withVectors: CostReport;
  first: StartReport;
  second: StartReport;
  firstEmbedded: StartReport;
  secondEmbedded: StartReport;
} {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "retrieval-bench-"));
  const storage = mkdtempSync(path.join(os.tmpdir(), "retrieval-bench-store-"));
  try {
    writeSyntheticRepository(scratch);
    const cost = inChild<CostReport>("--cost-child", scratch);
    const withVectors = inChild<CostReport>("--cost-child", scratch, "--vectors");
    const store = path.join(storage, "retrieval-index.json");
    const first = inChild<StartReport>("--start-child", scratch, store);
    const second = inChild<StartReport>("--start-child", scratch, store);
    const embeddedStore = path.join(storage, "retrieval-index-embedded.json");
    const firstEmbedded = inChild<StartReport>("--start-child", scratch, embeddedStore, "--embed");
    const secondEmbedded = inChild<StartReport>("--start-child", scratch, embeddedStore, "--embed");
    return { cost, withVectors, first, second, firstEmbedded, secondEmbedded };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    rmSync(storage, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const child = argument("--cost-child");
  if (child) {
    process.stdout.write(`${JSON.stringify(await measureCost(child, process.argv.includes("--vectors")))}\n`);
    return;
  }
  const startChild = argument("--start-child");
  if (startChild) {
    const index = process.argv.indexOf("--start-child");
    const report = await measureStart(startChild, process.argv[index + 2], process.argv.includes("--embed"));
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const repo = path.resolve(argument("--repo") ?? fixtureRepo);
  const queriesFile = argument("--queries");
  if (argument("--repo") !== undefined && queriesFile === undefined)
    throw new Error("--repo needs --queries FILE.json");
  const queries: LabelledQuery[] = queriesFile
    ? (JSON.parse(readFileSync(queriesFile, "utf8")) as LabelledQuery[])
    : docstringQueries(repo);
  if (
    !Array.isArray(queries) ||
    queries.some((entry) => typeof entry.query !== "string" || typeof entry.file !== "string")
  )
    throw new Error(`${queriesFile}: expected a JSON array of {"query": "...", "file": "relative/path"}`);
  if (queries.length === 0) throw new Error(`no queries for ${repo}`);
  statSync(repo);

  const fileChunks = new Map<string, readonly Chunk[]>();
  const built = await buildIndex(repo, (file, chunks) => fileChunks.set(file, chunks));
  const root = toPosix(repo);
  console.log(
    `Repository: ${path.relative(repoRoot, repo) || repo}: ${built.files} files, ${built.chunks} chunks; ${queries.length} queries.`,
  );
  const keyword = evaluate((query) => rankedFiles(built.index, query, root), queries);
  console.log(
    `keyword (BM25, MiniSearch):  recall@${topK} ${keyword.recall.toFixed(2)}, MRR ${keyword.mrr.toFixed(2)}`,
  );
  const givenModel = argument("--embedding-model");
  const semantic = await embeddingQuality(
    root,
    built.index,
    fileChunks,
    queries,
    path.resolve(givenModel ?? ensureEmbeddingModel()),
  );
  const whose =
    givenModel === undefined
      ? "benchmark embedding model, random weights: these figures say nothing about a real model"
      : semantic.model;
  console.log(
    `embeddings (${whose}):  recall@${topK} ${semantic.embeddings.recall.toFixed(2)}, MRR ${semantic.embeddings.mrr.toFixed(2)}; ` +
      `${semantic.chunks} chunks embedded through the host in ${semantic.seconds.toFixed(1)} s (${semantic.truncated} cut to the embedding context)`,
  );
  console.log(
    `hybrid (BM25 + embeddings, reciprocal rank fusion):  recall@${topK} ${semantic.hybrid.recall.toFixed(2)}, MRR ${semantic.hybrid.mrr.toFixed(2)}`,
  );
  console.log(
    `  the same with every vector scanned exactly instead of sign bits then 8-bit rescoring: embeddings recall@${topK} ` +
      `${semantic.embeddingsExact.recall.toFixed(2)}, MRR ${semantic.embeddingsExact.mrr.toFixed(2)}; hybrid recall@${topK} ` +
      `${semantic.hybridExact.recall.toFixed(2)}, MRR ${semantic.hybridExact.mrr.toFixed(2)}`,
  );
  if (process.argv.includes("--quality-only")) return;

  const { cost, withVectors, first, second, firstEmbedded, secondEmbedded } = costInChildren();
  console.log(
    `Synthetic repository: ${cost.files} files, ${cost.chunks} chunks, indexed in ${cost.seconds.toFixed(1)} s ` +
      `(native tree-sitter parse + chunking + MiniSearch, one thread); peak resident size ${cost.peakMegabytes.toFixed(0)} MB ` +
      `above the process's before indexing (${cost.peakTotalMegabytes.toFixed(0)} MB in all, ${cost.peakSource}), ` +
      `index heap after GC ${cost.retainedMegabytes.toFixed(0)} MB, stored index ${cost.storedMegabytes.toFixed(0)} MB.`,
  );
  console.log(
    `Query latency over ${latencyQueries} queries: p50 ${cost.p50.toFixed(1)} ms, p95 ${cost.p95.toFixed(1)} ms ` +
      `(CPU time per query p50 ${cost.cpuP50.toFixed(1)} ms, p95 ${cost.cpuP95.toFixed(1)} ms: wall time overstates on a loaded machine).`,
  );
  const hybrid = withVectors.hybrid;
  if (hybrid)
    console.log(
      `Hybrid (keyword + ${scanDimensions}-wide vectors of all ${withVectors.chunks} chunks, synthetic, ${hybrid.vectorMegabytes.toFixed(0)} MB with their sign bits; ` +
        `stored ${withVectors.storedVectorMegabytes?.toFixed(0)} MB): peak resident size ${withVectors.peakMegabytes.toFixed(0)} MB above the process's before indexing ` +
        `(${withVectors.peakTotalMegabytes.toFixed(0)} MB in all); over ${latencyQueries} questions: ${latencyText(hybrid.twoPass)}. ` +
        `Baseline, the per-chunk 8-bit scan of before: ${latencyText(hybrid.perChunk)}; ` +
        `exact 8-bit scan of the new store: ${latencyText(hybrid.exact)} (each over ${latencyQueries / 4}).`,
    );
  const start = (report: StartReport): string =>
    `${report.seconds.toFixed(1)} s to idle (the listing ${report.listingSeconds.toFixed(1)} s of it), ${report.parsed} files parsed, ${report.unchanged} unchanged, ` +
    `${report.skipped} skipped, peak ${report.peakMegabytes.toFixed(0)} MB`;
  console.log(
    `Extension's worker thread on the same repository, with its store (${second.storedMegabytes.toFixed(0)} MB): ` +
      `first start ${start(first)}; second start, unchanged workspace: ${start(second)}.`,
  );
  const embedded = (report: StartReport): string =>
    `${start(report)}, ${report.embedded ?? 0} chunks embedded in ${(report.embeddingSeconds ?? 0).toFixed(1)} s after idle`;
  console.log(
    `The same with a ${scanDimensions}-wide embedding model set (synthetic vectors, answered as the host would; ` +
      `stores ${secondEmbedded.storedMegabytes.toFixed(0)} MB + ${(secondEmbedded.storedVectorMegabytes ?? 0).toFixed(0)} MB of vectors): ` +
      `first start ${embedded(firstEmbedded)}; second start, stored index and vectors loaded: ${embedded(secondEmbedded)}.`,
  );
  console.log(
    `retrieval: recall@5 ${keyword.recall.toFixed(2)}, MRR ${keyword.mrr.toFixed(2)} over ${keyword.queries} queries (keyword); ` +
      `index 10k files in ${cost.seconds.toFixed(1)} s, ${cost.peakMegabytes.toFixed(0)} MB; query p95 ${cost.p95.toFixed(0)} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
