// npm run bench:completion — per-keystroke cost of the completion pipeline (no model time) and
// the "truth as the model" truncation accuracy, on real code from node_modules and the Python stdlib; last, early stop
// (earlyStop.ts). Flags: --no-host skips everything that needs a model; --early-stop runs only the truncation corpus
// and the early-stop section.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance as loopPerformance, PerformanceObserver, constants as perfConstants } from "node:perf_hooks";
import v8 from "node:v8";
import { Worker } from "node:worker_threads";
import type { Language, Node } from "web-tree-sitter";
import { decideMode } from "../../extension/src/core/completion/mode";
import { postProcess } from "../../extension/src/core/completion/postProcess";
import { buildPromptPieces, defaultPromptBudget, promptWindowChars } from "../../extension/src/core/completion/prompt";
import { decideTrigger } from "../../extension/src/core/completion/trigger";
import { CompletionEngine } from "../../extension/src/core/completion/engine";
import { DefinitionContext } from "../../extension/src/core/syntax/definitionContext";
import { QueryStore } from "../../extension/src/core/syntax/queries";
import type { GenerationResult, InfillParams } from "../../extension/src/core/protocol/host";
import { createTestHost, hostConfig } from "../fixtures/hostHarness";
import { ensureScriptedModel } from "../fixtures/scriptedModel";
import { ensureBenchModel } from "../fixtures/benchModel";
import { EarlyStopAccuracy, earlyStopThroughHost, perTokenCost } from "./earlyStop";
import { DocumentTree } from "../../extension/src/core/syntax/documentTree";
import { cursorInText, InsertionParser } from "../../extension/src/core/syntax/insertionParser";
import { linesReader, textReader } from "../../extension/src/core/syntax/documentReader";
import {
  DefinitionsByLanguage,
  SymbolIndexer,
  WorkspaceSymbolIndex,
  type DefinitionParser,
} from "../../extension/src/core/syntax/symbolIndex";
import { diskFiles } from "../../extension/src/node/syntax/diskFiles";
import { nativeDefinitionsLoader } from "../../extension/src/node/syntax/nativeDefinitions";
import { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import { IndexerDefinitions } from "../../extension/src/core/syntax/importedDefinitions";
import { WasmDefinitions } from "../../extension/src/core/syntax/wasmDefinitions";
import { isFromIndexer, type IndexerWorkerData } from "../../extension/src/core/syntax/symbolIndexProtocol";

const root = path.resolve(__dirname, "../..");
const style = { insertSpaces: true, tabSize: 4 };

function filesUnder(directory: string, extension: string, limit: number): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (found.length >= limit) return;
      const full = path.join(dir, name);
      const stat = statSync(full);
      if (stat.isDirectory()) {
        if (name !== "test" && name !== "tests" && name !== "__pycache__" && name !== "node_modules") walk(full);
      } else if (name.endsWith(extension) && !name.endsWith(".d.ts") && stat.size < 200_000) found.push(full);
    }
  };
  walk(directory);
  return found;
}

function pythonStdlib(): string {
  return execFileSync("python3", ["-c", "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], {
    encoding: "utf8",
  }).trim();
}

interface Corpus {
  languageId: string;
  /** The folder the files come from, the workspace of the index. */
  root: string;
  files: string[];
}

function corpora(): Corpus[] {
  const stdlib = pythonStdlib();
  return [
    {
      languageId: "python",
      root: stdlib,
      files: [
        "typing.py",
        "inspect.py",
        "argparse.py",
        "tarfile.py",
        "textwrap.py",
        "dataclasses.py",
        "functools.py",
        "shutil.py",
        "json/decoder.py",
        "json/encoder.py",
        "csv.py",
        "enum.py",
      ].map((f) => path.join(stdlib, f)),
    },
    {
      languageId: "typescript",
      root: path.join(root, "node_modules/@azure/msal-browser/src"),
      files: filesUnder(path.join(root, "node_modules/@azure/msal-browser/src"), ".ts", 120),
    },
    {
      languageId: "javascript",
      root: path.join(root, "node_modules/mocha/lib"),
      files: filesUnder(path.join(root, "node_modules/mocha/lib"), ".js", 60),
    },
  ];
}

/** Whole files concatenated until the text has at least `lines` lines. */
function fileOfLines(corpus: Corpus, lines: number): string {
  let text = "";
  for (const file of corpus.files) {
    text += readFileSync(file, "utf8") + "\n";
    if (text.split("\n").length >= lines) break;
  }
  return text.split("\n").slice(0, lines).join("\n");
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function format(values: number[]): string {
  return `p50 ${percentile(values, 50).toFixed(2)} ms, p95 ${percentile(values, 95).toFixed(2)} ms`;
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

/**
 * Milliseconds this thread has been busy: the wall clock less the time its event loop waited idle (for the worker's
 * answer, a file read). That is what a keystroke costs the extension host; the process's CPU time would also count
 * the symbol index worker and V8's helper threads, and Node 20 has no clock of one thread's CPU.
 */
function busyMs(): number {
  return performance.now() - loopPerformance.eventLoopUtilization().idle;
}

/** Bytes on V8's heap now; a stage's difference is what it allocated, unless a collection ran in between. */
function heapBytes(): number {
  return v8.getHeapStatistics().used_heap_size;
}

/** The garbage collections that run while `during` does, by kind, with their pauses in ms. */
async function collectionsDuring(
  during: () => Promise<void>,
): Promise<{ scavenges: number[]; fullCollections: number[] }> {
  const scavenges: number[] = [];
  const fullCollections: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR ? scavenges : fullCollections).push(entry.duration);
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  try {
    await during();
    // Entries are delivered asynchronously.
    await new Promise((resolve) => setImmediate(resolve));
    return { scavenges, fullCollections };
  } finally {
    observer.disconnect();
  }
}

/** What the provider reads around the cursor on every keystroke of a parsed document (inlineCompletionProvider.ts). */
const keystrokeWindowChars = promptWindowChars(defaultPromptBudget) + 16_000;

/** The text around (row, column) as getText(range) gives it: whole lines, at least `chars` on each side where there are. */
function textAround(
  lines: readonly string[],
  row: number,
  column: number,
  chars: number,
): { text: string; prefix: string; suffix: string; windowStart: number } {
  let first = row;
  let before = column;
  while (first > 0 && before < chars) before += lines[--first].length + 1;
  let last = row;
  let after = lines[row].length - column;
  while (last < lines.length - 1 && after < chars) after += lines[++last].length + 1;
  const text = lines.slice(first, last + 1).join("\n");
  let windowStart = 0;
  for (let index = 0; index < first; index++) windowStart += lines[index].length + 1;
  return { text, prefix: text.slice(0, before), suffix: text.slice(before), windowStart };
}

/**
 * The workspace index the prompt reads, built here from the corpus's own files as the worker builds it (native
 * tree-sitter). Prints the indexing time of the same files with native tree-sitter and with web-tree-sitter, each
 * the better of two runs after a run that loads the grammars and warms the file cache.
 */
async function corpusIndex(corpus: Corpus): Promise<WorkspaceSymbolIndex> {
  const grammars = { load: (file: string) => readFile(path.join(root, "grammars", file)) };
  const failed = (languageId: string, error: unknown): never => {
    throw new Error(`${languageId}: ${String(error)}`);
  };
  const native = new DefinitionsByLanguage(await nativeDefinitionsLoader(grammars), failed);
  const wasmDefinitions = new WasmDefinitions(grammars);
  const wasm = new DefinitionsByLanguage(wasmDefinitions.load, failed);
  const cpuMs = (): number => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  const build = async (
    parser: DefinitionParser,
  ): Promise<{ index: WorkspaceSymbolIndex; ms: number; cpuMs: number }> => {
    const index = new WorkspaceSymbolIndex();
    const indexer = new SymbolIndexer(parser, diskFiles, [corpus.root]);
    const start = performance.now();
    const cpuStart = cpuMs();
    for (const file of corpus.files) {
      const verdict = await indexer.indexFile(file);
      if (verdict.indexed) index.setFile(file, verdict.symbols);
    }
    return { index, ms: performance.now() - start, cpuMs: cpuMs() - cpuStart };
  };
  await build(native);
  await build(wasm);
  const runs = { native: [await build(native)], wasm: [await build(wasm)] };
  runs.native.push(await build(native));
  runs.wasm.push(await build(wasm));
  wasmDefinitions.dispose();
  const best = (list: Array<{ ms: number; cpuMs: number }>): string =>
    `${Math.min(...list.map((run) => run.ms)).toFixed(0)} ms (CPU ${Math.min(...list.map((run) => run.cpuMs)).toFixed(0)} ms)`;
  const bytes = (await Promise.all(corpus.files.map((file) => stat(file).then((info) => info.size)))).reduce(
    (sum, size) => sum + size,
    0,
  );
  console.log(
    `  ${corpus.languageId.padEnd(10)} workspace index of ${corpus.files.length} files (${(bytes / 1024).toFixed(0)} KB): native tree-sitter ${best(runs.native)}, web-tree-sitter ${best(runs.wasm)}`,
  );
  return runs.native[0].index;
}

async function keystrokeCost(
  runtime: SyntaxRuntime,
  queries: QueryStore,
  corpus: Corpus,
  language: Language,
): Promise<void> {
  const lines = fileOfLines(corpus, 5000).split("\n");
  let text = lines.join("\n");
  // The file stands where its first part lives, so that its relative imports resolve to real files.
  const documentPath = corpus.files[0];
  const symbols = await corpusIndex(corpus);
  // Imported files are read and parsed by the symbol index worker, as in the extension: not on this thread.
  const worker = new Worker(path.join(root, "dist/symbolIndexWorker.js"), {
    workerData: {
      grammarDirectory: path.join(root, "grammars"),
      roots: [corpus.root],
      retrievalStore: null,
    } satisfies IndexerWorkerData,
  });
  const imported = new IndexerDefinitions();
  imported.attach((message) => worker.postMessage(message));
  worker.on("message", (message: unknown) => {
    if (isFromIndexer(message) && message.kind === "definitions") imported.receive(message);
  });
  const definitions = new DefinitionContext({
    runtime,
    queries,
    imported,
    roots: [path.dirname(documentPath)],
    symbols,
    timeLimitMs: 1000,
  });
  await queries.queriesFor(corpus.languageId, language);
  let snippetCount = 0;
  let indexedCount = 0;
  const document = new DocumentTree(runtime, language, text, 50_000_000);
  const opened = document.treeFor(textReader(text), text.length);
  if (!opened) throw new Error("the bench file should be parsed");
  // What the extension does when the document opens: have the worker read and parse the files it imports.
  const prefetchStart = performance.now();
  await definitions.prefetchImports({
    languageId: corpus.languageId,
    path: documentPath,
    tree: opened,
    cursor: 0,
    parse: document.lastParse,
  });
  const prefetchMs = performance.now() - prefetchStart;
  // The document as VS Code's model keeps it: lines, and where each starts (kept up to date by VS Code itself).
  const lineStarts: number[] = [];
  for (let row = 0, start = 0; row < lines.length; start += lines[row].length + 1, row++) lineStarts.push(start);
  const reader = linesReader({
    line: (row) => lines[row],
    positionAt: (index) => {
      let low = 0;
      let high = lineStarts.length - 1;
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (lineStarts[middle] <= index) low = middle;
        else high = middle - 1;
      }
      return { row: low, column: index - lineStarts[low] };
    },
    eol: "\n",
  });
  const random = seededRandom(42);
  const names = ["edit", "text", "parse", "context", "post", "superseded", "total"] as const;
  const wall = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    (typeof names)[number],
    number[]
  >;
  const busy = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    (typeof names)[number],
    number[]
  >;
  const allocated = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    (typeof names)[number],
    number[]
  >;
  let collections: Awaited<ReturnType<typeof collectionsDuring>>;
  try {
    collections = await collectionsDuring(async () => {
      for (let sample = 0; sample < 60; sample++) {
        text = lines.join("\n");
        // Type a short word at the end of a random line, one keystroke at a time.
        let offset = text.indexOf("\n", Math.floor(random() * text.length));
        if (offset < 0) offset = text.length;
        const row = text.slice(0, offset).split("\n").length - 1;
        for (const char of "value") {
          const column = lines[row].length;
          const change = {
            rangeOffset: offset,
            rangeLength: 0,
            start: { row, column },
            end: { row, column },
            text: char,
          };
          lines[row] += char;
          for (let later = row + 1; later < lineStarts.length; later++) lineStarts[later]++;
          offset++;
          const heapAt = [heapBytes()];
          const busyAt = [busyMs()];
          const wallAt = [performance.now()];
          const mark = (): void => {
            busyAt.push(busyMs());
            wallAt.push(performance.now());
            heapAt.push(heapBytes());
          };
          // The document's change event: the tree is only edited.
          document.edit([change]);
          mark();
          // The provider, on every keystroke: the text around the cursor (VS Code's getText(range) joins those lines), the trigger.
          const {
            text: windowText,
            prefix,
            suffix,
            windowStart,
          } = textAround(lines, row, column + 1, keystrokeWindowChars);
          decideTrigger(prefix, suffix, "automatic");
          mark();
          // Once the debounce has passed: the re-parse the request needs, reading lines where it re-lexes, then the
          // request's context (with the top of the document for its imports) and post-processing.
          const length = lineStarts[lines.length - 1] + lines[lines.length - 1].length;
          const tree = document.treeFor(reader, length);
          if (!tree) throw new Error("the bench file should be parsed");
          mark();
          const mode = decideMode(prefix, suffix, tree, style.tabSize, offset);
          const request = {
            languageId: corpus.languageId,
            path: documentPath,
            tree,
            cursor: offset,
            parse: document.lastParse,
            around: { start: windowStart, text: windowText },
          };
          const snippets = await definitions.snippetsFor(request);
          snippetCount += snippets.length;
          indexedCount += snippets.filter((snippet) => snippet.reason.startsWith("workspace index")).length;
          const scopeHeaders = definitions.scopeHeaders(request, (at) => lines[at]);
          buildPromptPieces({
            prefix,
            suffix,
            cursorLine: row,
            languageId: corpus.languageId,
            path: "bench",
            snippets,
            scopeHeaders,
            budget: defaultPromptBudget,
          });
          mark();
          const syntax = new InsertionParser(runtime, language, tree, {
            read: reader,
            cursor: offset,
            cursorPoint: { row, column: column + 1 },
            after: suffix,
          });
          const raw = suffix.slice(0, 200).replace(/^[^\n]*\n/, "s = 1\n");
          postProcess({ raw, prefix, suffix, mode, style, syntax });
          mark();
          const stageOf = (from: number, to: number): [number, number, number] => [
            busyAt[to] - busyAt[from],
            wallAt[to] - wallAt[from],
            heapAt[to] - heapAt[from],
          ];
          const measured: Array<[(typeof names)[number], [number, number, number]]> = [
            ["edit", stageOf(0, 1)],
            ["text", stageOf(1, 2)],
            ["parse", stageOf(2, 3)],
            ["context", stageOf(3, 4)],
            ["post", stageOf(4, 5)],
            ["superseded", stageOf(0, 2)],
            ["total", stageOf(0, 5)],
          ];
          for (const [name, [busyTime, wallTime, heapGrowth]] of measured) {
            busy[name].push(busyTime);
            wall[name].push(wallTime);
            // A collection in between shrinks the heap: that stage's allocation is not known.
            if (heapGrowth >= 0) allocated[name].push(heapGrowth);
          }
        }
      }
    });
  } finally {
    document.dispose();
    await worker.terminate();
  }
  const count = wall.total.length;
  console.log(
    `  ${corpus.languageId.padEnd(10)} ${lines.length} lines, ${count} keystrokes, ${(snippetCount / count).toFixed(1)} snippets per prompt (${(indexedCount / count).toFixed(1)} from the workspace index of ${symbols.fileCount} files); the worker parsed the imported files at open in ${prefetchMs.toFixed(0)} ms`,
  );
  const kilobytes = (name: (typeof names)[number]): string =>
    `${(percentile(allocated[name], 50) / 1024).toFixed(0)} KB`;
  const line = (label: string, name: (typeof names)[number], note = ""): void =>
    console.log(
      `    ${label.padEnd(19)}${format(wall[name])}; busy ${format(busy[name])}; allocates ${kilobytes(name)}${note}`,
    );
  line("edit", "edit", " (every keystroke: tree.edit)");
  line("text + trigger", "text", " (every keystroke: the text around the cursor, trigger)");
  line("incremental parse", "parse", " (once the debounce has passed, reading the lines it re-lexes)");
  line(
    "context + prompt",
    "context",
    " (mode, the document's top, scopes, imported and indexed definitions, prompt pieces)",
  );
  line("post-processing", "post");
  line("superseded", "superseded", " (a keystroke the next one cancels before the debounce passes)");
  line("total", "total", " (a keystroke whose request runs)");
  const pauses = (durations: number[]): string =>
    durations.length === 0
      ? "none"
      : `${durations.length} (p50 ${percentile(durations, 50).toFixed(1)} ms, max ${Math.max(...durations).toFixed(1)} ms)`;
  console.log(
    `    garbage collections during the ${count} keystrokes: scavenges ${pauses(collections.scavenges)}, full ${pauses(collections.fullCollections)}`,
  );
}

interface Sample {
  prefix: string;
  truth: string;
  suffix: string;
  raw: string;
}

const bodyTypes: Record<string, string> = {
  python: "block",
  typescript: "statement_block",
  javascript: "statement_block",
};

function followingLines(text: string, count: number): string {
  return text
    .split("\n")
    .slice(0, count + 1)
    .join("\n");
}

/** Starts of non-empty multi-line bodies: the cursor at the body's first statement, the body as the truth. */
function blockSamples(text: string, rootNode: Node, languageId: string, random: () => number, limit: number): Sample[] {
  const blocks = rootNode
    .descendantsOfType(bodyTypes[languageId])
    .filter(
      (node): node is Node =>
        node !== null && node.namedChildCount > 0 && node.endPosition.row > node.startPosition.row,
    );
  const samples: Sample[] = [];
  for (const block of blocks) {
    if (random() > (limit * 1.5) / blocks.length) continue;
    const first = block.namedChildren[0];
    const last = block.namedChildren[block.namedChildCount - 1];
    const header = languageId === "python" ? block.parent : block;
    if (!first || !last || !header || first.startPosition.row === header.startPosition.row) continue;
    const start = first.startIndex;
    const end = languageId === "python" ? block.endIndex : last.endIndex;
    const prefix = text.slice(0, start);
    const truth = text.slice(start, end);
    const suffix = text.slice(end);
    // The model writes the true body, then keeps going with the code that follows.
    samples.push({ prefix, truth, suffix, raw: truth + followingLines(suffix, 8) });
    if (samples.length >= limit) break;
  }
  return samples;
}

/** Cuts inside lines of code; closers at the line's end stay right of the cursor, as an auto-closing editor leaves them. */
function lineSamples(text: string, random: () => number, limit: number): Sample[] {
  const samples: Sample[] = [];
  for (let attempt = 0; samples.length < limit && attempt < limit * 20; attempt++) {
    const lineStart = text.lastIndexOf("\n", Math.floor(random() * text.length)) + 1;
    const lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) continue;
    const line = text.slice(lineStart, lineEnd);
    const indent = line.length - line.trimStart().length;
    const body = line.trimEnd();
    if (body.length - indent < 8 || /^\s*(#|\/\/|\*|\/\*)/.test(line)) continue;
    const cut = lineStart + indent + 1 + Math.floor(random() * (body.length - indent - 1));
    const closers = /[)\]}"'`;,]*$/.exec(body)?.[0] ?? "";
    const truthEnd = Math.max(cut, lineStart + body.length - closers.length);
    const prefix = text.slice(0, cut);
    const truth = text.slice(cut, truthEnd);
    const suffix = text.slice(truthEnd);
    if (!decideTrigger(prefix, suffix, "automatic").trigger || truth === "") continue;
    samples.push({ prefix, truth, suffix, raw: text.slice(cut, lineEnd) + followingLines(text.slice(lineEnd), 5) });
  }
  return samples;
}

async function accuracy(
  runtime: SyntaxRuntime,
  corpus: Corpus,
  language: Language,
  earlyStop: EarlyStopAccuracy,
): Promise<void> {
  const random = seededRandom(7);
  const results = { block: [0, 0], line: [0, 0] };
  const misses: string[] = [];
  for (const file of corpus.files) {
    const text = (await readFile(file, "utf8")).replace(/\r\n/g, "\n");
    const tree = runtime.parse(language, text);
    const kinds: Array<["block" | "line", Sample[]]> = [
      ["block", blockSamples(text, tree.rootNode, corpus.languageId, random, 12)],
      ["line", lineSamples(text, random, 12)],
    ];
    tree.delete();
    for (const [kind, samples] of kinds) {
      for (const sample of samples) {
        const documentTree = runtime.parse(language, sample.prefix + sample.suffix);
        try {
          const syntax = new InsertionParser(
            runtime,
            language,
            documentTree,
            cursorInText(sample.prefix, sample.suffix),
          );
          const mode = decideMode(sample.prefix, sample.suffix, documentTree, style.tabSize);
          const input = { raw: sample.raw, prefix: sample.prefix, suffix: sample.suffix, mode, style, syntax };
          const result = postProcess(input);
          earlyStop.check(input, !documentTree.rootNode.hasError);
          const produced = result.show
            ? result.insertion.text + sample.suffix.slice(result.insertion.replaceRight)
            : sample.suffix;
          const exact = produced.replace(/[ \t]+$/gm, "") === (sample.truth + sample.suffix).replace(/[ \t]+$/gm, "");
          results[kind][1]++;
          if (exact) results[kind][0]++;
          else if (misses.length < 3)
            misses.push(
              `${kind} ${mode}: want ${JSON.stringify(sample.truth.slice(-60))} got ${result.show ? JSON.stringify(result.insertion.text.slice(-60)) : result.reason}`,
            );
        } finally {
          documentTree.delete();
        }
      }
    }
  }
  const share = ([hit, all]: number[]) => `${hit}/${all} = ${((100 * hit) / Math.max(1, all)).toFixed(1)}%`;
  console.log(
    `  ${corpus.languageId.padEnd(10)} block starts ${share(results.block)}, mid-line ${share(results.line)}`,
  );
  for (const miss of misses) console.log(`    miss: ${miss}`);
}

/** A document too large to parse: the prompt comes from a window, and no keystroke may stall on it. */
function hugeFileCost(): void {
  const line = "x = compute(a, b)  # a long generated data file\n";
  const text = line.repeat(110_000);
  const costs: number[] = [];
  for (let sample = 0; sample < 50; sample++) {
    const offset = Math.floor((sample / 50) * text.length);
    const cursorLine = Math.floor(offset / line.length);
    const t0 = performance.now();
    const windowChars = 64_000;
    const prefix = text.slice(Math.max(0, offset - windowChars), offset);
    const suffix = text.slice(offset, offset + windowChars);
    const mode = decideMode(prefix, suffix, undefined, style.tabSize);
    buildPromptPieces({
      prefix,
      suffix,
      cursorLine,
      languageId: "python",
      path: "huge.py",
      snippets: [],
      budget: defaultPromptBudget,
    });
    postProcess({ raw: "value)\nmore()", prefix, suffix, mode, style });
    costs.push(performance.now() - t0);
  }
  console.log(`  ${(text.length / 1e6).toFixed(1)} MB file (not parsed, window around the cursor): ${format(costs)}`);
}

function pythonDocumentAt(seed: number): { prefix: string; suffix: string } {
  const text = readFileSync(
    path.join(
      pythonStdlib(),
      ["argparse.py", "inspect.py", "tarfile.py", "typing.py", "shutil.py", "enum.py"][seed % 6],
    ),
    "utf8",
  );
  const random = seededRandom(seed + 1);
  for (;;) {
    const at = text.indexOf(" = ", Math.floor(random() * text.length * 0.8));
    const lineStart = text.lastIndexOf("\n", at) + 1;
    if (at < 0 || /^\s*#/.test(text.slice(lineStart, at))) continue;
    const lineEnd = text.indexOf("\n", at);
    return { prefix: text.slice(0, at + 3), suffix: text.slice(lineEnd) };
  }
}

/** From the keystroke to the items, through the real host: cold (new document) and warm (one character typed since the last request). */
async function endToEnd(runtime: SyntaxRuntime, label: string, modelPath: string, rounds: number): Promise<void> {
  const host = createTestHost(hostConfig(modelPath, { contextSize: 4096 }));
  const startedAt = performance.now();
  await host.client.start();
  const loadMs = performance.now() - startedAt;
  const language = await runtime.language("python");
  if (!language) throw new Error("no python grammar");
  let modelMs = 0;
  let evaluated = 0;
  const engine = new CompletionEngine({
    generate: async (params: InfillParams, signal: AbortSignal): Promise<GenerationResult> => {
      const t0 = performance.now();
      const result = await host.client.infill(params, signal);
      modelMs = performance.now() - t0;
      evaluated = result.tokensEvaluated;
      return result;
    },
    gate: () => ({ action: "show", findings: [] }),
    debounce: { kind: "fixed", milliseconds: 0 },
    budget: defaultPromptBudget,
    maxLines: 12,
    now: () => performance.now(),
    sleep: async () => undefined,
  });
  const runs = {
    cold: { total: [] as number[], model: [] as number[], evaluated: [] as number[] },
    warm: { total: [] as number[], model: [] as number[], evaluated: [] as number[] },
  };
  try {
    for (let round = 0; round < rounds; round++) {
      const document = pythonDocumentAt(round);
      for (const kind of ["cold", "warm"] as const) {
        const prefix = kind === "cold" ? document.prefix : `${document.prefix}z`;
        const tree = runtime.parse(language, prefix + document.suffix);
        try {
          modelMs = 0;
          evaluated = 0;
          const t0 = performance.now();
          await engine.complete(
            {
              languageId: "python",
              path: "bench.py",
              prefix,
              suffix: document.suffix,
              cursorLine: prefix.split("\n").length - 1,
              trigger: "automatic",
              style,
              syntax: () => new InsertionParser(runtime, language, tree, cursorInText(prefix, document.suffix)),
              snippets: async () => [],
            },
            new AbortController().signal,
          );
          const total = performance.now() - t0;
          runs[kind].total.push(total);
          runs[kind].model.push(modelMs);
          runs[kind].evaluated.push(evaluated);
        } finally {
          tree.delete();
        }
      }
    }
  } finally {
    await host.client.dispose();
  }
  console.log(`  ${label}: host ready in ${(loadMs / 1000).toFixed(1)} s, ${rounds} rounds`);
  for (const kind of ["cold", "warm"] as const) {
    const overhead = runs[kind].total.map((total, index) => total - runs[kind].model[index]);
    console.log(
      `    ${kind}: keystroke to items p50 ${percentile(runs[kind].total, 50).toFixed(0)} ms (max ${Math.max(...runs[kind].total).toFixed(0)}), ` +
        `model p50 ${percentile(runs[kind].model, 50).toFixed(0)} ms, pipeline overhead p50 ${percentile(overhead, 50).toFixed(1)} ms, ` +
        `tokens evaluated p50 ${percentile(runs[kind].evaluated, 50)}`,
    );
  }
}

async function main(): Promise<void> {
  const grammars = { load: (file: string) => readFile(path.join(root, "grammars", file)) };
  const runtime = await SyntaxRuntime.create(grammars);
  const queries = new QueryStore(grammars);
  try {
    const all = corpora();
    // --early-stop: only what the early-stop section needs (the truncation corpus), then that section.
    const earlyStopOnly = process.argv.includes("--early-stop");
    // Other processes share the cores: wall and busy times are only comparable at a similar load.
    console.log(
      `load average ${os
        .loadavg()
        .map((load) => load.toFixed(1))
        .join(" ")} on ${os.cpus().length} cores`,
    );
    if (!earlyStopOnly) {
      console.log("Per-keystroke cost, no model time (5,000-line files):");
      for (const corpus of all) {
        const language = await runtime.language(corpus.languageId);
        if (language) await keystrokeCost(runtime, queries, corpus, language);
      }
      hugeFileCost();
    }
    console.log("Truncation accuracy, truth as the model (exact result):");
    const earlyStop = new EarlyStopAccuracy();
    for (const corpus of all) {
      const language = await runtime.language(corpus.languageId);
      if (language) await accuracy(runtime, corpus, language, earlyStop);
    }
    if (!process.argv.includes("--no-host") && !earlyStopOnly) {
      console.log(
        `End-to-end provider latency through the real host (CPU; prompt budget 1,536 tokens, counted with the model's tokenizer; load average ${os.loadavg()[0].toFixed(1)}):`,
      );
      await endToEnd(runtime, "scripted fixture model", ensureScriptedModel("standard"), 10);
      await endToEnd(runtime, "0.5B-shaped benchmark model", ensureBenchModel(), 3);
    }
    console.log("Early stop (the policy checked while tokens arrive, against post-processing the whole output):");
    earlyStop.print();
    for (const corpus of all) {
      const language = await runtime.language(corpus.languageId);
      if (language) perTokenCost(fileOfLines(corpus, 5000), runtime, language, corpus.languageId);
    }
    const python = await runtime.language("python");
    if (!process.argv.includes("--no-host") && python) {
      console.log(
        `  through the real backends, python, maxLines 12 (288 tokens at most), 1 thread (two contend with other processes here); load average ${os.loadavg()[0].toFixed(1)}:`,
      );
      await earlyStopThroughHost(runtime, python, { small: 5, bench: 5 });
    }
  } finally {
    queries.dispose();
    runtime.dispose();
  }
}

void main();
