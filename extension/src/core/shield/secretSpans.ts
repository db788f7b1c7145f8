// Where the secrets in a text are, for redaction before text leaves the machine. The Shield's own secret rules decide
// for code in a language it parses; a language-independent pass finds the same kinds of secrets (key formats, private
// key blocks, secret-named assignments) in prose, config files and code in languages without a grammar.
import { SECRET_RULES, TOKEN_FORMATS } from "./rules/secrets";
import { isSecretName, looksLikeSecretValue } from "./syntax";
import type { Finding, Shield, ShieldLanguage, TextRange } from "./types";

const secretRuleIds: ReadonlySet<string> = new Set(SECRET_RULES.map((rule) => rule.id));

/** Secret rules are those in SECRET_RULES and any other rule in the secret family (ids "secret.*"). */
function isSecretRule(ruleId: string): boolean {
  return secretRuleIds.has(ruleId) || ruleId.startsWith("secret.");
}

const anyTokenFormat = new RegExp(TOKEN_FORMATS.map((format) => format.source).join("|"), "g");

const pemHeader = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;
const pemFooter = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;
/** A PEM body as text or inside a string literal: base64 lines, headers such as Proc-Type, escaped line breaks. */
const pemBody = /^(?:[A-Za-z0-9+/=:,\- \t\r\n]|\\[nr])*/;
/** The longest private key body (RSA 8192 in PEM) is well under this. */
const maxPemLength = 16_384;

/**
 * `name = value`, `name: value`, `"name": "value"`, `name := value` and `name => value` on one line: .env, YAML, JSON,
 * INI and most languages' assignments. The value is a quoted string or a bare word.
 */
const assignment =
  /(["']?)([A-Za-z_$@][\w.$-]*)\1[ \t]*(?::=|=>|[:=])[ \t]*(?:(["'`])((?:\\.|(?!\3)[^\\\n])*)\3|([^\s"'`,;#()[\]{}]+)(?=[\s,;#)}\]]|$))/g;
/** Bare values that are words or dotted names: types (`password: string`) and references (`secret = cfg.secret`). */
const identifierLike = /^[A-Za-z][a-z]*$|^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;

/** Private key blocks, from the header to the footer; a block cut off by the text's end is taken to that end. */
function pemSpans(text: string): TextRange[] {
  const spans: TextRange[] = [];
  for (const header of text.matchAll(pemHeader)) {
    const bodyStart = header.index + header[0].length;
    pemFooter.lastIndex = bodyStart;
    const footer = pemFooter.exec(text);
    if (footer !== null && footer.index - bodyStart <= maxPemLength) {
      spans.push({ startIndex: header.index, endIndex: footer.index + footer[0].length });
    } else {
      const body = pemBody.exec(text.slice(bodyStart, bodyStart + maxPemLength))?.[0] ?? "";
      spans.push({ startIndex: header.index, endIndex: bodyStart + body.trimEnd().length });
    }
  }
  return spans;
}

function tokenFormatSpans(text: string): TextRange[] {
  const spans: TextRange[] = [];
  for (const found of text.matchAll(anyTokenFormat)) {
    // The Shield's rule skips the keys vendors document their formats with (AKIAIOSFODNN7EXAMPLE); so does redaction.
    if (/example/i.test(found[0])) continue;
    spans.push({ startIndex: found.index, endIndex: found.index + found[0].length });
  }
  return spans;
}

/** The values of assignments to secret names, judged as the Shield's hardcoded-password rule judges them. */
function assignmentSpans(text: string): TextRange[] {
  const spans: TextRange[] = [];
  for (const found of text.matchAll(assignment)) {
    const name = found[2] ?? "";
    const quoted = found[4];
    const value = quoted ?? found[5] ?? "";
    if (quoted === undefined && identifierLike.test(value)) continue;
    if (!isSecretName(name) || !looksLikeSecretValue(value, name)) continue;
    const endIndex = found.index + found[0].length - (quoted === undefined ? 0 : 1);
    spans.push({ startIndex: endIndex - value.length, endIndex });
  }
  return spans;
}

const quotedString = /(["'`])(?:\\.|(?!\1)[^\\])*\1/g;

/**
 * The part of a Shield finding to redact: a key format's finding is the key itself, but a hardcoded password's is the
 * whole assignment, whose value is its last string literal. Without one, the whole finding goes.
 */
function secretPartOf(text: string, finding: Finding): TextRange {
  const found = text.slice(finding.startIndex, finding.endIndex);
  if (TOKEN_FORMATS.some((format) => format.test(found))) return finding;
  let last: RegExpExecArray | undefined;
  for (const literal of found.matchAll(quotedString)) last = literal as RegExpExecArray;
  if (last === undefined || last[0].length < 2) return finding;
  const startIndex = finding.startIndex + last.index + 1;
  return { startIndex, endIndex: startIndex + last[0].length - 2 };
}

/** Sorted, with overlapping and touching spans joined. */
function merged(spans: readonly TextRange[]): TextRange[] {
  const sorted = [...spans]
    .filter((span) => span.endIndex > span.startIndex)
    .sort((a, b) => a.startIndex - b.startIndex);
  const result: TextRange[] = [];
  for (const span of sorted) {
    const previous = result[result.length - 1];
    if (previous !== undefined && span.startIndex <= previous.endIndex) {
      result[result.length - 1] = {
        startIndex: previous.startIndex,
        endIndex: Math.max(previous.endIndex, span.endIndex),
      };
    } else {
      result.push(span);
    }
  }
  return result;
}

export interface SecretSearch {
  /** The loaded Shield; without it (grammars not loaded) only the language-independent pass runs. */
  shield: Shield | undefined;
  /** The text's language, where it is code the Shield parses. */
  language: ShieldLanguage | undefined;
}

/**
 * The ranges of `text` that hold secrets: what the Shield's secret rules find in code of `language`, and, in any text,
 * private key blocks, known API key formats and values assigned to secret names. Sorted and disjoint.
 */
export function findSecretSpans(text: string, { shield, language }: SecretSearch): TextRange[] {
  const spans = [...pemSpans(text), ...tokenFormatSpans(text)];
  // In code the Shield parses, its hardcoded-password rule decides: it knows an assignment from a type annotation.
  if (shield === undefined || language === undefined || !shield.languages().includes(language)) {
    spans.push(...assignmentSpans(text));
  } else {
    const otherRules = new Set(
      shield
        .rules()
        .map((rule) => rule.id)
        .filter((id) => !isSecretRule(id)),
    );
    for (const finding of shield.scan(text, language, { disabledRules: otherRules }))
      spans.push(secretPartOf(text, finding));
  }
  return merged(spans);
}

export const redactionPlaceholder = "[REDACTED]";

export interface Redacted {
  text: string;
  /** How many secrets were replaced. */
  redacted: number;
}

/** The text with each secret span replaced by the placeholder. */
export function redactSecrets(text: string, search: SecretSearch): Redacted {
  const spans = findSecretSpans(text, search);
  if (spans.length === 0) return { text, redacted: 0 };
  let result = "";
  let at = 0;
  for (const span of spans) {
    result += text.slice(at, span.startIndex) + redactionPlaceholder;
    at = span.endIndex;
  }
  return { text: result + text.slice(at), redacted: spans.length };
}
