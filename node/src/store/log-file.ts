/**
 * The file side of the entry log: appends that never leave half a line behind, and snapshots
 * written to a temp file, fsynced and renamed over the log so a crash leaves the old or the new.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { encodeRecord, LOG_VERSION, type LogRecord } from "./log-record";

const TEMP_SUFFIX = ".compacting";
/** Ciphertexts, but also who receives mail and when: readable by the node's user only. */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;
const WRITE_CHUNK_CHARS = 1 << 20;

/** Appends text at the end of fd; returns its length in bytes. On failure the file is cut back. */
export function appendText(fd: number, text: string, lengthBefore: number): number {
  try {
    return writeAll(fd, text);
  } catch (error) {
    cutBack(fd, lengthBefore);
    throw error;
  }
}

/** Replaces the log at path with header + records, durably; returns the new log's size. */
export function writeSnapshot(path: string, records: Iterable<LogRecord>): number {
  const temp = path + TEMP_SUFFIX;
  const fd = openSync(temp, "w", PRIVATE_FILE);
  let written = 0;
  try {
    let chunk = encodeRecord({ op: "header", v: LOG_VERSION });
    for (const record of records) {
      chunk += encodeRecord(record);
      if (chunk.length < WRITE_CHUNK_CHARS) continue;
      written += writeAll(fd, chunk);
      chunk = "";
    }
    written += writeAll(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  fsyncDirectory(dirname(path));
  return written;
}

/** A snapshot that a crash or a full disk interrupted. */
export function removeSnapshotTemp(path: string): void {
  rmSync(path + TEMP_SUFFIX, { force: true });
}

function writeAll(fd: number, text: string): number {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    const n = writeSync(fd, bytes, offset);
    if (n <= 0)
      throw new Error(`write to the entry log made no progress at byte ${offset} of ${bytes.length}`);
    offset += n;
  }
  return bytes.length;
}

/** A partial line would swallow the next one on replay: cut it off again if the disk lets us. */
function cutBack(fd: number, length: number): void {
  try {
    ftruncateSync(fd, length);
  } catch {
    // the torn line is skipped on replay; the line after it may be lost with it
  }
}

/** Makes the rename itself durable (POSIX); not every platform can open a directory. */
function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // best effort: Windows cannot fsync a directory
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
