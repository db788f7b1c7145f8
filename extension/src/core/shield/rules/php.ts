import type { Node } from "web-tree-sitter";
import {
  destinationName,
  firstArgument,
  isConstantExpression,
  isLiteralString,
  localAssignedValues,
  namesSecurityValue,
  nthArgument,
  stringValue,
  unwrapArgument,
} from "../syntax";
import type { RuleDefinition, RuleMatch } from "../types";
import {
  COMMAND_EXPLANATION,
  looksLikeSql,
  SQL_EXPLANATION,
  WEAK_HASH_EXPLANATION,
  WEAK_HASH_FIX,
  WEAK_HASH_MESSAGE,
  WEAK_RANDOM_EXPLANATION,
} from "./shared";

const PHP = ["php"] as const;

function phpCall(names: string): string {
  return `((function_call_expression function: (name) @fn arguments: (arguments) @args) @finding (#any-of? @fn ${names}))`;
}

const SUPERGLOBAL =
  /\$_(GET|POST|REQUEST|COOKIE|FILES|SERVER\[['"](HTTP_|QUERY_STRING|REQUEST_URI|PHP_SELF|PATH_INFO))/;

function isDynamic(node: Node | undefined): boolean {
  return node !== undefined && !isConstantExpression(node);
}

/** Literals, escapeshellarg()/escapeshellcmd()/intval() results, and strings joined from those. */
function isShellSafe(node: Node): boolean {
  if (isConstantExpression(node)) return true;
  if (node.type === "function_call_expression")
    return /^(escapeshellarg|escapeshellcmd|intval|\(int\))$/.test(node.childForFieldName("function")?.text ?? "");
  if (node.type === "binary_expression" && node.childForFieldName("operator")?.text === ".") {
    const left = node.childForFieldName("left");
    const right = node.childForFieldName("right");
    return left !== null && right !== null && isShellSafe(left) && isShellSafe(right);
  }
  return false;
}

/** Where a value is stored: the assigned variable, property or array key (its text), if it is stored at all. */
function storedUnder(node: Node | undefined): string | undefined {
  let current = node?.parent;
  while (current?.type === "parenthesized_expression" || current?.type === "argument") current = current.parent;
  if (current?.type === "assignment_expression") return current.childForFieldName("left")?.text;
  if (current?.type === "array_element_initializer" && current.namedChildren.length === 2)
    return current.namedChildren[0]?.text;
  return undefined;
}

/**
 * `$column_name_hash = md5($name)`, `'table_name_hash' => md5(...)`, `$sqlMd5`: a name that says the hash
 * identifies some other thing (an HTML id, a cache slot) rather than protecting a secret. A bare `$hash` says
 * nothing and stays reported.
 */
function namesDerivedIdentifier(name: string | undefined): boolean {
  if (!name) return false;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "" && word !== "this");
  const hashWord = words.findIndex((word) => /^(hash(es)?|md5|sha1)$/.test(word));
  return (
    hashWord >= 0 &&
    words.some((word, index) => index !== hashWord && !/^(hash(es)?|md5|sha1)$/.test(word)) &&
    !words.some((word) => namesSecurityValue(word) || /^(pass|password|pwd|salt|sign|signature|auth)$/.test(word))
  );
}

const weakHash: RuleDefinition = {
  id: "php.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: `${WEAK_HASH_FIX} In PHP: password_hash() for passwords, hash('sha256', ...) otherwise.`,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [
    {
      languages: PHP,
      query: phpCall(`"md5" "sha1" "md5_file" "sha1_file"`),
      accept: (match) => !namesDerivedIdentifier(storedUnder(match.capture("finding"))),
    },
    {
      languages: PHP,
      query: phpCall(`"hash" "hash_init" "hash_file"`),
      accept: (match) => {
        const algorithm = firstArgument(match.capture("args"));
        return (
          algorithm !== undefined && isLiteralString(algorithm) && /^(md5|md4|md2|sha1)$/i.test(stringValue(algorithm))
        );
      },
    },
  ],
};

const command: RuleDefinition = {
  id: "php.command-injection",
  cwe: "CWE-78",
  severity: "block",
  message: "A shell command is built from a non-literal value.",
  fixHint: "Avoid the shell; if you must, wrap every value in escapeshellarg() and use a fixed command.",
  explanation: COMMAND_EXPLANATION,
  patterns: [
    {
      languages: PHP,
      query: phpCall(`"exec" "system" "shell_exec" "passthru" "popen" "proc_open" "pcntl_exec"`),
      accept: (match) => {
        const first = firstArgument(match.capture("args"));
        return first !== undefined && !isShellSafe(first);
      },
    },
    {
      languages: PHP,
      query: `(shell_command_expression) @finding`,
      accept: (match) => /\$/.test(match.capture("finding")?.text ?? ""),
    },
  ],
};

const evalCall: RuleDefinition = {
  id: "php.eval",
  cwe: "CWE-95",
  severity: "block",
  message: "Code built at run time is evaluated (eval, assert with a string, preg_replace /e, create_function).",
  fixHint: "Dispatch to fixed functions; use preg_replace_callback instead of the /e modifier.",
  explanation: "Evaluated strings run with the application's rights; any user-controlled part becomes code injection.",
  patterns: [
    {
      languages: PHP,
      query: `((function_call_expression function: (name) @fn arguments: (arguments) @args) @finding (#any-of? @fn "assert" "create_function"))`,
      accept: (match) => {
        if (match.capture("fn")?.text === "create_function") return true;
        // assert() evaluates a string argument as PHP code (before PHP 8); an interpolated one is injected code.
        const assertion = firstArgument(match.capture("args"));
        return assertion?.type === "encapsed_string" && !isLiteralString(assertion);
      },
    },
    {
      languages: PHP,
      query: `(expression_statement (function_call_expression function: (name) @fn arguments: (arguments) @args) @finding (#eq? @fn "eval"))`,
      accept: (match) => isDynamic(firstArgument(match.capture("args"))),
    },
    {
      languages: PHP,
      query: phpCall(`"preg_replace"`),
      accept: (match) => {
        const pattern = firstArgument(match.capture("args"));
        return (
          pattern !== undefined &&
          isLiteralString(pattern) &&
          /^(.).*\1[a-zA-Z]*e[a-zA-Z]*$/s.test(stringValue(pattern))
        );
      },
    },
  ],
};

const deserialization: RuleDefinition = {
  id: "php.unsafe-deserialization",
  cwe: "CWE-502",
  severity: "block",
  message: "unserialize() on non-literal data can instantiate attacker-chosen objects.",
  fixHint: "Use json_decode; if unserialize is unavoidable pass ['allowed_classes' => false].",
  explanation:
    "unserialize calls magic methods (__wakeup, __destruct) of any class the data names; gadget chains in common " +
    "libraries turn this into code execution.",
  patterns: [
    {
      languages: PHP,
      query: phpCall(`"unserialize"`),
      accept: (match) => {
        const args = match.capture("args");
        return isDynamic(firstArgument(args)) && !/allowed_classes/.test(nthArgument(args, 1)?.text ?? "");
      },
    },
  ],
};

const displayErrors: RuleDefinition = {
  id: "php.display-errors",
  cwe: "CWE-200",
  severity: "warn",
  message: "Errors are displayed to visitors (display_errors on).",
  fixHint: "Log errors (log_errors=On) and keep display_errors Off outside development.",
  explanation: "Error messages show paths, queries and sometimes credentials to whoever triggers them.",
  patterns: [
    {
      languages: PHP,
      query: phpCall(`"ini_set"`),
      accept: (match) => {
        const args = match.capture("args");
        const key = firstArgument(args);
        const value = nthArgument(args, 1);
        return (
          key !== undefined &&
          isLiteralString(key) &&
          stringValue(key) === "display_errors" &&
          value !== undefined &&
          /^['"]?(1|on|true|stdout)['"]?$/i.test(value.text)
        );
      },
    },
  ],
};

const openRedirect: RuleDefinition = {
  id: "php.open-redirect",
  cwe: "CWE-601",
  severity: "warn",
  message: "A Location header is built from request input.",
  fixHint: "Redirect only to relative paths or to hosts on an allow-list.",
  explanation: "An attacker can send users a link to this site that redirects to a look-alike phishing page.",
  patterns: [
    {
      languages: PHP,
      query: phpCall(`"header"`),
      accept: (match) => {
        const value = firstArgument(match.capture("args"));
        return value !== undefined && /^["']?\s*Location\s*:/i.test(value.text) && SUPERGLOBAL.test(value.text);
      },
    },
  ],
};

/** Calls whose result is safe to splice into SQL: escaping and quoting helpers, and number conversions. */
const SQL_ESCAPE = /(escape|quote|backquote|intval|floatval|boolval)\w*$/i;

/**
 * A value spliced into SQL that cannot change the statement: a constant, a class constant, a number cast, or the
 * result of an escaping or quoting helper ($dbi->escapeString, Util::backquote, $pdo->quote, intval).
 */
function isSqlSafePiece(node: Node): boolean {
  if (isConstantExpression(node) || node.type === "class_constant_access_expression" || node.type === "name")
    return true;
  if (node.type === "cast_expression") return /^\(\s*(int|integer|float|double|bool|boolean)\s*\)/i.test(node.text);
  if (node.type === "parenthesized_expression") return node.namedChildren.every((c) => c === null || isSqlSafePiece(c));
  if (node.type === "conditional_expression")
    return ["body", "alternative"].every((field) => {
      const branch = node.childForFieldName(field);
      return branch !== null && isSqlSafePiece(branch);
    });
  if (/call_expression$/.test(node.type)) {
    const callee = node.childForFieldName("name") ?? node.childForFieldName("function");
    return SQL_ESCAPE.test(callee?.text ?? "");
  }
  if (node.type === "binary_expression" && node.childForFieldName("operator")?.text === ".") {
    const left = node.childForFieldName("left");
    const right = node.childForFieldName("right");
    return left !== null && right !== null && isSqlSafePiece(left) && isSqlSafePiece(right);
  }
  return false;
}

/** The values spliced into a string or concatenation that are neither constant nor escaped. */
function unescapedPieces(node: Node): Node[] {
  if (node.type === "binary_expression") {
    return [node.childForFieldName("left"), node.childForFieldName("right")].flatMap((side) =>
      side !== null && !isConstantExpression(side) ? unescapedPieces(side) : [],
    );
  }
  if (node.type === "encapsed_string" || node.type === "heredoc") {
    return node
      .descendantsOfType(["variable_name", "member_access_expression", "subscript_expression"])
      .filter(
        (piece): piece is Node =>
          piece !== null && !/_expression$/.test(piece.parent?.type ?? "") && !isSqlSafePiece(piece),
      );
  }
  return isSqlSafePiece(node) ? [] : [node];
}

/** Request input itself, not a value computed from it by some function. */
function isRequestInput(node: Node): boolean {
  return !/call_expression$/.test(node.type) && SUPERGLOBAL.test(node.text);
}

function isFormattedSql(node: Node | undefined, depth = 0): boolean {
  if (!node) return false;
  if (node.type === "encapsed_string" || node.type === "heredoc" || node.type === "binary_expression")
    return isDynamic(node) && looksLikeSql(node.text) && unescapedPieces(node).length > 0;
  if (
    node.type === "function_call_expression" &&
    /^(sprintf|vsprintf)$/.test(node.childForFieldName("function")?.text ?? "")
  ) {
    const values = node.childForFieldName("arguments")?.namedChildren.slice(1) ?? [];
    return looksLikeSql(node.text) && values.some((value) => value !== null && !isSqlSafePiece(unwrapArgument(value)));
  }
  // A query held in a variable was often assembled over many lines from values the snippet cannot see; it is
  // reported when its assembly splices in request input.
  if (node.type === "variable_name" && depth === 0)
    return localAssignedValues(node).some(
      (value) => isFormattedSql(value, 1) && unescapedPieces(value).some(isRequestInput),
    );
  return false;
}

function anyArgumentIsFormattedSql(match: RuleMatch): boolean {
  const args = match.capture("args");
  return [firstArgument(args), nthArgument(args, 1)].some((argument) => isFormattedSql(argument));
}

const sqlFormatting: RuleDefinition = {
  id: "php.sql-formatting",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built by interpolation or concatenation.",
  fixHint: "Use prepared statements: $pdo->prepare('... WHERE id = ?')->execute([$id]).",
  explanation: SQL_EXPLANATION,
  patterns: [
    {
      languages: PHP,
      query: phpCall(
        `"mysql_query" "mysqli_query" "pg_query" "sqlite_query" "mysql_db_query" "mssql_query" "odbc_exec"`,
      ),
      accept: anyArgumentIsFormattedSql,
    },
    {
      languages: PHP,
      query: `((member_call_expression name: (name) @fn arguments: (arguments) @args) @finding (#any-of? @fn "query" "exec" "prepare" "get_results" "get_row" "get_var" "get_col" "multi_query" "real_query"))`,
      accept: anyArgumentIsFormattedSql,
    },
  ],
};

const weakRandom: RuleDefinition = {
  id: "php.weak-random",
  cwe: "CWE-330",
  severity: "warn",
  message: "rand/mt_rand/uniqid are predictable; this value looks security-sensitive (token, password, key, salt…).",
  fixHint: "Use random_bytes() or random_int().",
  explanation: WEAK_RANDOM_EXPLANATION,
  patterns: [
    {
      languages: PHP,
      query: phpCall(`"rand" "mt_rand" "uniqid" "lcg_value" "str_shuffle" "array_rand"`),
      accept: (match) => {
        const node = match.capture("finding");
        const name = node ? destinationName(node) : undefined;
        return name !== undefined && namesSecurityValue(name.replace(/^\$/, ""));
      },
    },
  ],
};

const fixedSeed: RuleDefinition = {
  id: "php.fixed-seed",
  cwe: "CWE-335",
  severity: "warn",
  message: "The random generator is seeded explicitly, making its output reproducible.",
  fixHint: "Do not seed; use random_int()/random_bytes() for anything secret.",
  explanation: "A known seed makes every later rand()/mt_rand() value predictable.",
  patterns: [
    {
      languages: PHP,
      query: phpCall(`"srand" "mt_srand"`),
      accept: (match) => firstArgument(match.capture("args")) !== undefined,
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "php.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "cURL or a stream context is told not to verify TLS certificates.",
  fixHint:
    "Keep CURLOPT_SSL_VERIFYPEER true and CURLOPT_SSL_VERIFYHOST 2; point CURLOPT_CAINFO at a private CA if needed.",
  explanation: "Without certificate checks anyone on the network path can impersonate the server.",
  patterns: [
    {
      languages: PHP,
      query: phpCall(`"curl_setopt"`),
      accept: (match) => {
        const args = match.capture("args");
        const option = nthArgument(args, 1)?.text;
        const value = nthArgument(args, 2)?.text.toLowerCase();
        return (
          (option === "CURLOPT_SSL_VERIFYPEER" || option === "CURLOPT_SSL_VERIFYHOST") &&
          (value === "false" || value === "0")
        );
      },
    },
    {
      languages: PHP,
      query: `((array_element_initializer (_) @key (_) @value) @finding (#match? @key "^['\\"](verify_peer|verify_peer_name)['\\"]$") (#match? @value "^(false|FALSE|0)$"))`,
    },
  ],
};

export const PHP_RULES: readonly RuleDefinition[] = [
  weakHash,
  command,
  evalCall,
  deserialization,
  displayErrors,
  openRedirect,
  sqlFormatting,
  weakRandom,
  fixedSeed,
  tlsVerificationOff,
];
