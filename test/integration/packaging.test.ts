import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "../..");
const MiB = 1048576;

/**
 * Each target's native packages: node-llama-cpp's prebuilt binaries, reflink's, and the folder name the tree-sitter
 * grammars' prebuilds use. Kept apart from extension/package.mjs on purpose, so that a mistake there shows here.
 */
const targets = {
  "linux-x64": { llama: ["linux-x64"], reflink: "linux-x64-gnu", magic: "elf" },
  "linux-arm64": { llama: ["linux-arm64"], reflink: "linux-arm64-gnu", magic: "elf" },
  "darwin-arm64": { llama: ["mac-arm64-metal"], reflink: "darwin-arm64", magic: "macho" },
  "darwin-x64": { llama: ["mac-x64"], reflink: "darwin-x64", magic: "macho" },
  "win32-x64": { llama: ["win-x64"], reflink: "win32-x64-msvc", magic: "pe" },
  "win32-arm64": { llama: ["win-arm64"], reflink: "win32-arm64-msvc", magic: "pe" },
} as const;
type Target = keyof typeof targets;

/**
 * The budget, compressed, for every target: each carries one CPU or Metal build (12.9 to 18.5 MiB when this was
 * written). The GPU builds are downloads: CUDA (~320 MB) or Vulkan (~27 MB) in a .vsix would break it.
 */
const sizeBudgetMiB = 30;

const grammarPackages = [
  "bash",
  "c",
  "c-sharp",
  "cpp",
  "go",
  "java",
  "javascript",
  "php",
  "python",
  "ruby",
  "rust",
  "typescript",
];
const grammarWasm = [
  "bash",
  "c",
  "c_sharp",
  "cpp",
  "go",
  "java",
  "javascript",
  "php",
  "python",
  "ruby",
  "rust",
  "typescript",
  "tsx",
];
const queryLanguages = [
  "bash",
  "c",
  "cpp",
  "csharp",
  "go",
  "java",
  "javascript",
  "php",
  "python",
  "ruby",
  "rust",
  "typescript",
];
const bundles = [
  "dist/extension.js",
  "dist/symbolIndexWorker.js",
  "dist/host/main.mjs",
  "dist/models/downloadWorker.mjs",
  "dist/cli/shield.js",
  "dist/webview/main.js",
  "dist/webview/main.css",
  "dist/webview/chat.js",
  "dist/webview/chat.css",
  "dist/webview/codicon.ttf",
];

function vsixOf(target: Target): string {
  return path.join(repoRoot, "dist", `llama-assist-${target}.vsix`);
}

function entriesOf(vsix: string): string[] {
  return execFileSync("unzip", ["-Z1", vsix], { encoding: "utf8", maxBuffer: 16 * MiB })
    .split("\n")
    .filter((line) => line !== "" && !line.endsWith("/"));
}

function headOf(vsix: string, entry: string): Buffer {
  return execFileSync("unzip", ["-p", vsix, entry], { maxBuffer: 256 * MiB }).subarray(0, 4);
}

function magicOf(head: Buffer): string {
  if (head.toString("latin1") === "\x7fELF") return "elf";
  if (head.subarray(0, 2).toString("latin1") === "MZ") return "pe";
  if ([0xfeedfacf, 0xcafebabe].includes(head.readUInt32BE(0)) || head.readUInt32LE(0) === 0xfeedfacf) return "macho";
  return `unknown (${head.toString("hex")})`;
}

const nativeFile = /\.(node|so|dylib|dll|exe)$|\.so\.\d/;

describe("the .vsix files (npm run package:all)", function () {
  // A clean clone packages all six (about three minutes on two busy cores); later runs reuse them until a source changes.
  this.timeout(15 * 60_000);

  const listings = new Map<Target, string[]>();

  before(() => {
    // vsce's own listing of each package stays out of the output; the sizes and file counts are printed below.
    execFileSync(process.execPath, [path.join(repoRoot, "extension/package.mjs"), "--all", "--reuse"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    for (const target of Object.keys(targets) as Target[]) {
      const vsix = vsixOf(target);
      const entries = entriesOf(vsix);
      listings.set(target, entries);
      console.log(`      ${target}: ${(statSync(vsix).size / MiB).toFixed(1)} MiB, ${entries.length} files`);
    }
  });

  for (const target of Object.keys(targets) as Target[]) {
    describe(target, () => {
      const spec = targets[target];
      const files = (): string[] => listings.get(target) ?? [];
      const has = (relative: string): boolean => files().includes(`extension/${relative}`);

      it(`stays under ${sizeBudgetMiB} MiB`, () => {
        const size = statSync(vsixOf(target)).size / MiB;
        assert.ok(size < sizeBudgetMiB, `${size.toFixed(1)} MiB`);
      });

      it("declares its target", () => {
        const manifest = execFileSync("unzip", ["-p", vsixOf(target), "extension.vsixmanifest"], { encoding: "utf8" });
        assert.match(manifest, new RegExp(`TargetPlatform="${target}"`));
      });

      it("carries the bundles, grammars, queries, media, LICENSE, README and CHANGELOG", () => {
        const required = [
          "package.json",
          "readme.md",
          "LICENSE.txt",
          "changelog.md",
          "media/icon.png",
          "media/llama.svg",
          "grammars/tree-sitter.wasm",
          ...bundles,
          ...grammarWasm.map((name) => `grammars/tree-sitter-${name}.wasm`),
          ...queryLanguages.flatMap((language) =>
            ["definitions", "identifiers", "imports", "scopes"].map(
              (query) => `grammars/queries/${language}/${query}.scm`,
            ),
          ),
          "node_modules/node-llama-cpp/package.json",
        ];
        assert.deepEqual(
          required.filter((file) => !has(file)),
          [],
        );
        assert.ok(files().some((file) => file.startsWith("extension/media/walkthrough/")));
      });

      it("carries exactly its own platform's native binaries", () => {
        const llamaPackages = new Set(
          files().flatMap((file) => /^extension\/node_modules\/@node-llama-cpp\/([^/]+)\//.exec(file)?.[1] ?? []),
        );
        assert.deepEqual([...llamaPackages].sort(), [...spec.llama].sort());
        const reflinkPackages = new Set(
          files().flatMap((file) => /^extension\/node_modules\/@reflink\/(reflink-[^/]+)\//.exec(file)?.[1] ?? []),
        );
        assert.deepEqual([...reflinkPackages], [`reflink-${spec.reflink}`]);

        for (const grammar of grammarPackages) {
          const prebuilds = files().filter((file) =>
            file.startsWith(`extension/node_modules/tree-sitter-${grammar}/prebuilds/`),
          );
          assert.ok(prebuilds.length > 0, `tree-sitter-${grammar} has no prebuild`);
          for (const file of prebuilds) assert.ok(file.includes(`/prebuilds/${target}/`), file);
        }
        const runtime = "node_modules/tree-sitter/build/Release/tree_sitter_runtime_binding.node";
        assert.equal(
          has(runtime),
          target === `${process.platform}-${process.arch}`,
          "the native runtime is the build machine's only",
        );

        const allowedFolders = [
          ...spec.llama.map((name) => `extension/node_modules/@node-llama-cpp/${name}/`),
          `extension/node_modules/@reflink/reflink-${spec.reflink}/`,
          ...grammarPackages.map((grammar) => `extension/node_modules/tree-sitter-${grammar}/prebuilds/${target}/`),
          "extension/node_modules/tree-sitter/build/Release/",
        ];
        const natives = files().filter((file) => nativeFile.test(file));
        assert.deepEqual(
          natives.filter((file) => !allowedFolders.some((folder) => file.startsWith(folder))),
          [],
        );
        // The names could lie; the file headers cannot: one binding of each kind is built for this target's OS.
        const samples = [
          natives.find((file) => file.includes("/@node-llama-cpp/") && file.endsWith("llama-addon.node")),
          natives.find((file) => file.includes("/@reflink/")),
          natives.find((file) => file.includes("/tree-sitter-python/prebuilds/")),
        ];
        for (const sample of samples) {
          assert.ok(sample, `a native binding is missing: ${samples.join(", ")}`);
          assert.equal(magicOf(headOf(vsixOf(target), sample)), spec.magic, sample);
        }
      });
    });
  }
});
