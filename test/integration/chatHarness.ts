// The chat session wired to the real inference host and the real Shield, as the extension wires it, minus VS Code:
// shared by the chat integration tests and `npm run bench:chat`.
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { Conversation, StoredSource } from "../../extension/src/core/chat/conversation";
import { ChatSession, type ChatSessionGuard, type CodeScan } from "../../extension/src/core/chat/session";
import type { ChatToWebview } from "../../extension/src/core/protocol/webview";
import { createShield, type Shield } from "../../extension/src/core/shield";
import { fileGrammarSource } from "../../extension/src/node/shield/fileGrammarSource";
import { gateSuggestion } from "../../extension/src/core/shield/gate";
import type { HostClient } from "../../extension/src/node/host/hostClient";
import { repoRoot } from "../fixtures/scriptedModel";

export function loadChatShield(): Promise<Shield> {
  return createShield({ grammars: fileGrammarSource(path.join(repoRoot, "grammars")) });
}

export interface ChatRig {
  session: ChatSession;
  posted: ChatToWebview[];
  persisted: Conversation[][];
}

/** What the benchmark hears from the host directly, to set the session's and the webview's times against. */
export interface HostTiming {
  chunk(): void;
  result(): void;
}

export function createChatRig(
  client: HostClient,
  shield: Shield,
  post?: (message: ChatToWebview) => void,
  timing?: HostTiming,
  guard?: ChatSessionGuard,
  /** What workspace retrieval finds for every question; none: retrieval is off. */
  sources: readonly StoredSource[] = [],
): ChatRig {
  const posted: ChatToWebview[] = [];
  const persisted: Conversation[][] = [];
  const policy = { mode: "block" as const, disabledRules: new Set<string>(), disabledLanguages: new Set<string>() };
  const session = new ChatSession(
    {
      chat: async (params, onChunk, signal) => {
        const result = await client.chat(
          params,
          (text) => {
            timing?.chunk();
            onChunk(text);
          },
          signal,
        );
        timing?.result();
        return result;
      },
      retrieve: () => Promise.resolve([...sources]),
      contextSize: () => (client.state.phase === "ready" ? client.state.info.chatModel.contextSize : undefined),
      countTokens: (texts) => client.countChatTokens(texts),
      scanCode: (code, languageId): CodeScan => {
        const verdict = gateSuggestion(
          shield,
          { prefix: "", suggestion: code, suffix: "", languageId: languageId ?? "plaintext" },
          policy,
        );
        return {
          action: verdict.action,
          findings: verdict.findings.map(({ ruleId, cwe, severity, message }) => ({ ruleId, cwe, severity, message })),
          failure: verdict.failure,
        };
      },
      post: (message) => {
        posted.push(message);
        post?.(message);
      },
      guard,
      persist: (conversations) => persisted.push(conversations.map((conversation) => structuredClone(conversation))),
      newId: () => randomUUID(),
      now: () => Date.now(),
    },
    [],
    () => ({
      maxAnswerTokens: 256,
      temperature: 0,
      limits: { maxConversations: 50, maxBytes: 5 * 1024 * 1024 },
      retrieval: sources.length > 0,
    }),
  );
  return { session, posted, persisted };
}

/** Resolves with the answer's end message once the session posts it. */
export function answerEnded(
  posted: ChatToWebview[],
  timeoutMs = 30_000,
): Promise<Extract<ChatToWebview, { kind: "answerEnded" }>> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      const ended = posted.find(
        (message): message is Extract<ChatToWebview, { kind: "answerEnded" }> => message.kind === "answerEnded",
      );
      if (ended !== undefined) resolve(ended);
      else if (Date.now() - started > timeoutMs) reject(new Error("the answer did not end"));
      else setTimeout(poll, 2);
    };
    poll();
  });
}
