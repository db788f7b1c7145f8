/** The refactors the palette offers; "custom" carries the user's own instruction. */
export type RefactorPreset = "custom" | "simplify" | "addTypes" | "addDocs" | "fix" | "generateTests" | "explain";

/** Where a preset's answer goes: over the target, into a new file beside it, or into a prose view. */
export type PresetOutput = "replace" | "newFile" | "prose";

export function outputOf(preset: RefactorPreset): PresetOutput {
  if (preset === "generateTests") return "newFile";
  if (preset === "explain") return "prose";
  return "replace";
}

const typeHints: Readonly<Record<string, string>> = {
  python: "Add type hints (PEP 484) to every parameter and return value, importing from typing only if needed.",
  javascript: "Add JSDoc @param and @returns type annotations; do not convert the code to TypeScript.",
  javascriptreact:
    "Add JSDoc @param and @returns type annotations, including the props; do not convert the code to TypeScript.",
  php: "Add parameter, return and property type declarations.",
  ruby: "Add YARD @param and @return type tags in comments.",
  shellscript: "Document each function's arguments and output in a comment, since shell has no types.",
};

const docStyles: Readonly<Record<string, string>> = {
  python: "a docstring (PEP 257) for each function and class",
  javascript: "a JSDoc comment for each function and class",
  javascriptreact: "a JSDoc comment for each component and function",
  typescript: "a TSDoc comment for each function, class and exported type",
  typescriptreact: "a TSDoc comment for each component and function",
  java: "a Javadoc comment for each method and class",
  c: "a comment block before each function describing its parameters and return value",
  cpp: "a Doxygen comment for each function and class",
  csharp: "XML documentation comments (///) for each member and type",
  go: "a Go doc comment, starting with the name, for each function and type",
  rust: "/// doc comments for each function, struct and trait",
  php: "a PHPDoc comment for each function and class",
  ruby: "a YARD comment for each method and class",
  shellscript: "a comment block before each function",
};

const testFrameworks: Readonly<Record<string, string>> = {
  python: "pytest",
  javascript: "the node:test runner with node:assert",
  javascriptreact: "Jest with React Testing Library",
  typescript: "the node:test runner with node:assert",
  typescriptreact: "Jest with React Testing Library",
  java: "JUnit 5",
  c: "a main() that runs assert() checks",
  cpp: "a main() that runs assert() checks",
  csharp: "xUnit",
  go: "the standard testing package",
  rust: "#[test] functions in a tests module",
  php: "PHPUnit",
  ruby: "RSpec",
  shellscript: "bats",
};

export interface PresetInstructionInput {
  preset: RefactorPreset;
  languageId: string;
  /** The user's words, for "custom". */
  instruction: string;
  /** The diagnostics on the target, for "fix"; each line already says where. */
  diagnostics: readonly string[];
  /** The source file's name, for "generateTests": the tests import from it. */
  sourceFileName: string;
}

/** The instruction each preset sends; the user turn of the prompt. */
export function presetInstruction(input: PresetInstructionInput): string {
  switch (input.preset) {
    case "custom":
      return input.instruction.trim();
    case "simplify":
      return "Simplify this code: remove redundancy, flatten needless nesting and prefer clearer constructs. Keep its behaviour exactly the same.";
    case "addTypes":
      return (
        typeHints[input.languageId] ??
        "Add explicit type annotations to every parameter, return value and variable whose type is not obvious. Keep the behaviour the same."
      );
    case "addDocs":
      return `Add ${docStyles[input.languageId] ?? "a documentation comment for each function and class"}, and short comments where the logic is not obvious. Do not change the code itself.`;
    case "fix":
      return input.diagnostics.length === 0
        ? "Fix the bugs in this code. Keep everything else the same."
        : `Fix these problems reported for this code, and change nothing else:\n${input.diagnostics.map((line) => `- ${line}`).join("\n")}`;
    case "generateTests":
      return `Write unit tests for this code with ${testFrameworks[input.languageId] ?? "the language's usual test framework"}, as one complete test file that imports it from ${input.sourceFileName}. Cover normal cases, edge cases and errors.`;
    case "explain":
      return "Explain what this code does, step by step, and point out anything surprising or risky. Answer in prose; do not rewrite the code.";
  }
}

/** Short names for the progress notification and messages. */
export const presetTitles: Readonly<Record<RefactorPreset, string>> = {
  custom: "Refactor",
  simplify: "Simplify",
  addTypes: "Add Types",
  addDocs: "Add Docstrings/Comments",
  fix: "Fix",
  generateTests: "Generate Tests",
  explain: "Explain",
};
