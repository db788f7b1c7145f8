import type { Node } from "web-tree-sitter";
import { isGoPackage } from "../imports";
import {
  destinationName,
  enclosingFunctionNames,
  firstArgument,
  isConstantExpression,
  localAssignedValues,
  namesSecurityValue,
  positionalArguments,
} from "../syntax";
import type { RuleDefinition, RuleMatch } from "../types";
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

/** A call of a package function; the package is checked against the file's imports, so an alias still matches. */
function goCall(functions: string): string {
  return `((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @fn) arguments: (argument_list) @args) @finding (#any-of? @fn ${functions}))`;
}

function fromPackage(...paths: string[]): (match: RuleMatch) => boolean {
  return (match) => {
    const name = match.capture("package");
    return name !== undefined && isGoPackage(name, match.language, paths);
  };
}

const weakHash: RuleDefinition = {
  id: "go.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [
    {
      languages: GO,
      query: goCall(`"New" "Sum"`),
      accept: fromPackage("crypto/md5", "crypto/sha1", "golang.org/x/crypto/md4"),
    },
  ],
};

const weakCipher: RuleDefinition = {
  id: "go.weak-cipher",
  cwe: "CWE-327",
  severity: "block",
  message: WEAK_CIPHER_MESSAGE,
  fixHint: WEAK_CIPHER_FIX,
  explanation: WEAK_CIPHER_EXPLANATION,
  patterns: [
    {
      languages: GO,
      query: goCall(`"NewCipher" "NewTripleDESCipher" "NewSaltedCipher"`),
      accept: fromPackage("crypto/des", "crypto/rc4", "golang.org/x/crypto/blowfish"),
    },
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
      query: goCall(`"Command" "CommandContext"`),
      accept: (match) => {
        if (!fromPackage("os/exec")(match)) return false;
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

/** fmt.Sprintf (or Sprint) with at least one value that is not a constant: text with data spliced in. */
function isSprintfWithValues(node: Node): boolean {
  if (!/^fmt\.Sprint(f|ln)?$/.test(node.childForFieldName("function")?.text ?? "")) return false;
  const args = positionalArguments(node.childForFieldName("arguments"));
  return args.slice(1).some((value) => !isConstantExpression(value));
}

function isFormattedSql(node: Node | undefined, depth = 0): boolean {
  if (!node) return false;
  if (node.type === "binary_expression") return !isConstantExpression(node) && looksLikeSql(node.text);
  if (node.type === "call_expression")
    return isSprintfWithValues(node) && looksLikeSql(firstArgument(node.childForFieldName("arguments"))?.text ?? "");
  if (node.type === "identifier" && depth === 0)
    return localAssignedValues(node).some((value) => isFormattedSql(value, 1));
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

/**
 * Values a net/http (or gin, gorilla/mux, echo) handler reads from the request: query, form, headers, path values,
 * cookies and the body.
 */
const REQUEST_INPUT =
  /\b\w+\.(URL\.Query\(\)|URL\.RawQuery|URL\.Path|Form(Value)?\b|PostForm(Value)?\b|Header\.Get\s*\(|PathValue\s*\(|Cookie\s*\(|Body\b)|\bmux\.Vars\s*\(|\b(c|ctx)\.(Query|DefaultQuery|Param|PostForm|FormValue|QueryParam|GetHeader)\s*\(/;

/** Whether an expression carries request input, directly or through local variables assigned from it. */
function isRequestInput(node: Node | undefined, depth = 0): boolean {
  if (!node || isConstantExpression(node)) return false;
  if (REQUEST_INPUT.test(node.text)) return true;
  if (depth > 2) return false;
  const names = node.type === "identifier" ? [node] : node.descendantsOfType("identifier");
  return names.some(
    (name) => name !== null && localAssignedValues(name).some((value) => isRequestInput(value, depth + 1)),
  );
}

const REQUEST_EXPLANATION =
  "Handlers that pass request values (query, form, headers, path) straight to this call let the caller choose what it does.";

const ssrf: RuleDefinition = {
  id: "go.ssrf",
  cwe: "CWE-918",
  severity: "warn",
  message: "An outgoing HTTP request goes to a URL taken from the incoming request.",
  fixHint: "Build the URL from a fixed base and an allow-listed host; never fetch a URL the client chose.",
  explanation:
    "When the client chooses the URL, the server fetches it on the client's behalf: cloud metadata endpoints, internal " +
    "admin ports and file-like schemes become reachable (server-side request forgery). " +
    REQUEST_EXPLANATION,
  patterns: [
    {
      languages: GO,
      query: `((call_expression function: (selector_expression field: (field_identifier) @fn) arguments: (argument_list) @args) @finding (#any-of? @fn "Get" "Post" "Head" "PostForm" "NewRequest" "NewRequestWithContext"))`,
      accept: (match) => {
        const fn = match.capture("fn")?.text;
        const args = positionalArguments(match.capture("args"));
        const url = fn === "NewRequest" ? args[1] : fn === "NewRequestWithContext" ? args[2] : args[0];
        return isRequestInput(url);
      },
    },
  ],
};

const openRedirect: RuleDefinition = {
  id: "go.open-redirect",
  cwe: "CWE-601",
  severity: "warn",
  message: "The handler redirects to a location taken from the request.",
  fixHint: "Redirect only to relative paths you check (starts with one '/', not '//'), or to an allow-listed host.",
  explanation:
    "A link to this site that redirects anywhere lends the site's name to phishing pages and can leak tokens in the URL. " +
    REQUEST_EXPLANATION,
  patterns: [
    {
      languages: GO,
      query: `((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @fn) arguments: (argument_list) @args) @finding (#eq? @fn "Redirect"))`,
      accept: (match) => {
        const args = positionalArguments(match.capture("args"));
        // net/http: Redirect(w, r, url, code); gin and echo: c.Redirect(code, url).
        const url = fromPackage("net/http")(match) ? args[2] : args[1];
        return isRequestInput(url);
      },
    },
  ],
};

/** The file name alone: filepath.Base/path.Base cannot climb out of the folder it is joined to. */
const FILE_NAME_ONLY = /\b(filepath|path)\.Base\s*\(/;

/** Whether request input reaches this path with no filepath.Base on the way. */
function isPathFromInput(node: Node | undefined, depth = 0): boolean {
  if (!node || !isRequestInput(node) || FILE_NAME_ONLY.test(node.text)) return false;
  if (REQUEST_INPUT.test(node.text) || depth > 1) return true;
  const names = node.type === "identifier" ? [node] : node.descendantsOfType("identifier");
  return names.some(
    (name) => name !== null && localAssignedValues(name).some((value) => isPathFromInput(value, depth + 1)),
  );
}

const FILE_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  os: ["Open", "OpenFile", "ReadFile", "WriteFile", "Create", "Remove", "RemoveAll", "ReadDir", "Mkdir", "MkdirAll"],
  "io/ioutil": ["ReadFile", "WriteFile", "ReadDir"],
};

/**
 * os.Open(filepath.Join(root, r.URL.Query().Get("f"))): Join cleans the path but keeps a leading ../ climbing out of
 * root, and an absolute path from the request is taken as is. http.ServeFile serves whatever path it is given.
 */
const pathFromInput: RuleDefinition = {
  id: "go.path-from-input",
  cwe: "CWE-22",
  severity: "block",
  message: "A file is opened, served or changed at a path taken from the request (path traversal).",
  fixHint:
    "Take the file name alone (filepath.Base), join it to a fixed folder and check the result stays under it; or serve a folder with http.FileServer(http.Dir(root)).",
  explanation:
    "A path from the request can climb out of the intended folder with ../ or name an absolute path, reading or " +
    "overwriting any file the server can reach (source code, keys, /etc/passwd). " +
    REQUEST_EXPLANATION,
  patterns: [
    {
      languages: GO,
      query: `((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @fn) arguments: (argument_list) @args) @finding)`,
      accept: (match) => {
        const fn = match.capture("fn")?.text ?? "";
        const pkg = match.capture("package");
        if (!pkg) return false;
        const args = positionalArguments(match.capture("args"));
        if (fn === "ServeFile" && isGoPackage(pkg, match.language, ["net/http"])) return isPathFromInput(args[2]);
        const packages = Object.keys(FILE_FUNCTIONS).filter((path) => FILE_FUNCTIONS[path]?.includes(fn));
        return packages.length > 0 && isGoPackage(pkg, match.language, packages) && isPathFromInput(args[0]);
      },
    },
  ],
};

/** html.EscapeString, template.HTMLEscapeString, url.QueryEscape, url.Values.Encode: text made safe on the way. */
const ESCAPED = /(EscapeString|HTMLEscape\w*|QueryEscape|PathEscape|\.Encode)\s*\(/;

/** Request input written into the response with no escaping on the way. */
function isUnescapedInput(node: Node | undefined, depth = 0): boolean {
  if (!node || !isRequestInput(node) || ESCAPED.test(node.text)) return false;
  if (REQUEST_INPUT.test(node.text) || depth > 1) return true;
  // The input came through a local variable: escaped there, it is safe here.
  const names = node.type === "identifier" ? [node] : node.descendantsOfType("identifier");
  return names.some(
    (name) => name !== null && localAssignedValues(name).some((value) => isUnescapedInput(value, depth + 1)),
  );
}

const unescapedOutput: RuleDefinition = {
  id: "go.unescaped-output",
  cwe: "CWE-79",
  severity: "warn",
  message: "Request input is written into the response, or marked as safe HTML, without escaping.",
  fixHint: "Render through html/template with the value as data; never wrap input in template.HTML.",
  explanation:
    "A response written with w.Write or fmt.Fprint is HTML to the browser unless its Content-Type says otherwise, and " +
    "template.HTML switches html/template's escaping off. Input that reaches either can carry <script>. " +
    REQUEST_EXPLANATION,
  patterns: [
    {
      languages: GO,
      query: `((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @fn) arguments: (argument_list . (_) @value .)) @finding (#any-of? @fn "HTML" "JS" "HTMLAttr" "URL"))`,
      accept: (match) => fromPackage("html/template")(match) && isUnescapedInput(match.capture("value")),
    },
    {
      languages: GO,
      query: `((call_expression function: (selector_expression operand: (identifier) @writer field: (field_identifier) @fn) arguments: (argument_list . (_) @value .)) @finding (#eq? @fn "Write") (#eq? @writer "w"))`,
      accept: (match) => isUnescapedInput(match.capture("value")),
    },
    {
      languages: GO,
      query: `((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @fn) arguments: (argument_list . (identifier) @writer (_) @value)) @finding (#any-of? @fn "Fprintf" "Fprint" "Fprintln" "WriteString") (#eq? @writer "w"))`,
      accept: (match) =>
        positionalArguments(match.capture("finding")?.childForFieldName("arguments"))
          .slice(1)
          .some((value) => isUnescapedInput(value)),
    },
  ],
};

function keyedValue(literal: Node | undefined, key: string): string | undefined {
  const element = literal
    ?.descendantsOfType("keyed_element")
    .find((child) => child?.childForFieldName("key")?.text === key || child?.namedChildren[0]?.text === key);
  return (element?.childForFieldName("value") ?? element?.namedChildren[1])?.text;
}

const cookieFlags: RuleDefinition = {
  id: "go.cookie-flags",
  cwe: "CWE-614",
  severity: "warn",
  message: "An http.Cookie is built without Secure or without HttpOnly.",
  fixHint: "Set Secure: true and HttpOnly: true (and SameSite) on cookies that carry a session or token.",
  explanation:
    "Without Secure the cookie also travels over plain HTTP; without HttpOnly any script injected into the page can read " +
    "it. Both default to false in an http.Cookie literal.",
  patterns: [
    {
      languages: GO,
      query: `((composite_literal type: (qualified_type package: (package_identifier) @package name: (type_identifier) @type) body: (literal_value) @body) @finding (#eq? @type "Cookie"))`,
      accept: (match) => {
        const name = match.capture("package");
        const node = match.capture("finding");
        if (!name || !node || !isGoPackage(name, match.language, ["net/http"])) return false;
        // Cookies a client sends (a cookie jar, a request) have no flags to set; those a server sets do.
        if (!/\bSetCookie\s*\(/.test(enclosingBody(node).text)) return false;
        const body = match.capture("body");
        // Flags set from a settings value are the caller's decision; only a missing or false flag is reported.
        return ["Secure", "HttpOnly"].some((flag) => {
          const value = keyedValue(body, flag);
          return value === undefined || value === "false";
        });
      },
    },
  ],
};

const cors: RuleDefinition = {
  id: "go.cors-any-origin-with-credentials",
  cwe: "CWE-942",
  severity: "warn",
  message: "CORS allows any origin (or echoes the caller's) and also allows credentials.",
  fixHint: "List the allowed origins explicitly; never combine a wildcard or an echoed Origin with credentials.",
  explanation:
    "With credentials allowed, a page on any site can call this API with the user's cookies and read the answers.",
  patterns: [
    {
      languages: GO,
      query: `((call_expression function: (selector_expression field: (field_identifier) @fn) arguments: (argument_list . (interpreted_string_literal) @header . (_) @value .)) @finding (#any-of? @fn "Set" "Add") (#match? @header "^\\"Access-Control-Allow-Origin\\"$"))`,
      accept: (match) => {
        const value = match.capture("value");
        const node = match.capture("finding");
        if (!value || !node) return false;
        const anyOrigin = value.text === '"*"' || /Header\.Get\s*\(\s*"Origin"\s*\)/.test(value.text);
        return anyOrigin && /Access-Control-Allow-Credentials"\s*,\s*"true"/.test(enclosingBody(node).text);
      },
    },
    {
      languages: GO,
      query: `((literal_value (keyed_element) @credentials) @finding (#match? @credentials "^AllowCredentials\\\\s*:\\\\s*true$"))`,
      accept: (match) => {
        const text = match.capture("finding")?.text ?? "";
        return /AllowAllOrigins\s*:\s*true|AllowOrigins?\s*:\s*\[\]string\s*\{\s*"\*"|AllowedOrigins\s*:\s*\[\]string\s*\{\s*"\*"/.test(
          text,
        );
      },
    },
  ],
};

function enclosingBody(node: Node): Node {
  let current: Node = node;
  while (current.parent && !/^(function_declaration|method_declaration|func_literal)$/.test(current.type))
    current = current.parent;
  return current;
}

const debugEndpoints: RuleDefinition = {
  id: "go.debug-enabled",
  cwe: "CWE-489",
  severity: "warn",
  message: "Debug endpoints or debug mode are switched on (net/http/pprof, gin.DebugMode).",
  fixHint:
    "Serve pprof on a separate, local-only listener (its own ServeMux) and run gin in ReleaseMode in production.",
  explanation:
    "Importing net/http/pprof for its side effect registers /debug/pprof/ on http.DefaultServeMux, so every server that uses the default mux exposes heap dumps, goroutine stacks and command lines. gin's debug mode logs every route and request detail.",
  patterns: [
    {
      languages: GO,
      query: `((import_spec name: (blank_identifier) path: (_) @path) @finding (#eq? @path "\\"net/http/pprof\\""))`,
    },
    {
      languages: GO,
      query: `((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @fn) arguments: (argument_list . (_) @mode .)) @finding (#eq? @fn "SetMode") (#match? @mode "^(gin\\.DebugMode|\\"debug\\")$"))`,
      accept: fromPackage("github.com/gin-gonic/gin"),
    },
  ],
};

/** Calls of math/rand's global generator or of a *rand.Rand, whose result is stored under a secret-like name. */
function randomFeedsSecret(scope: Node, generator: string | undefined): boolean {
  return scope.descendantsOfType("call_expression").some((call) => {
    const callee = call?.childForFieldName("function");
    if (!call || callee?.type !== "selector_expression") return false;
    const operand = callee.childForFieldName("operand")?.text;
    const fn = callee.childForFieldName("field")?.text ?? "";
    if (operand !== generator && operand !== "rand") return false;
    if (!/^(Int|Intn|Int31|Int31n|Int63|Int63n|Uint32|Uint64|Float32|Float64|Read|Perm|IntN|Int64|Int64N|N)$/.test(fn))
      return false;
    const name = destinationName(call);
    return (name !== undefined && namesSecurityValue(name)) || enclosingFunctionNames(call).some(namesSecurityValue);
  });
}

const fixedSeed: RuleDefinition = {
  id: "go.fixed-seed",
  cwe: "CWE-335",
  severity: "warn",
  message: "math/rand is seeded with a constant, and its output is used for a secret-like value.",
  fixHint: "Use crypto/rand for tokens, keys, salts and passwords; math/rand is predictable with any seed.",
  explanation:
    "A constant seed makes every value the generator returns known to anyone who reads the code. Seeds for simulations " +
    "and tests are fine, so the Shield reports the seed only where the file stores the generator's output under a name " +
    "such as token, key, password, salt or nonce.",
  patterns: [
    {
      languages: GO,
      query: `((call_expression function: (selector_expression operand: (identifier) @package field: (field_identifier) @fn) arguments: (argument_list . (_) @seed .)) @finding (#any-of? @fn "Seed" "NewSource"))`,
      accept: (match) => {
        const seed = match.capture("seed");
        const node = match.capture("finding");
        if (!seed || !node || !isConstantExpression(seed)) return false;
        if (!fromPackage("math/rand")(match)) return false;
        // rand.New(rand.NewSource(1)) is stored in a variable whose calls are the ones to follow.
        const holder = node.parent?.parent?.type === "call_expression" ? node.parent.parent : node;
        const generator = match.capture("fn")?.text === "NewSource" ? destinationName(holder) : undefined;
        return randomFeedsSecret(node.tree.rootNode, generator);
      },
    },
  ],
};

export const GO_RULES: readonly RuleDefinition[] = [
  weakHash,
  weakCipher,
  command,
  sqlFormatting,
  tlsVerificationOff,
  ssrf,
  openRedirect,
  pathFromInput,
  unescapedOutput,
  cookieFlags,
  cors,
  debugEndpoints,
  fixedSeed,
];
