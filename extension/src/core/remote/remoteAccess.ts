// Code leaves the machine only by the user's own choice: which server URLs may receive it, and when to ask.

export type RemoteAccess =
  { kind: "allowed"; origin: string; loopback: boolean } | { kind: "refused"; message: string };

/** This machine: `localhost`, 127.0.0.0/8 and ::1. A name that merely resolves here is not trusted as loopback. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIPv4(host)) return host.startsWith("127.");
  if (isIPv6(host)) return host === "::1" || host === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(host);
  return false;
}

function isIPv4(host: string): boolean {
  const parts = host.split(".");
  return parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

/** The URL parser accepts a bracketed host only if it is an IPv6 address (node:net's isIP, without the I/O layer). */
function isIPv6(host: string): boolean {
  if (!host.includes(":")) return false;
  try {
    new URL(`http://[${host}]/`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether code may be sent to `url`. Plain http is refused off this machine unless the user opted in, since the code
 * would cross the network unencrypted. A server off this machine also needs the user's consent, asked once per origin.
 */
export function checkRemoteAccess(
  url: string,
  allowInsecureHttp: boolean,
  urlSetting = "llamaAssist.remote.url",
): RemoteAccess {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { kind: "refused", message: `The server URL "${url}" is not a URL: set ${urlSetting}.` };
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return {
      kind: "refused",
      message: `The server URL must be http or https, not ${parsed.protocol} (${urlSetting}).`,
    };
  }
  const loopback = isLoopbackHost(parsed.hostname);
  if (parsed.protocol === "http:" && !loopback && !allowInsecureHttp) {
    return {
      kind: "refused",
      message:
        `Llama Assist does not send code over plain http to ${parsed.host}: use https, or allow it explicitly with ` +
        "llamaAssist.remote.allowInsecureHttp.",
    };
  }
  return { kind: "allowed", origin: parsed.origin, loopback };
}
