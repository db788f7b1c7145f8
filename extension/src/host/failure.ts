import { InsufficientMemoryError } from "node-llama-cpp";
import type { HostError, HostErrorCode } from "../core/protocol/host";

/** An error the host reports to the extension with a specific code. */
export class HostFailure extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
  ) {
    super(message);
  }

  toHostError(): HostError {
    return { code: this.code, message: this.message };
  }
}

export function cancelledFailure(): HostFailure {
  return new HostFailure("cancelled", "The request was cancelled.");
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.message === "This operation was aborted");
}

const memoryMessage =
  /out of memory|failed to allocate|cannot allocate|insufficient memory|too large for the available/i;

/** Turns whatever a request threw into the protocol's error; `aborted` says whether the request's signal fired. */
export function toHostError(error: unknown, aborted: boolean): HostError {
  if (error instanceof HostFailure) return error.toHostError();
  if (aborted || isAbortError(error)) return cancelledFailure().toHostError();
  if (error instanceof InsufficientMemoryError || (error instanceof Error && memoryMessage.test(error.message))) {
    return {
      code: "outOfMemory",
      message: `Not enough memory: ${errorText(error)} Choose a smaller context size or a smaller model.`,
    };
  }
  return { code: "internal", message: errorText(error) };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
