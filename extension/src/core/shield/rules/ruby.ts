import type { Node } from "web-tree-sitter";
import { isConstantExpression } from "../syntax";
import type { RuleDefinition } from "../types";
import {
  COMMAND_EXPLANATION,
  looksLikeSql,
  SQL_EXPLANATION,
  WEAK_HASH_EXPLANATION,
  WEAK_HASH_FIX,
  WEAK_HASH_MESSAGE,
} from "./shared";

const RUBY = ["ruby"] as const;

function isDynamic(node: Node | undefined): boolean {
  return node !== undefined && !isConstantExpression(node);
}

const command: RuleDefinition = {
  id: "ruby.command-injection",
  cwe: "CWE-78",
  severity: "block",
  message: "A shell command is built from interpolated or non-literal values.",
  fixHint: 'Pass the program and its arguments separately: system("tar", "-xf", path).',
  explanation: COMMAND_EXPLANATION,
  patterns: [
    {
      languages: RUBY,
      query: `((call !receiver method: (identifier) @fn arguments: (argument_list . (_) @command .)) @finding (#any-of? @fn "system" "exec" "spawn" "popen"))`,
      accept: (match) => isDynamic(match.capture("command")),
    },
    {
      languages: RUBY,
      query: `((call receiver: (_) @receiver method: (identifier) @fn arguments: (argument_list . (_) @command .)) @finding (#match? @receiver "^(Kernel|IO|Open3|PTY)$") (#match? @fn "^(system|exec|spawn|popen|popen2|popen3|capture2|capture2e|capture3|spawn)$"))`,
      accept: (match) => isDynamic(match.capture("command")),
    },
    { languages: RUBY, query: `(subshell (interpolation)) @finding` },
  ],
};

const evalCall: RuleDefinition = {
  id: "ruby.eval",
  cwe: "CWE-95",
  severity: "block",
  message: "Code built at run time is evaluated (eval, instance_eval, class_eval with a string).",
  fixHint: "Use public_send with an allow-listed method name, or blocks instead of strings.",
  explanation: "Evaluated strings run with the application's rights; any user-controlled part becomes code injection.",
  patterns: [
    {
      languages: RUBY,
      query: `((call method: (identifier) @fn arguments: (argument_list . (_) @code)) @finding (#any-of? @fn "eval" "instance_eval" "class_eval" "module_eval"))`,
      accept: (match) => isDynamic(match.capture("code")),
    },
  ],
};

const deserialization: RuleDefinition = {
  id: "ruby.unsafe-deserialization",
  cwe: "CWE-502",
  severity: "block",
  message: "Marshal.load / YAML.load can instantiate arbitrary objects from the data.",
  fixHint: "Use JSON.parse or YAML.safe_load with permitted_classes.",
  explanation: "Loading objects from untrusted data runs code through gadget chains in common gems.",
  patterns: [
    {
      languages: RUBY,
      query: `((call receiver: (constant) @receiver method: (identifier) @fn) @finding (#eq? @receiver "Marshal") (#any-of? @fn "load" "restore"))`,
    },
    {
      languages: RUBY,
      query: `((call receiver: (constant) @receiver method: (identifier) @fn) @finding (#any-of? @receiver "YAML" "Psych") (#any-of? @fn "load" "unsafe_load" "load_documents"))`,
    },
  ],
};

const weakHash: RuleDefinition = {
  id: "ruby.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [
    {
      languages: RUBY,
      query: `((call receiver: (scope_resolution name: (constant) @algorithm)) @finding (#any-of? @algorithm "MD5" "SHA1"))`,
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "ruby.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS certificate verification is turned off (VERIFY_NONE).",
  fixHint: "Use OpenSSL::SSL::VERIFY_PEER and add private CAs to the cert store.",
  explanation: "Without certificate checks anyone on the network path can impersonate the server.",
  patterns: [
    { languages: RUBY, query: `((scope_resolution name: (constant) @name) @finding (#eq? @name "VERIFY_NONE"))` },
  ],
};

const csrfDisabled: RuleDefinition = {
  id: "ruby.csrf-disabled",
  cwe: "CWE-352",
  severity: "warn",
  message: "Rails CSRF protection is skipped or weakened.",
  fixHint: "Keep protect_from_forgery with: :exception; skip it only for token-authenticated API controllers.",
  explanation: "Without the authenticity token any page the user visits can submit requests with their session.",
  patterns: [
    {
      languages: RUBY,
      query: `((call method: (identifier) @fn arguments: (argument_list (simple_symbol) @filter)) @finding (#match? @fn "^skip_(before|around)_(action|filter)$") (#eq? @filter ":verify_authenticity_token"))`,
    },
  ],
};

const sqlInterpolation: RuleDefinition = {
  id: "ruby.sql-interpolation",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built by string interpolation.",
  fixHint: 'Use placeholders: where("name = ?", name) or where(name: name).',
  explanation: SQL_EXPLANATION,
  patterns: [
    {
      languages: RUBY,
      query: `((call method: (identifier) @fn arguments: (argument_list . (string (interpolation)) @sql)) @finding (#match? @fn "^(where|find_by_sql|execute|exec_query|select_all|select_one|select_value|order|having|joins|group|pluck|count_by_sql|query)$"))`,
      accept: (match) => {
        const fn = match.capture("fn")?.text ?? "";
        return /^(where|having|order|joins|group|pluck)$/.test(fn) || looksLikeSql(match.capture("sql")?.text ?? "");
      },
    },
  ],
};

export const RUBY_RULES: readonly RuleDefinition[] = [
  command,
  evalCall,
  deserialization,
  weakHash,
  tlsVerificationOff,
  csrfDisabled,
  sqlInterpolation,
];
