import { readFile } from "node:fs/promises";
import type { Locator } from "playwright-core";

/** Reads until `accept` says yes or the time is up, and returns the last reading so a failed assertion shows it. */
async function settled(
  read: () => Promise<string>,
  accept: (text: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await read();
    if (accept(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A saved or created file's text once it is what `accept` wants; a file not written yet reads as "". */
export function fileSettledTo(file: string, accept: (text: string) => boolean): Promise<string> {
  return settled(() => readFile(file, "utf8").catch(() => ""), accept, 10_000);
}

/** An element's text (NBSP as spaces) once it matches: Monaco renders lines a moment after the editor appears. */
export function textMatching(element: Locator, pattern: RegExp): Promise<string> {
  return settled(
    async () => (await element.innerText()).replace(/\u00a0/g, " "),
    (text) => pattern.test(text),
    30_000,
  );
}
