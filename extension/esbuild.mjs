// Bundles every runnable part and copies the tree-sitter grammars.
// Usage: node extension/esbuild.mjs [--watch] [--production]
import * as esbuild from "esbuild";
import { copyFile, mkdir, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));
const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

const common = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "warning",
  target: "node20",
  platform: "node",
};

// web-tree-sitter's ESM build reads import.meta.url, which esbuild leaves empty in CommonJS output.
const importMetaUrlForCjs = {
  define: { "import.meta.url": "__importMetaUrl" },
  bannerLine: "const __importMetaUrl = require('url').pathToFileURL(__filename).href;",
};

const builds = [
  {
    ...common,
    entryPoints: ["extension/src/extension.ts"],
    outfile: "dist/extension.js",
    format: "cjs",
    external: ["vscode", "node-llama-cpp"],
    define: importMetaUrlForCjs.define,
    banner: { js: importMetaUrlForCjs.bannerLine },
  },
  {
    ...common,
    // The workspace symbol index parses in this worker thread, off the extension host's thread, with native
    // tree-sitter: the runtime and the grammars' .node bindings load from node_modules at run time. Where they have
    // no binary for the platform, it parses with web-tree-sitter, bundled.
    entryPoints: ["extension/src/node/syntax/symbolIndexWorker.ts"],
    outfile: "dist/symbolIndexWorker.js",
    format: "cjs",
    external: ["tree-sitter", "tree-sitter-*"],
    define: importMetaUrlForCjs.define,
    banner: { js: importMetaUrlForCjs.bannerLine },
  },
  {
    ...common,
    entryPoints: ["extension/src/host/main.ts"],
    outfile: "dist/host/main.mjs",
    format: "esm",
    external: ["node-llama-cpp"],
    // esbuild's ESM output has no `require`; some bundled CommonJS needs one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  },
  {
    ...common,
    // One model download runs in this worker thread through node-llama-cpp, which is an ES module only and stays
    // external: an ES module bundle imports it by name, from the extension's node_modules.
    entryPoints: ["extension/src/node/models/downloadWorker.ts"],
    outfile: "dist/models/downloadWorker.mjs",
    format: "esm",
    external: ["node-llama-cpp"],
  },
  {
    ...common,
    entryPoints: ["extension/src/node/shield/cli.ts"],
    outfile: "dist/cli/shield.js",
    format: "cjs",
    define: importMetaUrlForCjs.define,
    banner: { js: `#!/usr/bin/env node\n${importMetaUrlForCjs.bannerLine}` },
  },
  {
    ...common,
    entryPoints: ["webview/src/main.ts"],
    outfile: "dist/webview/main.js",
    format: "iife",
    platform: "browser",
    target: "es2022",
  },
  {
    ...common,
    entryPoints: ["webview/src/chat/main.ts"],
    outfile: "dist/webview/chat.js",
    format: "iife",
    platform: "browser",
    target: "es2022",
    // The imported CSS becomes dist/webview/chat.css; the codicon font lands beside it under its own name.
    loader: { ".ttf": "file" },
    assetNames: "[name]",
  },
];

/** Grammar packages ship prebuilt .wasm files; we take them as they are. */
const grammarPackages = {
  "tree-sitter-python": ["tree-sitter-python.wasm"],
  "tree-sitter-javascript": ["tree-sitter-javascript.wasm"],
  "tree-sitter-typescript": ["tree-sitter-typescript.wasm", "tree-sitter-tsx.wasm"],
  "tree-sitter-java": ["tree-sitter-java.wasm"],
  "tree-sitter-c": ["tree-sitter-c.wasm"],
  "tree-sitter-cpp": ["tree-sitter-cpp.wasm"],
  "tree-sitter-c-sharp": ["tree-sitter-c_sharp.wasm"],
  "tree-sitter-go": ["tree-sitter-go.wasm"],
  "tree-sitter-rust": ["tree-sitter-rust.wasm"],
  "tree-sitter-php": ["tree-sitter-php.wasm"],
  "tree-sitter-ruby": ["tree-sitter-ruby.wasm"],
  "tree-sitter-bash": ["tree-sitter-bash.wasm"],
};

async function copyGrammars() {
  const target = path.join(root, "grammars");
  await mkdir(target, { recursive: true });
  for (const [pkg, files] of Object.entries(grammarPackages)) {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    for (const file of files) await copyFile(path.join(dir, file), path.join(target, file));
  }
  // The runtime's own wasm must sit next to the bundle that loads web-tree-sitter.
  const runtime = path.dirname(require.resolve("web-tree-sitter"));
  await copyFile(path.join(runtime, "tree-sitter.wasm"), path.join(target, "tree-sitter.wasm"));
  return (await readdir(target)).filter((f) => f.endsWith(".wasm")).length;
}

async function copyStatic() {
  await mkdir(path.join(root, "dist/webview"), { recursive: true });
  for (const file of await readdir(path.join(root, "webview/src"))) {
    if (file.endsWith(".css"))
      await copyFile(path.join(root, "webview/src", file), path.join(root, "dist/webview", file));
  }
}

await copyGrammars();
await copyStatic();
if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log("esbuild: watching");
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
