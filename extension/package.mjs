// Makes one .vsix per VS Code target, each carrying only that platform's native binaries.
// Usage: node extension/package.mjs [--target T]... | --all      (default: the build machine's target)
//
// node_modules holds the build machine's binaries only, so each target is staged in .cache/package/<target>/: the
// files vsce lists for this machine, with node-llama-cpp's, reflink's and the tree-sitter grammars' binaries
// swapped for the target's. The target's npm packages come from the registry (`npm pack`, cached in .cache/npm-pack/
// and checked against package-lock.json's hashes); nothing is installed into node_modules. vsce then packages the
// staging folder with --target.
import { createVSIX, listFiles } from "@vscode/vsce";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cacheDir = path.join(root, ".cache");
const packCache = path.join(cacheDir, "npm-pack");

/**
 * Per VS Code target: node-llama-cpp's prebuilt package (Metal on Apple Silicon, the CPU build elsewhere) and
 * reflink's. CUDA and Vulkan are too large to ship to everyone: Llama Assist: Download CUDA Binaries and Download
 * Vulkan Binaries fetch them on demand (linux-x64, win32-x64).
 */
const targets = {
  "linux-x64": { llama: ["linux-x64"], reflink: "linux-x64-gnu" },
  "linux-arm64": { llama: ["linux-arm64"], reflink: "linux-arm64-gnu" },
  "darwin-arm64": { llama: ["mac-arm64-metal"], reflink: "darwin-arm64" },
  "darwin-x64": { llama: ["mac-x64"], reflink: "darwin-x64" },
  "win32-x64": { llama: ["win-x64"], reflink: "win32-x64-msvc" },
  "win32-arm64": { llama: ["win-arm64"], reflink: "win32-arm64-msvc" },
};

/** Where the build machine's own binaries sit in the file list, to be left out of every staging. */
const platformSpecific = [
  /^node_modules\/@node-llama-cpp\//,
  /^node_modules\/@reflink\/reflink-/,
  /^node_modules\/tree-sitter-[^/]+\/prebuilds\//,
  /^node_modules\/tree-sitter\/build\//,
];

function vsixPath(target) {
  return path.join(root, "dist", `llama-assist-${target}.vsix`);
}

function hostTarget() {
  return `${process.platform}-${process.arch}`;
}

function run(command, args, cwd = root) {
  return execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 << 20,
  });
}

function lockEntry(name) {
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8"));
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity)
    throw new Error(`package-lock.json has no version and integrity for ${name}`);
  return { version: entry.version, integrity: entry.integrity };
}

/** The package's tarball from the registry (once), checked against the lock file's hash. */
function packedTarball(name) {
  const { version, integrity } = lockEntry(name);
  const file = path.join(packCache, `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`);
  if (!existsSync(file)) {
    mkdirSync(packCache, { recursive: true });
    run("npm", ["pack", `${name}@${version}`, "--pack-destination", packCache, "--silent"]);
  }
  const [algorithm, expected] = integrity.split("-", 2);
  const actual = createHash(algorithm).update(readFileSync(file)).digest("base64");
  if (actual !== expected) {
    rmSync(file);
    throw new Error(`${name}@${version}: the registry's tarball does not match package-lock.json's ${algorithm}`);
  }
  return file;
}

function unpackInto(tarball, directory) {
  mkdirSync(directory, { recursive: true });
  run("tar", ["-xzf", tarball, "--strip-components=1", "-C", directory]);
}

function copyInto(staging, relative, source = path.join(root, relative)) {
  const destination = path.join(staging, relative);
  mkdirSync(path.dirname(destination), { recursive: true });
  copyFileSync(source, destination);
}

function copyTree(source, destination) {
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(destination, entry.name);
    if (entry.isDirectory()) copyTree(from, to);
    else {
      mkdirSync(destination, { recursive: true });
      copyFileSync(from, to);
    }
  }
}

function stage(target, baseFiles) {
  const spec = targets[target];
  const staging = path.join(cacheDir, "package", target);
  rmSync(staging, { recursive: true, force: true });
  for (const file of baseFiles) if (!platformSpecific.some((pattern) => pattern.test(file))) copyInto(staging, file);

  for (const name of spec.llama.map((p) => `@node-llama-cpp/${p}`).concat(`@reflink/reflink-${spec.reflink}`)) {
    unpackInto(packedTarball(name), path.join(staging, "node_modules", name));
  }
  // Every grammar package ships prebuilds for all six targets; the tree-sitter runtime is compiled at install for
  // this machine only, so other targets parse with web-tree-sitter (the symbol index worker's fallback).
  const grammarPackages = readdirSync(path.join(root, "node_modules")).filter((d) => d.startsWith("tree-sitter-"));
  for (const dir of grammarPackages) {
    const prebuilds = path.join(root, "node_modules", dir, "prebuilds", target);
    if (!existsSync(prebuilds)) throw new Error(`${dir} has no prebuild for ${target}`);
    copyTree(prebuilds, path.join(staging, "node_modules", dir, "prebuilds", target));
  }
  // tree-sitter-cpp and -typescript depend on older tree-sitter-c and -javascript (their grammar.js extends those,
  // nothing loads them at run time). Without the nested manifests `npm ls`, and with it vsce, calls the tree invalid.
  for (const dir of grammarPackages) {
    const nestedModules = path.join(root, "node_modules", dir, "node_modules");
    if (!existsSync(nestedModules)) continue;
    for (const nested of readdirSync(nestedModules)) {
      copyInto(staging, path.join("node_modules", dir, "node_modules", nested, "package.json"));
    }
  }
  if (target === hostTarget()) {
    const runtime = "node_modules/tree-sitter/build/Release/tree_sitter_runtime_binding.node";
    copyInto(staging, runtime);
  }
  // The staging holds exactly what ships; vsce still reads the dependency tree there with `npm ls`.
  writeFileSync(path.join(staging, ".vscodeignore"), "");
  return staging;
}

async function packageTarget(target, baseFiles) {
  const started = Date.now();
  const staging = stage(target, baseFiles);
  const out = vsixPath(target);
  await createVSIX({ cwd: staging, target, packagePath: out });
  // About 150 MB a target, unpacked: the .vsix is what stays.
  rmSync(staging, { recursive: true, force: true });
  const files = run("unzip", ["-Z1", out]).split("\n").filter(Boolean).length;
  const size = statSync(out).size;
  console.log(
    `${path.relative(root, out)}: ${(size / 1048576).toFixed(1)} MiB, ${files} files (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  );
}

function parseTargets(argv) {
  if (argv.includes("--all")) return Object.keys(targets);
  const chosen = argv.flatMap((arg, i) => (argv[i - 1] === "--target" ? [arg] : []));
  for (const target of chosen) {
    if (!(target in targets)) throw new Error(`unknown target ${target}; one of ${Object.keys(targets).join(", ")}`);
  }
  return chosen.length > 0 ? chosen : [hostTarget()];
}

/**
 * The content of every file git sees: the index's blobs, the unstaged changes, the untracked files (so a commit alone
 * changes nothing). With --reuse, a .vsix whose stamp holds the same fingerprint is kept: the tests package once.
 */
function sourceFingerprint() {
  const hash = createHash("sha256");
  hash.update(run("git", ["ls-files", "--stage"]));
  hash.update(run("git", ["diff", "--binary"]));
  for (const file of run("git", ["ls-files", "--others", "--exclude-standard", "-z"]).split("\0").filter(Boolean)) {
    hash.update(file).update(readFileSync(path.join(root, file)));
  }
  return hash.digest("hex");
}

const stampPath = (target) => `${vsixPath(target)}.stamp`;

const argv = process.argv.slice(2);
const fingerprint = sourceFingerprint();
const chosen = parseTargets(argv).filter(
  (target) =>
    !argv.includes("--reuse") ||
    !existsSync(stampPath(target)) ||
    readFileSync(stampPath(target), "utf8") !== fingerprint,
);
if (chosen.length > 0) {
  const esbuild = path.join(root, "extension/esbuild.mjs");
  run(process.execPath, [esbuild, "--production"]);
  const baseFiles = await listFiles({ cwd: root });
  // vsce spends most of its time waiting on `npm ls` and the disk, so the targets package side by side.
  await Promise.all(
    chosen.map(async (target) => {
      rmSync(stampPath(target), { force: true });
      await packageTarget(target, baseFiles);
      writeFileSync(stampPath(target), fingerprint);
    }),
  );
  // Back to the development bundles (with source maps) that the tests and `npm start` run.
  run(process.execPath, [esbuild]);
}
