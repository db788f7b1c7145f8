// Bundles the Shield CLI (web-tree-sitter included) and copies the grammars beside it, so the package has no
// dependencies: the CLI finds ../../grammars and ../../package.json from dist/cli/shield.js, as in the extension.
// npm pack runs it (prepack). The grammars come from the repository's grammars/, which `npm run build` fills.
import * as esbuild from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const grammarSource = path.join(root, "grammars");

const grammars = existsSync(grammarSource) ? readdirSync(grammarSource).filter((file) => file.endsWith(".wasm")) : [];
if (grammars.length === 0)
  throw new Error(`no grammars in ${grammarSource}: run \`npm run build\` at the repository root first`);

rmSync(path.join(here, "dist"), { recursive: true, force: true });
rmSync(path.join(here, "grammars"), { recursive: true, force: true });
mkdirSync(path.join(here, "grammars"));
for (const file of grammars) copyFileSync(path.join(grammarSource, file), path.join(here, "grammars", file));
copyFileSync(path.join(root, "LICENSE"), path.join(here, "LICENSE"));

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["extension/src/node/shield/cli.ts"],
  outfile: path.join(here, "dist/cli/shield.js"),
  bundle: true,
  minify: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  logLevel: "warning",
  // web-tree-sitter's ESM build reads import.meta.url, which esbuild leaves empty in CommonJS output.
  define: { "import.meta.url": "__importMetaUrl" },
  banner: { js: "#!/usr/bin/env node\nconst __importMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
