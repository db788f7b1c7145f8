// Streams a .tgz (an npm package tarball) into a directory. Only regular files and directories are written; links
// and anything whose path would leave the target are refused, since the archive comes over the network.
import { createReadStream } from "node:fs";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

const blockBytes = 512;

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString("utf8");
}

function octal(header: Buffer, start: number, length: number): number {
  const text = field(header, start, length).trim();
  return text === "" ? 0 : parseInt(text, 8);
}

/** The path of a pax extended header's "path" record, which carries names longer than 100 bytes. */
function paxPath(body: Buffer): string | undefined {
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number(body.subarray(offset, space).toString("ascii"));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = body.subarray(space + 1, offset + length - 1).toString("utf8");
    if (record.startsWith("path=")) return record.slice("path=".length);
    offset += length;
  }
  return undefined;
}

/** Extracts `archive` into `target`, dropping the first path component ("package/" in npm tarballs). */
export async function extractTarball(archive: string, target: string): Promise<number> {
  mkdirSync(target, { recursive: true });
  const root = path.resolve(target);
  let pending: Buffer = Buffer.alloc(0);
  let header: { name: string; size: number; type: string } | undefined;
  let remaining = 0;
  let padding = 0;
  let fd: number | undefined;
  let longName: string | undefined;
  let paxBody: Buffer[] = [];
  let files = 0;
  let ended = false;

  const destinationOf = (name: string): string | undefined => {
    const parts = name.split("/").filter((part) => part !== "" && part !== ".");
    parts.shift();
    if (parts.length === 0) return undefined;
    const destination = path.resolve(root, ...parts);
    if (parts.includes("..") || !destination.startsWith(root + path.sep))
      throw new Error(`the archive entry ${name} points outside the package`);
    return destination;
  };

  const startEntry = (block: Buffer): void => {
    if (block.every((byte) => byte === 0)) {
      ended = true;
      return;
    }
    const magic = field(block, 257, 6);
    const prefix = magic.startsWith("ustar") ? field(block, 345, 155) : "";
    const baseName = field(block, 0, 100);
    const name = longName ?? (prefix === "" ? baseName : `${prefix}/${baseName}`);
    longName = undefined;
    const type = String.fromCharCode(block[156] || 0x30);
    const size = octal(block, 124, 12);
    header = { name, size, type };
    remaining = size;
    padding = (blockBytes - (size % blockBytes)) % blockBytes;
    if (type === "0" || type === "7") {
      const destination = destinationOf(name);
      if (destination !== undefined) {
        mkdirSync(path.dirname(destination), { recursive: true });
        fd = openSync(destination, "w");
        files++;
      }
    } else if (type === "5") {
      const destination = destinationOf(name);
      if (destination !== undefined) mkdirSync(destination, { recursive: true });
    } else if (type !== "x" && type !== "g" && type !== "L") {
      throw new Error(`the archive entry ${name} is not a plain file or folder (type ${type})`);
    }
    paxBody = [];
  };

  const finishEntry = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    if (header?.type === "x") longName = paxPath(Buffer.concat(paxBody)) ?? longName;
    if (header?.type === "L") longName = Buffer.concat(paxBody).toString("utf8").replace(/\0+$/, "");
    header = undefined;
  };

  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        let offset = 0;
        while (!ended) {
          if (header === undefined) {
            if (pending.length - offset < blockBytes) break;
            startEntry(pending.subarray(offset, offset + blockBytes));
            offset += blockBytes;
            if (header !== undefined && remaining === 0 && padding === 0) finishEntry();
            continue;
          }
          if (remaining > 0) {
            const take = Math.min(remaining, pending.length - offset);
            if (take === 0) break;
            const piece = pending.subarray(offset, offset + take);
            if (fd !== undefined) writeSync(fd, piece);
            else if (header.type === "x" || header.type === "L") paxBody.push(Buffer.from(piece));
            remaining -= take;
            offset += take;
            continue;
          }
          if (pending.length - offset < padding) break;
          offset += padding;
          padding = 0;
          finishEntry();
        }
        pending = pending.subarray(offset);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    final(callback) {
      if (fd !== undefined) closeSync(fd);
      callback(header !== undefined ? new Error("the archive ends in the middle of an entry") : null);
    },
  });
  await pipeline(createReadStream(archive), createGunzip(), sink);
  return files;
}
