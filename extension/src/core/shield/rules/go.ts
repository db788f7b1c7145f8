import type { Node } from "web-tree-sitter";
import { firstArgument, isConstantExpression, positionalArguments } from "../syntax";
import type { RuleDefinition } from "../types";
import {
  COMMAND_EXPLANATION,
  looksLikeSql,
  SQL_EXPLANATION,
  WEAK_CIPHER_EXPLANATION,
  WEAK_CIPHER_FIX,
  WEAK_CIPHER_MESSAGE,
  WEAK_HASH_EXPLANATION,
  WEAK_HASH_FIX,
  WEAK_HASH_MESSAGE,
} from "./shared";

const GO = ["go"] as const;

function goCall(packages: string, functions: string): string {
  return `((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @fn) arguments: (argument_list) @args) @finding (#any-of? @package ${packages}) (#any-of? @fn ${functions}))`;
}

const weakHash: RuleDefinition = {
  id: "go.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [{ languages: GO, query: goCall(`"md5" "sha1" "md4"`, `"New" "Sum"`) }],
};

const weakCipher: RuleDefinition = {
  id: "go.weak-cipher",
  cwe: "CWE-327",
  severity: "block",
  message: WEAK_CIPHER_MESSAGE,
  fixHint: WEAK_CIPHER_FIX,
  explanation: WEAK_CIPHER_EXPLANATION,
  patterns: [
    { languages: GO, query: goCall(`"des"`, `"NewCipher" "NewTripleDESCipher"`) },
    { languages: GO, query: goCall(`"rc4" "blowfish"`, `"NewCipher" "NewSaltedCipher"`) },
  ],
};

const command: RuleDefinition = {
  id: "go.command-injection",
  cwe: "CWE-78",
  severity: "block",
  message: "A command runs through a shell with a non-literal command string, or the program itself is non-literal.",
  fixHint: "Call exec.Command with a fixed program and separate arguments; never `sh -c` with spliced values.",
  explanation: COMMAND_EXPLANATION,
  patterns: [
    {
      languages: GO,
      query: goCall(`"exec"`, `"Command" "CommandContext"`),
      accept: (match) => {
        const args = positionalArguments(match.capture("args"));
        const program = match.capture("fn")?.text === "CommandContext" ? args[1] : args[0];
        if (!program) return false;
        if (!isConstantExpression(program)) return true;
        const rest = args.slice(args.indexOf(program) + 1);
        return (
          /^"(\/bin\/)?(ba|z)?sh"$|^"cmd(\.exe)?"$/.test(program.text) && rest.some((a) => !isConstantExpression(a))
        );
      },
    },
  ],
};

function isFormattedSql(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === "binary_expression") return !isConstantExpression(node) && looksLikeSql(node.text);
  if (node.type === "call_expression")
    return (
      /^fmt\.Sprintf$/.test(node.childForFieldName("function")?.text ?? "") &&
      looksLikeSql(firstArgument(node.childForFieldName("arguments"))?.text ?? "")
    );
  return false;
}

const sqlFormatting: RuleDefinition = {
  id: "go.sql-formatting",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built by concatenation or fmt.Sprintf.",
  fixHint: 'Pass values as query arguments: db.Query("... WHERE id = $1", id).',
  explanation: SQL_EXPLANATION,
  patterns: [
    {
      languages: GO,
      query: `((call_expression function: (selector_expression field: (field_identifier) @fn) arguments: (argument_list) @args) @finding (#match? @fn "^(Query|QueryRow|Exec|Prepare|Raw|Select|Get)(Context)?$"))`,
      accept: (match) =>
        positionalArguments(match.capture("args"))
          .slice(0, 2)
          .some((a) => isFormattedSql(a)),
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "go.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS certificate verification is turned off (InsecureSkipVerify: true).",
  fixHint: "Remove InsecureSkipVerify; add private CAs to RootCAs.",
  explanation: "Without certificate checks anyone on the network path can impersonate the server.",
  patterns: [
    {
      languages: GO,
      query: `((keyed_element key: (literal_element (identifier) @key) value: (literal_element (true))) @finding (#eq? @key "InsecureSkipVerify"))`,
    },
    {
      languages: GO,
      query: `((assignment_statement left: (expression_list (selector_expression field: (field_identifier) @key)) right: (expression_list (true))) @finding (#eq? @key "InsecureSkipVerify"))`,
    },
  ],
};

export const GO_RULES: readonly RuleDefinition[] = [weakHash, weakCipher, command, sqlFormatting, tlsVerificationOff];
