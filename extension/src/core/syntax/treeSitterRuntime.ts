import { Parser } from "web-tree-sitter";

let runtimeReady: Promise<void> | undefined;

/**
 * web-tree-sitter keeps one Emscripten module per process, but two Parser.init calls that overlap each build one, and
 * grammars then load into the wrong module ("memory access out of bounds"). Every user initialises through here.
 */
export function initTreeSitterRuntime(loadRuntimeWasm: () => Promise<Uint8Array>): Promise<void> {
  runtimeReady ??= loadRuntimeWasm()
    .then((wasmBinary) => Parser.init({ wasmBinary }))
    .catch((error: unknown) => {
      // Let a later caller try again (the grammar folder may appear after a build).
      runtimeReady = undefined;
      throw error;
    });
  return runtimeReady;
}
