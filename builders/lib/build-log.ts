import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';

/** A build log on disk: opened for appending, closed and flushed before it is read back. */
export function openLog(file: string): WriteStream {
  return createWriteStream(file, { flags: 'a', mode: 0o600 });
}

export async function closeLog(stream: WriteStream): Promise<void> {
  stream.end();
  await finished(stream).catch(() => undefined);
}

/** The last `lines` lines of a log, for error messages. */
export async function logTail(file: string, lines = 30): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.replace(/\r/g, '').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The error text for a failed container step: what failed, the log's tail, where the rest is. */
export async function failureWithTail(what: string, file: string): Promise<string> {
  return `${what}. Last lines of the log:\n${indent(await logTail(file))}\nFull log: ${file}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  | ${line}`)
    .join('\n');
}
