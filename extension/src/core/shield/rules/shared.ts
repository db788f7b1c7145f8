/** Text that reads as an SQL statement rather than prose or a shell command. */
export function looksLikeSql(text: string): boolean {
  const body = text.replace(/^[a-zA-Z@$]*("""|'''|"|'|`)/, "");
  return (
    /^\s*(select|insert|update|delete|create|drop|alter|pragma|show|truncate|replace|with|grant|revoke|vacuum|merge|call|exec|declare|upsert)\b/i.test(
      body,
    ) ||
    /\b(select\b[\s\S]*\bfrom|insert\s+into|delete\s+from|update\b[\s\S]*\bset|where\s+\w+\s*(=|like|in\b))/i.test(body)
  );
}

/** Quotes names for an #any-of? predicate. */
export function anyOf(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(" ");
}

/** Cipher transformation strings (Java, .NET, OpenSSL names) that name a broken algorithm or ECB. */
export function isWeakCipherName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    /(^|[^a-z])(des|desede|tripledes|3des|des3|rc2|rc4|arcfour|blowfish|bf|idea|cast5?)([^a-z]|$)/.test(lower) ||
    /(^|[^a-z])ecb([^a-z]|$)/.test(lower)
  );
}

export const WEAK_CIPHER_MESSAGE = "A broken cipher or mode (DES, 3DES, RC2, RC4, Blowfish, ECB) is used.";
export const WEAK_CIPHER_FIX = "Use AES-GCM (or ChaCha20-Poly1305) with a random nonce per message.";
export const WEAK_CIPHER_EXPLANATION =
  "DES and 3DES have small keys or blocks, RC2/RC4/Blowfish are broken or biased, and ECB encrypts equal blocks to equal " +
  "ciphertext, leaking patterns. None of them protect data today.";

export const WEAK_HASH_MESSAGE = "MD5 and SHA-1 are broken for security use (collisions are practical).";
export const WEAK_HASH_FIX = "Use SHA-256 or better; for passwords use a slow KDF (bcrypt, scrypt, Argon2, PBKDF2).";
export const WEAK_HASH_EXPLANATION =
  "Collisions for MD5 and SHA-1 can be computed cheaply, so they must not protect integrity, sign data or store " +
  "passwords. Checksums that guard against accidents only are fine; say so in a comment and disable the rule locally.";

export const UNAUTHENTICATED_MODE_MESSAGE = "An unauthenticated cipher mode (CBC, CFB, OFB, CTR) is used.";
export const UNAUTHENTICATED_MODE_FIX =
  "Use an AEAD mode such as AES-GCM, or add an HMAC over IV and ciphertext (encrypt-then-MAC).";
export const UNAUTHENTICATED_MODE_EXPLANATION =
  "Without authentication an attacker can flip ciphertext bits to change the plaintext, and CBC with padding errors " +
  "reported back is a padding oracle that decrypts everything. A warning, not a block: an HMAC over IV and ciphertext " +
  "computed elsewhere (encrypt-then-MAC) makes these modes safe, and the Shield cannot see it.";

export const WEAK_RANDOM_EXPLANATION =
  "General-purpose generators (java.util.Random, System.Random, rand(), mt_rand) are predictable from a few outputs. " +
  "Tokens, passwords, salts, nonces and keys need a CSPRNG. The Shield reports them only where the value is named like " +
  "a secret, or (C/C++ rand) everywhere, because rand() has no safe use.";

export const COMMAND_EXPLANATION =
  "A command line assembled from variables lets whoever controls a variable choose the program or, through a shell, add " +
  "commands of their own (; | $()). Commands that are fixed literals are not reported.";

export const SQL_EXPLANATION =
  "Values pasted into SQL text can end the string and add SQL of their own. Drivers take parameters separately and never " +
  "parse them as SQL.";
