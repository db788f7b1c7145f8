// Incremental decoders for the two streaming formats remote servers answer with: Server-Sent Events (llama-server,
// OpenAI-compatible servers) and newline-delimited JSON (Ollama). Network chunks split lines, and even UTF-8
// characters, anywhere, so both decoders keep what they have not finished and decode bytes in streaming mode.

/** The stream is not the format it should be: the caller maps this to "malformedResponse". */
export class MalformedStreamError extends Error {}

export interface SseEvent {
  /** The SSE `event:` field, "message" when absent. llama-server also sends a bare `error:` field: its event is "error". */
  event: string;
  data: string;
}

const sseFieldPattern = /^([A-Za-z_]+):( ?)(.*)$/;
const maxLineChars = 16 * 1024 * 1024;

/** Splits decoded text into complete lines, keeping the unfinished tail; "\r\n" ends a line like "\n". */
class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  private pending = "";

  push(chunk: Uint8Array | string, onLine: (line: string) => void): void {
    this.pending += typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = this.pending.indexOf("\n"); end !== -1; end = this.pending.indexOf("\n", start)) {
      const line = this.pending.slice(start, end);
      start = end + 1;
      onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
    }
    this.pending = this.pending.slice(start);
    // A server that never sends a line break is not streaming either format; do not buffer it without end.
    if (this.pending.length > maxLineChars)
      throw new MalformedStreamError("a line of the stream is longer than 16 MiB");
  }

  /** The text after the last line break, once the stream has ended. */
  end(): string {
    const rest = this.pending + this.decoder.decode();
    this.pending = "";
    return rest.endsWith("\r") ? rest.slice(0, -1) : rest;
  }
}

export class SseDecoder {
  private readonly lines = new LineSplitter();
  private dataLines: string[] = [];
  private eventName = "";

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(chunk: Uint8Array | string): void {
    this.lines.push(chunk, (line) => this.onLine(line));
  }

  /** Call when the body has ended: dispatches an event the server did not finish with a blank line. */
  end(): void {
    const rest = this.lines.end();
    if (rest !== "") this.onLine(rest);
    this.dispatch();
  }

  private onLine(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const field = sseFieldPattern.exec(line);
    // The SSE specification would read any line as a field; a JSON body or an HTML error page is what such lines
    // are in practice, and silently ignoring them would turn a broken server into an empty answer.
    if (field === null) throw new MalformedStreamError(`not a Server-Sent Events line: ${preview(line)}`);
    const [, name, , value] = field;
    switch (name) {
      case "data":
        this.dataLines.push(value);
        return;
      case "event":
        this.eventName = value;
        return;
      case "error":
        this.eventName = "error";
        this.dataLines.push(value);
        return;
      default:
        // id, retry and extensions carry nothing a completion needs.
        return;
    }
  }

  private dispatch(): void {
    if (this.dataLines.length === 0) {
      this.eventName = "";
      return;
    }
    const event: SseEvent = {
      event: this.eventName === "" ? "message" : this.eventName,
      data: this.dataLines.join("\n"),
    };
    this.dataLines = [];
    this.eventName = "";
    this.onEvent(event);
  }
}

export type JsonObject = Record<string, unknown>;

export class NdjsonDecoder {
  private readonly lines = new LineSplitter();

  constructor(private readonly onObject: (value: JsonObject) => void) {}

  push(chunk: Uint8Array | string): void {
    this.lines.push(chunk, (line) => this.onLine(line));
  }

  end(): void {
    this.onLine(this.lines.end());
  }

  private onLine(line: string): void {
    if (line.trim() === "") return;
    this.onObject(parseJsonObject(line));
  }
}

/** JSON.parse for stream payloads: anything but a JSON object is a malformed stream. */
export function parseJsonObject(text: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MalformedStreamError(`not JSON: ${preview(text)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new MalformedStreamError(`not a JSON object: ${preview(text)}`);
  return value as JsonObject;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
