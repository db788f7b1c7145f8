import type { Node } from "web-tree-sitter";
import { isConstantExpression, keywordArgument, localAssignedValues, positionalArguments } from "../syntax";
import type { RuleDefinition, RuleMatch, ShieldLanguage } from "../types";

/*
 * Web-framework rules for Flask, Django, Express and Rails, and the request-driven patterns every server language
 * shares (SSRF, open redirects, file paths from input, unescaped output). One rule id per weakness across languages,
 * so turning a rule off covers every language. "Input" is what the request carries, read directly or through a
 * local variable assigned from it earlier in the same function.
 */

const PY = ["python"] as const;
const JS = ["javascript", "javascriptreact", "typescript", "typescriptreact"] as const;
const RUBY = ["ruby"] as const;
const PHP = ["php"] as const;

// `request` alone also names an HTTP client's outgoing request or a resolver's lookup; only its body, query and
// parameter fields are read as input.
const JS_INPUT =
  /\b(req|ctx\.request|ctx)\.(query|body|params|cookies|headers|url|originalUrl|path|hostname|get)\b|\brequest\.(query|body|params|cookies|headers)\b/;

const REQUEST_INPUT: Partial<Readonly<Record<ShieldLanguage, RegExp>>> = {
  python:
    /\brequest\.(args|form|values|json|data|files|cookies|headers|GET|POST|FILES|COOKIES|META|body|query_params|get_json|params|path_params|url|full_path|query_string)\b/,
  javascript: JS_INPUT,
  javascriptreact: JS_INPUT,
  typescript: JS_INPUT,
  typescriptreact: JS_INPUT,
  ruby: /\bparams\b|\brequest\.(params|query_string|query_parameters|request_parameters|url|fullpath|body|headers|cookies|referer|referrer)\b|\bcookies\[/,
  php: /\$_(GET|POST|REQUEST|COOKIE|FILES)\b|\$_SERVER\[['"](HTTP_|QUERY_STRING|REQUEST_URI|PHP_SELF|PATH_INFO)|\$request->(get|input|query|post|all|cookie|header)\b/,
};

/** Helpers that make a value safe for the sink at hand: escaping, encoding, taking the file name alone, numbers. */
const NEUTRALISED =
  /\b(escape\w*|html_escape|h|sanitize\w*|encodeURI(Component)?|htmlspecialchars|htmlentities|strip_tags|basename|secure_filename|intval|int|parseInt|Number|JSON\.stringify|url_for|url_has_allowed_host_and_scheme|is_safe_url)\s*\(|\bpath\.basename\b|\bFile\.basename\b|\.to_i\b/;

const IDENTIFIER_TYPES = ["identifier", "variable_name"];

/** The value is request input, or built from it, directly or through local variables assigned from it. */
function isInputDerived(language: ShieldLanguage, node: Node | undefined): boolean {
  const input = REQUEST_INPUT[language];
  if (!node || !input || isConstantExpression(node) || NEUTRALISED.test(node.text)) return false;
  if (input.test(node.text)) return true;
  const names = IDENTIFIER_TYPES.includes(node.type) ? [node] : node.descendantsOfType(IDENTIFIER_TYPES);
  return names
    .slice(0, 8)
    .some(
      (name) =>
        name !== null &&
        localAssignedValues(name).some((value) => input.test(value.text) && !NEUTRALISED.test(value.text)),
    );
}

function inputArgument(names: readonly string[], positions: readonly number[] = [0]) {
  return (match: RuleMatch): boolean => {
    const args = match.capture("args");
    const positional = positionalArguments(args);
    const candidates = [
      ...positions.map((position) => positional[position]),
      ...names.map((name) => keywordArgument(args, name)),
    ];
    return candidates.some((candidate) => isInputDerived(match.language, candidate));
  };
}

function qualifies(pattern: RegExp) {
  return (match: RuleMatch): boolean => {
    const callee = match.capture("callee");
    return callee !== undefined && pattern.test(match.qualifiedName(callee));
  };
}

function both(...tests: ((match: RuleMatch) => boolean)[]) {
  return (match: RuleMatch): boolean => tests.every((test) => test(match));
}

const PY_CALL = `((call function: [(identifier) (attribute)] @callee arguments: (argument_list) @args) @finding)`;
const JS_CALL = `((call_expression function: [(identifier) (member_expression)] @callee arguments: (arguments) @args) @finding)`;
const RUBY_CALL = `((call method: (identifier) @method arguments: (argument_list) @args) @finding)`;

/** A Ruby call's receiver and method as one dotted name: `Net::HTTP.get`, `File.read`, `open`. */
function rubyCallee(match: RuleMatch): string {
  const call = match.capture("finding");
  const receiver = call?.childForFieldName("receiver")?.text.replace(/^::/, "");
  const method = match.capture("method")?.text ?? "";
  return receiver ? `${receiver}.${method}` : method;
}

function rubyCallNamed(pattern: RegExp) {
  return (match: RuleMatch): boolean => pattern.test(rubyCallee(match));
}

const ssrf: RuleDefinition = {
  id: "web.ssrf",
  cwe: "CWE-918",
  severity: "block",
  message: "The server sends a request to a URL taken from the incoming request (SSRF).",
  fixHint:
    "Let the request choose among known hosts (an allow-list), or parse the URL and check its scheme and host (and the address it resolves to) before fetching.",
  explanation:
    "A URL from the request lets an attacker make the server fetch internal addresses (cloud metadata at " +
    "169.254.169.254, admin ports, localhost services) with the server's network position and credentials.",
  patterns: [
    {
      languages: PY,
      query: PY_CALL,
      accept: both(
        qualifies(
          /^(requests|httpx)\.(get|post|put|patch|delete|head|options|request|stream)$|^(urllib\.request\.|urllib2\.|six\.moves\.urllib\.request\.)?urlopen$|^urllib\.request\.Request$|^aiohttp\.request$/,
        ),
        inputArgument(["url"], [0, 1]),
      ),
    },
    {
      languages: JS,
      query: JS_CALL,
      accept: both(
        qualifies(
          /^(axios|got|needle|superagent|request|node-fetch|undici|phin|bent)(\.(get|post|put|patch|delete|head|request|stream|fetch))?$|^fetch$|^(http|https)\.(get|request)$/,
        ),
        inputArgument([], [0]),
      ),
    },
    {
      languages: RUBY,
      query: RUBY_CALL,
      accept: both(
        rubyCallNamed(
          /^(Net::HTTP\.(get|get_response|post|post_form|start|new)|(HTTParty|Faraday|RestClient|Excon|Typhoeus|HTTP)\.\w+|URI\.open|open|Kernel\.open)$/,
        ),
        (match) => isInputDerived("ruby", match.capture("args")?.namedChildren[0] ?? undefined),
      ),
    },
    {
      languages: PHP,
      query: `((function_call_expression function: (name) @fn arguments: (arguments) @args) @finding (#any-of? @fn "curl_init" "curl_setopt"))`,
      accept: (match) => {
        const args = positionalArguments(match.capture("args"));
        if (match.capture("fn")?.text === "curl_init") return isInputDerived("php", args[0]);
        return args[1]?.text === "CURLOPT_URL" && isInputDerived("php", args[2]);
      },
    },
  ],
};

const openRedirect: RuleDefinition = {
  id: "web.open-redirect",
  cwe: "CWE-601",
  severity: "warn",
  message: "The response redirects to a location taken from the request (open redirect).",
  fixHint:
    "Redirect only to relative paths of this site or to hosts on an allow-list (Django: url_has_allowed_host_and_scheme).",
  explanation:
    "A link to this trusted site that bounces the user to a look-alike page is what phishing mails are made of; " +
    "OAuth flows that redirect with a token in the URL leak the token too.",
  patterns: [
    {
      languages: PY,
      query: PY_CALL,
      accept: both(
        qualifies(/(^|\.)(redirect|HttpResponseRedirect|HttpResponsePermanentRedirect|RedirectResponse)$/),
        inputArgument(["location", "url", "redirect_to"], [0]),
      ),
    },
    {
      languages: JS,
      query: `((call_expression function: (member_expression property: (property_identifier) @fn) arguments: (arguments) @args) @finding (#any-of? @fn "redirect" "location"))`,
      // res.redirect([status,] url): the URL is the last argument.
      accept: (match) => isInputDerived(match.language, positionalArguments(match.capture("args")).at(-1)),
    },
    {
      languages: RUBY,
      query: `((call !receiver method: (identifier) @method arguments: (argument_list . (_) @location) @args) @finding (#eq? @method "redirect_to"))`,
      accept: (match) =>
        !/\b(only_path:\s*true|allow_other_host:\s*false)/.test(match.capture("args")?.text ?? "") &&
        isInputDerived("ruby", match.capture("location")),
    },
  ],
};

const PY_FILE_CALLS =
  /^(open|io\.open|codecs\.open|os\.(open|remove|unlink|rmdir|listdir|makedirs|rename|scandir)|shutil\.(copy|copyfile|copytree|move|rmtree)|(flask\.)?send_file|(django\.http\.)?FileResponse|(pathlib\.)?Path)$/;
const JS_FS =
  /^(fs|fs\.promises|fs-extra|graceful-fs)\.(readFile|readFileSync|writeFile|writeFileSync|appendFile|appendFileSync|createReadStream|createWriteStream|unlink|unlinkSync|rm|rmSync|readdir|readdirSync|open|openSync|stat|statSync|access|existsSync|copyFile|rename|mkdir)$/;

const JS_FUNCTIONS = ["function_declaration", "function_expression", "arrow_function", "method_definition"];

/**
 * A parameter of a function that also takes the request and the response, `(req, res, path)`: a route handler or
 * a helper it hands the request to, whose other parameters the router filled from the URL.
 */
function isHandlerParameter(node: Node | undefined): boolean {
  if (node?.type !== "identifier") return false;
  let scope: Node | null = node.parent;
  while (scope && !JS_FUNCTIONS.includes(scope.type)) scope = scope.parent;
  const names = (scope?.childForFieldName("parameters")?.namedChildren ?? []).map((parameter) => parameter?.text);
  return (
    names.includes(node.text) &&
    names.some((name) => name === "req" || name === "request") &&
    names.some((name) => name === "res" || name === "response")
  );
}

const pathFromInput: RuleDefinition = {
  id: "web.path-from-input",
  cwe: "CWE-22",
  severity: "block",
  message: "A file is opened, sent or changed at a path taken from the request (path traversal).",
  fixHint:
    "Take the file name alone (os.path.basename, path.basename, File.basename, basename()), resolve it under a fixed folder and check it stays there; or look the file up by an id.",
  explanation:
    "A path from the request can climb out of the intended folder with ../ or name an absolute path, reading or " +
    "overwriting any file the server can reach (source code, keys, /etc/passwd). In PHP, include of such a path runs " +
    "the attacker's choice of file as code.",
  patterns: [
    { languages: PY, query: PY_CALL, accept: both(qualifies(PY_FILE_CALLS), inputArgument(["file", "path"], [0])) },
    {
      languages: JS,
      query: JS_CALL,
      accept: (match) => {
        const callee = match.capture("callee");
        const name = callee ? match.qualifiedName(callee) : "";
        // res.sendFile(path, { root }) confines the path to root; without it any path is served.
        if (/\.(sendFile|download)$/.test(name))
          return !/\broot\s*:/.test(match.capture("args")?.text ?? "") && inputArgument([], [0])(match);
        return (
          (JS_FS.test(name) || /^(readFile|readFileSync|createReadStream)$/.test(name)) &&
          (inputArgument([], [0])(match) || isHandlerParameter(positionalArguments(match.capture("args"))[0]))
        );
      },
    },
    {
      languages: RUBY,
      query: RUBY_CALL,
      accept: both(
        rubyCallNamed(
          /^((File|IO)\.(read|open|write|binread|readlines|foreach|delete|unlink|new)|FileUtils\.\w+|send_file|send_data_file)$/,
        ),
        (match) => isInputDerived("ruby", match.capture("args")?.namedChildren[0] ?? undefined),
      ),
    },
    {
      languages: PHP,
      query: `((function_call_expression function: (name) @fn arguments: (arguments . (argument) @path)) @finding (#any-of? @fn "fopen" "file_get_contents" "file_put_contents" "readfile" "file" "unlink" "opendir" "scandir" "copy" "rename" "show_source" "highlight_file" "parse_ini_file"))`,
      accept: (match) => isInputDerived("php", match.capture("path")),
    },
    {
      languages: PHP,
      query: `([(include_expression (_) @path) (include_once_expression (_) @path) (require_expression (_) @path) (require_once_expression (_) @path)] @finding)`,
      accept: (match) => isInputDerived("php", match.capture("path")),
    },
  ],
};

/** A string the code builds (interpolation, concatenation, formatting) rather than one it writes out. */
function isBuiltText(node: Node): boolean {
  return (
    /^(template_string|binary_expression|binary_operator|string|interpolated_string|encapsed_string|binary)$/.test(
      node.type,
    ) && !isConstantExpression(node)
  );
}

const unescapedOutput: RuleDefinition = {
  id: "web.unescaped-output",
  cwe: "CWE-79",
  severity: "block",
  message: "Request input reaches the HTML response without escaping (cross-site scripting).",
  fixHint:
    "Render through the template engine's escaping (Jinja/Django templates, ERB <%= %>, res.render) or escape the value (markupsafe.escape, ERB::Util.h, htmlspecialchars, an HTML-escaping helper).",
  explanation:
    "mark_safe, Markup, html_safe and raw tell the template engine not to escape; res.send and echo write text " +
    "straight into the page. Input that reaches them can carry <script> and run in other users' sessions.",
  patterns: [
    {
      // Django mark_safe / SafeString and markupsafe.Markup mark text as already escaped.
      languages: PY,
      query: PY_CALL,
      accept: (match) => {
        const callee = match.capture("callee");
        const name = callee ? match.qualifiedName(callee) : "";
        if (!/(^|\.)(mark_safe|SafeString|SafeText|Markup)$/.test(name)) return false;
        const value = positionalArguments(match.capture("args"))[0];
        return value !== undefined && (isBuiltText(value) || isInputDerived("python", value));
      },
    },
    {
      // Flask views that return HTML assembled from request input.
      languages: PY,
      query: `((return_statement [(string) (binary_operator) (call)] @value) @finding)`,
      accept: (match) => {
        const value = match.capture("value");
        return (
          value !== undefined &&
          isBuiltText(
            value.type === "call" ? (value.childForFieldName("function")?.childForFieldName("object") ?? value) : value,
          ) &&
          /<\w/.test(value.text) &&
          isInputDerived("python", value)
        );
      },
    },
    {
      languages: JS,
      query: `((call_expression function: (member_expression object: (identifier) @object property: (property_identifier) @fn) arguments: (arguments . (_) @value)) @finding (#match? @object "^(res|response|resp|ctx)$") (#any-of? @fn "send" "write" "end"))`,
      accept: (match) => {
        const value = match.capture("value");
        if (!value || !isInputDerived(match.language, value)) return false;
        // res.send(req.body) echoes the parsed object back as JSON; a string, or one field of it, is written as HTML.
        if (/^(req|request|ctx)\.(body|query|params|cookies|headers)$/.test(value.text)) return false;
        return (
          value.type !== "identifier" || localAssignedValues(value).some((assigned) => assigned.type !== "identifier")
        );
      },
    },
    {
      languages: RUBY,
      query: `((call receiver: (_) @value method: (identifier) @method) @finding (#eq? @method "html_safe"))`,
      accept: (match) => {
        const value = match.capture("value");
        return (
          value !== undefined && !isConstantExpression(value) && (isBuiltText(value) || isInputDerived("ruby", value))
        );
      },
    },
    {
      languages: RUBY,
      query: `((call !receiver method: (identifier) @method arguments: (argument_list . (_) @value)) @finding (#eq? @method "raw"))`,
      accept: (match) => {
        const value = match.capture("value");
        return (
          value !== undefined && !isConstantExpression(value) && (isBuiltText(value) || isInputDerived("ruby", value))
        );
      },
    },
    {
      languages: PHP,
      query: `([(echo_statement (_) @value) (print_intrinsic (_) @value)] @finding)`,
      // What a function or template renderer returns is its own output, escaped or not there.
      accept: (match) => {
        const value = match.capture("value");
        return value !== undefined && !/call_expression$/.test(value.type) && isInputDerived("php", value);
      },
    },
  ],
};

const templateInjection: RuleDefinition = {
  id: "web.template-injection",
  cwe: "CWE-1336",
  severity: "block",
  message: "A template is compiled from request input (server-side template injection).",
  fixHint: "Keep templates in files or constants and pass the input as a variable to render.",
  explanation:
    "Template languages reach objects and methods; a template an attacker writes (Jinja's {{ ''.__class__ }}, ERB's " +
    "<%= %>) runs code on the server.",
  patterns: [
    {
      languages: PY,
      query: PY_CALL,
      accept: both(qualifies(/(^|\.)(render_template_string|Template|from_string)$/), inputArgument(["source"], [0])),
    },
    {
      languages: RUBY,
      query: `((call method: (identifier) @method arguments: (argument_list (pair key: (hash_key_symbol) @key value: (_) @value))) @finding (#eq? @method "render") (#eq? @key "inline"))`,
      accept: (match) => isInputDerived("ruby", match.capture("value")),
    },
  ],
};

const debugMode: RuleDefinition = {
  id: "web.debug-mode",
  cwe: "CWE-489",
  severity: "warn",
  message: "The web framework's debug mode is switched on in code.",
  fixHint: "Read the setting from the environment (DEBUG = os.environ.get(...) == '1') and keep it off in production.",
  explanation:
    "Debug pages show source, settings and stack traces to anyone who triggers an error; Flask's debugger and " +
    "Werkzeug's console run Python typed into the browser.",
  patterns: [
    {
      // app.run(debug=True), run_simple(..., use_debugger=True)
      languages: PY,
      query: `((call function: [(identifier) (attribute)] @callee arguments: (argument_list (keyword_argument name: (identifier) @key value: (true)))) @finding
        (#match? @callee "(^|\\\\.)(run|run_simple)$") (#any-of? @key "debug" "use_debugger"))`,
    },
    {
      // Django settings: DEBUG = True at module level; Flask: app.debug = True, app.config["DEBUG"] = True.
      languages: PY,
      query: `((assignment left: [(identifier) (attribute) (subscript)] @setting right: (true)) @finding (#match? @setting "^DEBUG$|\\\\.debug$|\\\\[[\\"']DEBUG[\\"']\\\\]$"))`,
      accept: (match) => {
        const statement = match.capture("finding")?.parent;
        return match.capture("setting")?.type !== "identifier" || statement?.parent?.type === "module";
      },
    },
    {
      // Express 3 errorHandler({ dumpExceptions: true, showStack: true })
      languages: JS,
      query: `((pair key: (property_identifier) @key value: (true)) @finding (#any-of? @key "showStack" "dumpExceptions"))`,
    },
    {
      languages: RUBY,
      query: `((assignment left: (call method: (identifier) @setting) right: (true)) @finding (#eq? @setting "consider_all_requests_local"))`,
      // Development and test environments are meant to show errors.
      accept: (match) =>
        !/\b(development|test)\b/.test(match.capture("finding")?.tree.rootNode.text.slice(0, 2000) ?? ""),
    },
  ],
};

/** An object or call that sets credentials: true also lets every origin in: `origin: "*"` or `origin: true`. */
function allowsAnyOrigin(options: Node): boolean {
  return /\b(origins?|allow_origins?)\s*[:=]\s*(["']\*["']|\[\s*["']\*["']\s*\]|true\b)/.test(options.text);
}

const corsAnyOriginWithCredentials: RuleDefinition = {
  id: "web.cors-any-origin-with-credentials",
  cwe: "CWE-942",
  severity: "block",
  message: "CORS lets any origin make credentialed requests.",
  fixHint: "List the origins that may call this API; allow credentials only for them.",
  explanation:
    "With credentials allowed for every origin (or the request's Origin reflected back), any web page the user opens " +
    "can call this API with the user's cookies and read the answers.",
  patterns: [
    {
      // flask_cors.CORS(app, supports_credentials=True) allows every origin unless origins= says otherwise.
      languages: PY,
      query: `((call function: [(identifier) (attribute)] @callee arguments: (argument_list (keyword_argument name: (identifier) @key value: (true))) @args) @finding
        (#match? @callee "(^|\\\\.)(CORS|cross_origin|CORSMiddleware)$") (#any-of? @key "supports_credentials" "allow_credentials"))`,
      accept: (match) => {
        const args = match.capture("args");
        const origins = keywordArgument(args, "origins") ?? keywordArgument(args, "allow_origins");
        return origins === undefined
          ? match.capture("callee")?.text !== "CORSMiddleware"
          : allowsAnyOrigin(args as Node);
      },
    },
    {
      // Django (django-cors-headers) settings: every origin allowed, and credentials allowed in the same file.
      languages: PY,
      query: `((assignment left: (identifier) @setting right: (true)) @finding (#any-of? @setting "CORS_ALLOW_ALL_ORIGINS" "CORS_ORIGIN_ALLOW_ALL"))`,
      accept: (match) =>
        /\bCORS_ALLOW_CREDENTIALS\s*=\s*True\b/.test(match.capture("finding")?.tree.rootNode.text ?? ""),
    },
    {
      languages: JS,
      query: `((object (pair key: (property_identifier) @key value: (true))) @finding (#eq? @key "credentials"))`,
      accept: (match) => {
        const options = match.capture("finding");
        return options !== undefined && allowsAnyOrigin(options);
      },
    },
    {
      // rack-cors: allow do origins "*"; resource "*", credentials: true end
      languages: RUBY,
      query: `((call method: (identifier) @method arguments: (argument_list (pair key: (hash_key_symbol) @key value: (true)))) @finding (#eq? @method "resource") (#eq? @key "credentials"))`,
      accept: (match) => {
        const block = match.capture("finding")?.parent;
        return block !== null && block !== undefined && /\borigins\s*\(?\s*["']\*["']/.test(block.text);
      },
    },
  ],
};

const expressCsrfDisabled: RuleDefinition = {
  id: "js.csrf-disabled",
  cwe: "CWE-352",
  severity: "warn",
  message: "CSRF protection is turned off in the framework's options.",
  fixHint: "Keep CSRF protection on (csrf: true, lusca.csrf(), a double-submit token) for cookie-authenticated routes.",
  explanation:
    "Without a CSRF token any web page the user visits can submit requests with the user's cookies to this server.",
  patterns: [
    {
      languages: JS,
      query: `((pair key: [(property_identifier) (string)] @key value: (false)) @finding (#match? @key "^['\\"]?(csrf|csrfProtection|xsrf)['\\"]?$"))`,
    },
  ],
};

export const WEB_RULES: readonly RuleDefinition[] = [
  ssrf,
  openRedirect,
  pathFromInput,
  unescapedOutput,
  templateInjection,
  debugMode,
  corsAnyOriginWithCredentials,
  expressCsrfDisabled,
];
