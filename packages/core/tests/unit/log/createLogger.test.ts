import { execFileSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  fstatSync,
  linkSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeLoneSurrogates, openLogFile } from '../../../src/log/createLogger.js';
import { createLogger, humanFormat, REDACTED, Redactor } from '../../../src/log/index.js';

function memory() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('createLogger', () => {
  it('writes pino-compatible JSON lines with persistent keys on every line, children included', () => {
    const sink = memory();
    const { logger } = createLogger({
      destination: sink.destination,
      bindings: { cli: 'file-sync', command: 'sync', environment: 'prod', run_id: 'r1' },
    });
    logger.info({ files: 3 }, 'copied');
    logger.child({ step: 'delete' }).warn('slow');
    const [first, second] = sink.lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ level: 30, msg: 'copied', files: 3, cli: 'file-sync', command: 'sync' });
    expect(typeof first.time).toBe('number');
    expect(second).toMatchObject({
      level: 40,
      msg: 'slow',
      step: 'delete',
      environment: 'prod',
      run_id: 'r1',
    });
  });

  it('honours the level', () => {
    const sink = memory();
    const { logger } = createLogger({ destination: sink.destination, level: 'warn' });
    logger.info('hidden');
    logger.debug('hidden');
    logger.error('shown');
    expect(sink.lines).toHaveLength(1);
  });

  it('never lets a secret reach a sink: fields, messages, child bindings, errors and URLs', () => {
    const sink = memory();
    const redactor = new Redactor();
    redactor.addSecret('planted-secret-42');
    const { logger } = createLogger({ destination: sink.destination, redactor, level: 'debug' });
    logger.info({ token: 'abc', url: 'https://u:pw@h/p' }, 'using planted-secret-42');
    logger.child({ auth: 'planted-secret-42', apiKey: 'k' }).info('child');
    logger.error(new Error('connect failed for planted-secret-42'));
    logger.error({ err: new Error('x planted-secret-42') }, 'wrapped');
    const text = sink.lines.join('');
    expect(text).not.toContain('planted-secret-42');
    expect(text).not.toContain(':pw@');
    expect(text).toContain(REDACTED);
    const errLine = JSON.parse(sink.lines[2]!);
    expect(errLine.err.type).toBe('Error');
    expect(errLine.err.stack).toContain(REDACTED);
  });

  it('appends to a log file created 0600, and tightens an existing looser file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempered-log-'));
    const file = join(dir, 'logs', 'run.log');
    const sink = memory();
    const first = createLogger({ destination: sink.destination, file });
    first.logger.info('one');
    first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const loose = join(dir, 'loose.log');
    writeFileSync(loose, 'old\n', { mode: 0o644 });
    const second = createLogger({ destination: sink.destination, file: loose });
    second.logger.info('two');
    second.close();
    expect(statSync(loose).mode & 0o777).toBe(0o600);
    expect(readFileSync(loose, 'utf8')).toMatch(/^old\n\{.*"msg":"two"/);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });
});

describe('humanFormat', () => {
  it('renders a JSON line for a person, without the persistent keys', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 1, 12, 0, 1),
      msg: 'retrying',
      attempt: 2,
      cli: 'x',
    });
    expect(humanFormat(line)).toBe('12:00:01 WARN  retrying attempt=2\n');
  });

  it('passes through what is not JSON', () => {
    expect(humanFormat('plain\n')).toBe('plain\n');
  });
});

describe('escapeLoneSurrogates', () => {
  it('writes a lone surrogate as a JSON escape that parses back to it; pairs stay as they are', () => {
    const line = JSON.stringify({ path: 'ok' }).replace('ok', 'f\udcff\udcfe.t 😀');
    const escaped = escapeLoneSurrogates(line);
    expect(escaped).toBe('{"path":"f\\udcff\\udcfe.t 😀"}');
    expect(JSON.parse(escaped).path).toBe('f\udcff\udcfe.t 😀');
    expect(escapeLoneSurrogates('plain')).toBe('plain');
  });
});

describe('openLogFile on a FIFO (issue 14, item 13)', () => {
  it('refuses a FIFO with no reader at once instead of waiting for one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tempered-logfifo-'));
    try {
      const fifo = join(dir, 'log.fifo');
      execFileSync('mkfifo', [fifo]);
      expect(() => openLogFile(fifo)).toThrow(`cannot open log file ${fifo}: a FIFO with no reader`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openLogFile never appends to, or chmods, a file that is not our own log', () => {
  const setUp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'logfile-own-'));
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n', { mode: 0o4755 });
    return { dir, victim };
  };
  const untouched = (victim: string) => {
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(statSync(victim).mode & 0o7777).toBe(0o4755);
  };

  it('refuses a symlink to a file (a link planted in a log directory)', () => {
    const { dir, victim } = setUp();
    try {
      const link = join(dir, 'run.log');
      symlinkSync(victim, link);
      expect(() => openLogFile(link)).toThrow(`cannot use log file ${link}: it is a symlink to a file`);
      untouched(victim);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a hard link, and a file another user owns', () => {
    const { dir, victim } = setUp();
    try {
      const hard = join(dir, 'hard.log');
      linkSync(victim, hard);
      expect(() => openLogFile(hard)).toThrow(`cannot use log file ${hard}: it has 2 hard links`);
      untouched(victim);
      if (process.getuid?.() === 0) {
        const theirs = join(dir, 'theirs.log');
        writeFileSync(theirs, 'theirs\n', { mode: 0o644 });
        chownSync(theirs, 65534, 65534);
        expect(() => openLogFile(theirs)).toThrow(/it belongs to uid 65534, not to this user \(uid 0\)/);
        expect(readFileSync(theirs, 'utf8')).toBe('theirs\n');
        expect(statSync(theirs).mode & 0o777).toBe(0o644);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still follows a symlink to a stream (/dev/stdout style)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'logfile-stream-'));
    try {
      const link = join(dir, 'null.log');
      symlinkSync('/dev/null', link);
      const fd = openLogFile(link);
      expect(fstatSync(fd).isCharacterDevice()).toBe(true);
      closeSync(fd);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
