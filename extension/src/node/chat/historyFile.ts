// The chat history on disk: one JSON file in the extension's own storage folder. Writes are atomic (temp file, then
// rename) and queued, and a file that cannot be read is moved aside, never deleted and never fatal.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Conversation } from "../../core/chat/conversation";
import { parseHistory, serializeHistory } from "../../core/chat/history";

export const historyFileName = "chat-history.json";

export interface HistoryLoad {
  conversations: Conversation[];
  /** What was wrong with the file, for the user; the original is kept at `setAsidePath`. */
  problem?: string;
  setAsidePath?: string;
}

export class HistoryFile {
  private readonly file: string;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly directory: string) {
    this.file = path.join(directory, historyFileName);
  }

  async load(): Promise<HistoryLoad> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { conversations: [] };
      return {
        conversations: [],
        problem: `The chat history could not be read: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const parsed = parseHistory(text);
    if (parsed.ok && parsed.skipped === 0) return { conversations: parsed.conversations };
    const setAsidePath = path.join(this.directory, `chat-history.corrupt-${Date.now()}.json`);
    await rename(this.file, setAsidePath);
    const problem = parsed.ok
      ? `${parsed.skipped} damaged conversation(s) in the chat history were left out; the original file was kept as ${setAsidePath}.`
      : `The chat history was unreadable (${parsed.problem}); it was set aside as ${setAsidePath} and a new one started.`;
    return { conversations: parsed.ok ? parsed.conversations : [], problem, setAsidePath };
  }

  /** Resolves when this and every earlier write are on disk; a failed write rejects only its own caller. */
  save(conversations: readonly Conversation[]): Promise<void> {
    const text = serializeHistory(conversations);
    const write = this.writes.then(async () => {
      await mkdir(this.directory, { recursive: true });
      const temporary = `${this.file}.${process.pid}.tmp`;
      await writeFile(temporary, text, "utf8");
      await rename(temporary, this.file);
    });
    this.writes = write.catch(() => undefined);
    return write;
  }
}
