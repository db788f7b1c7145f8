// Lint: type-aware promise and import rules, the layer boundaries, and no import cycles.
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const nodeIoModules = [
  "fs",
  "fs/promises",
  "http",
  "https",
  "http2",
  "net",
  "tls",
  "dgram",
  "child_process",
  "worker_threads",
  "cluster",
];
const noNodeIo = nodeIoModules
  .flatMap((name) => [name, `node:${name}`])
  .map((name) => ({
    name,
    message: "extension/src/core is pure logic: I/O belongs in extension/src/node.",
  }));
const noVscode = { name: "vscode", message: "Only extension/src/vscode and extension.ts may import the vscode API." };

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "grammars/**", "test/artifacts/**", ".cache/**", "**/*.mjs", "**/*.js"] },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin, "import-x": importX },
    settings: {
      "import-x/resolver-next": [createTypeScriptImportResolver({ alwaysTryTypes: true })],
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-explicit-any": "error",
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "import-x/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./extension/src/core",
              from: [
                "./extension/src/node",
                "./extension/src/vscode",
                "./extension/src/host",
                "./extension/src/extension.ts",
              ],
              message: "core is the innermost layer: it imports only core.",
            },
            {
              target: "./extension/src/node",
              from: ["./extension/src/vscode", "./extension/src/host", "./extension/src/extension.ts"],
              message: "The Node layer never depends on the VS Code adapters or the host process.",
            },
            {
              target: "./extension/src/vscode",
              from: ["./extension/src/host", "./extension/src/extension.ts"],
              message: "The host runs in its own process: the adapters reach it through node/host.",
            },
            {
              target: "./extension/src/host",
              from: ["./extension/src/vscode", "./extension/src/extension.ts"],
              message: "The inference host never sees the VS Code adapters.",
            },
            {
              target: "./webview",
              from: ["./extension/src/node", "./extension/src/vscode", "./extension/src/host"],
              message: "The webview shares only core's protocol and pure logic with the extension.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["extension/src/core/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [noVscode, ...noNodeIo] }] },
  },
  {
    files: ["extension/src/node/**/*.ts", "extension/src/host/**/*.ts", "webview/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { paths: [noVscode] }] },
  },
);
