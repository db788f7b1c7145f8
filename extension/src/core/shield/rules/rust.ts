import { firstArgument, isConstantExpression } from "../syntax";
import type { RuleDefinition } from "../types";
import {
  COMMAND_EXPLANATION,
  looksLikeSql,
  SQL_EXPLANATION,
  WEAK_HASH_EXPLANATION,
  WEAK_HASH_FIX,
  WEAK_HASH_MESSAGE,
} from "./shared";

const RUST = ["rust"] as const;

const weakHash: RuleDefinition = {
  id: "rust.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: (scoped_identifier path: (_) @type name: (identifier) @fn)) @finding (#match? @type "(^|::)(Md5|Sha1|Md4|Md2)$") (#any-of? @fn "new" "default" "digest" "from"))`,
    },
    {
      languages: RUST,
      query: `((call_expression function: (scoped_identifier path: (_) @module name: (identifier) @fn)) @finding (#match? @module "(^|::)(md5|sha1)$") (#any-of? @fn "compute" "digest"))`,
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "rust.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS certificate or hostname verification can be turned off (danger_accept_invalid_*).",
  fixHint: "Remove the call; add private CAs with add_root_certificate.",
  explanation: "Accepting invalid certificates lets anyone on the network path impersonate the server.",
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: (field_expression field: (field_identifier) @fn) arguments: (arguments) @args) @finding (#any-of? @fn "danger_accept_invalid_certs" "danger_accept_invalid_hostnames" "set_verify"))`,
      accept: (match) => {
        const value = firstArgument(match.capture("args"))?.text ?? "";
        const method = match.capture("fn");
        const call = match.capture("finding");
        if (!method || !call) return false;
        const dangerous = method.text === "set_verify" ? /SslVerifyMode::NONE/.test(value) : value !== "false";
        // In a builder chain the call starts at the chain's first line; the finding points at this method.
        return dangerous && { startIndex: method.startIndex, endIndex: call.endIndex };
      },
    },
  ],
};

const command: RuleDefinition = {
  id: "rust.command-injection",
  cwe: "CWE-78",
  severity: "warn",
  message: "A process is started with a program chosen by a non-literal value.",
  fixHint: "Start a fixed program and pass values with .arg(); never build a shell command line.",
  explanation: COMMAND_EXPLANATION,
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: (scoped_identifier path: (_) @type name: (identifier) @fn) arguments: (arguments) @args) @finding (#match? @type "(^|::)Command$") (#eq? @fn "new"))`,
      accept: (match) => {
        const program = firstArgument(match.capture("args"));
        return program !== undefined && !isConstantExpression(program) && !/^[A-Z][A-Z0-9_]*$/.test(program.text);
      },
    },
  ],
};

const sqlFormatting: RuleDefinition = {
  id: "rust.sql-formatting",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built with format!.",
  fixHint: 'Use bind parameters (sqlx::query("... $1").bind(value), diesel\'s DSL).',
  explanation: SQL_EXPLANATION,
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: [(identifier) @fn (scoped_identifier name: (identifier) @fn) (field_expression field: (field_identifier) @fn)] arguments: (arguments (macro_invocation macro: (identifier) @macro) @sql)) @finding (#any-of? @fn "sql_query" "query" "query_as" "execute" "prepare" "query_row" "batch_execute") (#eq? @macro "format"))`,
      accept: (match) => looksLikeSql((match.capture("sql")?.text ?? "").replace(/^format!\s*\(\s*/, "")),
    },
  ],
};

export const RUST_RULES: readonly RuleDefinition[] = [weakHash, tlsVerificationOff, command, sqlFormatting];
