import * as vscode from "vscode";
import type { ChunkEmbedder } from "../../core/retrieval/indexerRetrieval";
import type { HostState } from "../../core/protocol/host";
import type { HostClient } from "../../node/host/hostClient";
import type { Settings } from "../settings";

/** A question waits this long for its embedding at most, then is answered by keywords alone. */
const queryEmbeddingTimeoutMs = 5000;

/**
 * Hands workspace retrieval the local host's embedding model (llamaAssist.embeddingModel.path) while the host is ready
 * with one and retrieval is on, and takes it away otherwise: the chunks are then ranked by keywords alone.
 */
export function register(
  host: HostClient,
  settings: Settings,
  useEmbedder: (embedder: ChunkEmbedder | undefined) => void,
): vscode.Disposable {
  let current: string | undefined;
  const update = (state: HostState): void => {
    const model = state.phase === "ready" ? state.info.embeddingModel : undefined;
    const identity =
      model === undefined || !settings.current.chat.retrieval ? undefined : `${model.path}|${model.sizeBytes}`;
    if (identity === current) return;
    current = identity;
    useEmbedder(
      identity === undefined
        ? undefined
        : {
            model: identity,
            embed: async (texts, purpose) => {
              const signal = purpose === "query" ? AbortSignal.timeout(queryEmbeddingTimeoutMs) : undefined;
              return (await host.embed({ texts, purpose }, signal)).vectors;
            },
          },
    );
  };
  update(host.state);
  return vscode.Disposable.from(
    host.onDidChangeState(update),
    settings.onDidChange(() => update(host.state)),
  );
}
