import { indentWidth, isBlank, leadingWhitespace, lineBefore } from "./text";

export interface IndentationStyle {
  insertSpaces: boolean;
  tabSize: number;
}

function reindent(line: string, style: IndentationStyle): string {
  const whitespace = leadingWhitespace(line);
  if (whitespace === "") return line;
  const width = indentWidth(line, style.tabSize);
  const indentation = style.insertSpaces
    ? " ".repeat(width)
    : "\t".repeat(Math.floor(width / style.tabSize)) + " ".repeat(width % style.tabSize);
  return indentation + line.slice(whitespace.length);
}

/**
 * Two indentation mistakes models make: the first line repeats the indentation the cursor
 * already stands on, and later lines use tabs in a file indented with spaces (or the reverse).
 */
export function fixIndentation(completion: string, prefix: string, style: IndentationStyle): string {
  const lines = completion.split("\n");
  const cursorLine = lineBefore(prefix);
  if (cursorLine.length > 0 && isBlank(cursorLine)) lines[0] = lines[0].trimStart();
  else if (cursorLine.length === 0) lines[0] = reindent(lines[0], style);
  for (let index = 1; index < lines.length; index++) lines[index] = reindent(lines[index], style);
  return lines.join("\n");
}
