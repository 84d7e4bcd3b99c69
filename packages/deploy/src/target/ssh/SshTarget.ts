import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { formatBytes, type LockHandle, type LockOwner, PermanentError, UsageError } from '@tempered/core';
import type { ArtifactInfo } from '../../artifact/index.js';
import { DiskFullError } from '../../errors.js';
import { isSafeReleaseId, RESERVED_SUFFIXES } from '../../release/releaseId.js';
import { emptyLog, readReleaseLogText } from '../../release/releaseLog.js';
import type { ReleaseDir } from '../../release/select.js';
import type { ReleaseLog } from '../../release/types.js';
import type {
  DeployTarget,
  ExecOptions,
  ExecResult,
  PrepareOptions,
  TargetLockOptions,
  TargetState,
} from '../types.js';
import { RemoteLock } from './remoteLock.js';
import { type SshSession, shellQuote } from './SshSession.js';
import { stageArtifact } from './stageArtifact.js';

/** Steps that only touch the host's filesystem: generous, a busy disk is slow but not dead. */
const STEP_TIMEOUT_MS = 120_000;
/** An upload's allowance: this, plus a second per 10 MiB. */
const UPLOAD_BASE_MS = 120_000;
/** Archives kept on each host for a redeploy without upload; older ones are removed. */
const KEEP_ARCHIVES = 3;
/** `timeout` ends a hook with this status (coreutils). */
const TIMED_OUT = 124;

/**
 * The local layout, on a host over SSH: `<path>/releases/<id>`, `current` (a relative symlink
 * renamed into place), `shared/`, `release-log.json`, and `.deploy/` (the host lock, the
 * uploaded archives by digest). The host needs a POSIX shell, tar and GNU coreutils; no Node.
 * Every method is one script sent on stdin: nothing but the login command is on the host's
 * command line, so nothing of it shows in `ps` there.
 */
export class SshTarget implements DeployTarget {
  readonly kind = 'ssh';
  readonly id: string;
  readonly display: string;
  readonly #session: SshSession;
  readonly #base: string;
  readonly #lock: RemoteLock;
  #prefetched: { state: TargetState; log: ReleaseLog } | undefined;

  constructor(session: SshSession, lockTtlMs: number) {
    this.#session = session;
    this.#base = session.endpoint.path.replace(/\/+$/, '') || '/';
    this.display = `${session.label}:${this.#base}`;
    const { user, host, port } = session.endpoint;
    this.id = `ssh://${user ? `${user}@` : ''}${host}${port ? `:${port}` : ''}${this.#base}`;
    this.#lock = new RemoteLock(session, this.#base, lockTtlMs);
  }

  releasePath(id: string): string {
    return `${this.#base}/releases/${id}`;
  }

  inspect(): Promise<TargetState> {
    return this.#script(this.#inspectScript(), 'read the target').then((out) => this.#parseInspect(out));
  }

  readLog(): Promise<ReleaseLog> {
    return this.#script(this.#logScript(), 'read the release log').then((out) => this.#parseLog(out));
  }

  /**
   * Both in one round trip: what a plan, `status` and `list` read first. Right after lock() it is
   * what the lock's round trip read (nobody else writes the host while the lock is held).
   */
  async snapshot(): Promise<{ state: TargetState; log: ReleaseLog }> {
    const prefetched = this.#prefetched;
    this.#prefetched = undefined;
    if (prefetched) return prefetched;
    return this.#parseSnapshot(await this.#script(this.#snapshotScript(), 'read the target'));
  }

  #snapshotScript(): string {
    return `(
${this.#inspectScript()}
)
echo '@@log'
${this.#logScript()}`;
  }

  #parseSnapshot(out: string): { state: TargetState; log: ReleaseLog } {
    // the first line that is the marker: the listing's lines all start with a keyword
    const marker = /(?:^|\n)@@log\n/.exec(out);
    if (!marker) {
      throw new PermanentError(`${this.display}: the target's answer was cut short`, {
        hint: 'the connection dropped or the login shell printed into it; run the deploy again',
      });
    }
    return {
      state: this.#parseInspect(out.slice(0, marker.index)),
      log: this.#parseLog(out.slice(marker.index + marker[0].length)),
    };
  }

  #inspectScript(): string {
    return `B=${shellQuote(this.#base)}
if [ ! -e "$B" ]; then echo absent; exit 0; fi
if [ ! -d "$B" ]; then echo not-a-directory; exit 0; fi
cd "$B" || exit 1
if [ -L current ]; then printf 'current %s\\n' "$(readlink current)"; elif [ -e current ]; then echo current-not-a-link; fi
if [ -d releases ] && [ ! -L releases ]; then
  for d in releases/* releases/.[!.]*; do
    [ -e "$d" ] || [ -L "$d" ] || continue
    if [ -d "$d" ] && [ ! -L "$d" ]; then printf 'dir %s %s\\n' "$(stat -c %Y "$d")" "\${d#releases/}"
    else printf 'other 0 %s\\n' "\${d#releases/}"; fi
  done
elif [ -e releases ]; then echo releases-not-a-directory; fi`;
  }

  #logScript(): string {
    return `F=${shellQuote(`${this.#base}/release-log.json`)}
if [ -e "$F" ]; then cat "$F"; else echo '@@absent'; fi`;
  }

  #parseInspect(out: string): TargetState {
    const lines = out.split('\n').filter((line) => line !== '');
    if (lines[0] === 'absent') return { exists: false, current: undefined, releases: [], leftovers: [] };
    if (lines[0] === 'not-a-directory') {
      throw new UsageError(`deploy target ${this.display} is not a directory`, {
        hint: 'point the host path at a directory (it is created if missing)',
      });
    }
    if (lines.includes('current-not-a-link')) {
      throw new UsageError(`${this.display}/current is not a symlink; deploy manages it as one`, {
        hint: 'move it away (e.g. into releases/initial), then deploy again',
      });
    }
    if (lines.includes('releases-not-a-directory')) {
      throw new UsageError(`${this.display}/releases is not a directory`, {
        hint: 'the target layout needs releases/ to be a directory',
      });
    }
    let current: string | undefined;
    const releases: ReleaseDir[] = [];
    const leftovers: string[] = [];
    for (const line of lines) {
      if (line.startsWith('current ')) {
        const match = /^(?:\.\/)?releases\/([^/]+)\/?$/.exec(line.slice('current '.length));
        current = match?.[1] !== undefined && isSafeReleaseId(match[1]) ? match[1] : undefined;
        continue;
      }
      const entry = /^(dir|other) (\d+) (.+)$/.exec(line);
      if (!entry) continue;
      const [, kind, mtime, name] = entry as unknown as [string, string, string, string];
      if (RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix))) leftovers.push(name);
      else if (kind === 'dir' && isSafeReleaseId(name))
        releases.push({ id: name, mtimeMs: Number(mtime) * 1000 });
    }
    return { exists: true, current, releases, leftovers: leftovers.sort() };
  }

  #parseLog(out: string): ReleaseLog {
    if (out.trim() === '@@absent') return emptyLog();
    return readReleaseLogText(out, `${this.display}/release-log.json`);
  }

  async writeLog(log: ReleaseLog): Promise<void> {
    const dir = shellQuote(this.#base);
    // written beside, flushed, renamed: a cut connection leaves the old log whole
    await this.#session.check(
      `sh -c ${shellQuote(`umask 022 && mkdir -p ${dir} && cat > ${dir}/.release-log.json.tmp && sync ${dir}/.release-log.json.tmp 2>/dev/null; mv -f ${dir}/.release-log.json.tmp ${dir}/release-log.json`)}`,
      { stdin: `${JSON.stringify(log, null, 2)}\n`, timeoutMs: STEP_TIMEOUT_MS },
      'write the release log',
    );
  }

  async prepareRelease(id: string, artifact: ArtifactInfo, options: PrepareOptions): Promise<void> {
    const staged = await stageArtifact(artifact, options);
    const archives = `${this.#base}/.deploy/artifacts`;
    const archive = `${archives}/${staged.key}.tar`;
    const probe = await this.#script(
      `mkdir -p ${shellQuote(archives)} || exit 1
if [ -f ${shellQuote(archive)} ]; then echo have; else echo need; fi
df -Pk ${shellQuote(archives)} | awk 'NR==2 {print "avail", $4}'`,
      'look for the release archive',
    );
    const have = probe.includes('have');
    const avail = Number(/avail (\d+)/.exec(probe)?.[1] ?? Number.NaN) * 1024;
    // the archive (unless there) and the release unpacked from it, with the reserve kept free
    const need = (have ? 0 : staged.bytes) + staged.bytes + (options.limits?.minFreeSpace ?? 0);
    if (Number.isFinite(avail) && need > avail) {
      throw new DiskFullError(
        `${this.#session.label}: not enough free space in ${this.#base} for release ${id}: it needs about ${formatBytes(need)} (reserve included), ${formatBytes(avail)} are free`,
        { hint: 'free space on the host (old releases: lower deploy.keepReleases), then re-run' },
      );
    }
    if (!have) {
      const partial = shellQuote(`${archive}.partial`);
      await this.#session.check(
        // named final only once whole: a controller killed mid-upload ends our stdin early, and
        // what arrived until then must not pass for the archive on the next run
        `sh -c ${shellQuote(`umask 077 && cat > ${partial} && [ "$(sha256sum ${partial} | cut -d' ' -f1)" = ${shellQuote(staged.sha256)} ] && mv -f ${partial} ${shellQuote(archive)}`)}`,
        { stdin: createReadStream(staged.file), timeoutMs: UPLOAD_BASE_MS + staged.bytes / 10_000 },
        `upload release ${id} (${formatBytes(staged.bytes)})`,
      );
    }
    const R = shellQuote(`${this.#base}/releases`);
    const release = shellQuote(id);
    await this.#script(
      // an archive sent just now was checked on arrival; one found there is checked again
      `set -u
R=${R}; ID=${release}; A=${shellQuote(archive)}
if [ ${have ? 1 : 0} = 1 ] && [ "$(sha256sum "$A" | cut -d' ' -f1)" != ${shellQuote(staged.sha256)} ]; then
  rm -f "$A"; echo "the uploaded archive is damaged; it was removed and is sent again on the next run" >&2; exit 65
fi
mkdir -p "$R" || exit 1
rm -rf "$R/$ID.partial" && mkdir "$R/$ID.partial" || exit 1
if ! tar -x -p --no-same-owner -f "$A" -C "$R/$ID.partial"; then rm -rf "$R/$ID.partial"; exit 1; fi
sync 2>/dev/null
if [ ${options.replace ? 1 : 0} = 1 ] && [ -e "$R/$ID" ]; then
  rm -rf "$R/$ID.removing" && mv -T "$R/$ID" "$R/$ID.removing" || exit 1
fi
mv -T "$R/$ID.partial" "$R/$ID" || exit 1
rm -rf "$R/$ID.removing"
ls -1t ${shellQuote(archives)}/*.tar 2>/dev/null | tail -n +${KEEP_ARCHIVES + 1} | while read -r old; do rm -f "$old"; done
exit 0`,
      `unpack release ${id}`,
    );
  }

  async linkShared(id: string, paths: readonly string[]): Promise<void> {
    const release = this.releasePath(id);
    const sharedRoot = `${this.#base}/shared`;
    const lines = ['set -u'];
    for (const entry of paths) {
      const rel = entry.replace(/\/+$/, '');
      const asDirectory = entry.endsWith('/') || !posix.basename(entry).includes('.');
      const shared = `${sharedRoot}/${rel}`;
      const inRelease = `${release}/${rel}`;
      const linkTarget = posix.relative(posix.dirname(inRelease), shared);
      // a directory on the way that is a symlink would put the link outside the release
      const parts = rel.split('/');
      for (let i = 1; i < parts.length; i += 1) {
        const ancestor = shellQuote(`${release}/${parts.slice(0, i).join('/')}`);
        lines.push(
          `if [ -L ${ancestor} ]; then echo ${shellQuote(`shared path ${rel}: ${parts.slice(0, i).join('/')} in the release is a symlink`)} >&2; exit 66; fi`,
        );
      }
      const S = shellQuote(shared);
      const I = shellQuote(inRelease);
      lines.push(
        `if [ ! -e ${S} ] && [ ! -L ${S} ]; then mkdir -p "$(dirname ${S})" || exit 1; ${asDirectory ? `mkdir -p ${S}` : `(umask 077 && : > ${S})`} || exit 1; fi`,
        `if [ ! -L ${I} ] || [ "$(readlink ${I})" != ${shellQuote(linkTarget)} ]; then rm -rf ${I} && mkdir -p "$(dirname ${I})" && ln -s ${shellQuote(linkTarget)} ${I} || exit 1; fi`,
      );
    }
    await this.#script(lines.join('\n'), `link shared paths into ${id}`);
  }

  async switchTo(id: string): Promise<void> {
    await this.#script(
      `cd ${shellQuote(this.#base)} || exit 1
ID=${shellQuote(id)}
if [ ! -d "releases/$ID" ] || [ -L "releases/$ID" ]; then echo "release $ID is missing" >&2; exit 66; fi
rm -f .current.tmp && ln -s "releases/$ID" .current.tmp && mv -T .current.tmp current || exit 1
sync 2>/dev/null; exit 0`,
      `switch current to ${id}`,
    );
  }

  async removeRelease(id: string): Promise<void> {
    await this.#script(
      `cd ${shellQuote(this.#base)} || exit 1
ID=${shellQuote(id)}
if [ "$(readlink current 2>/dev/null)" = "releases/$ID" ]; then echo "refusing to remove release $ID: current points to it" >&2; exit 67; fi
[ -e "releases/$ID" ] || exit 0
rm -rf "releases/$ID.removing" && mv -T "releases/$ID" "releases/$ID.removing" && rm -rf "releases/$ID.removing"`,
      `remove release ${id}`,
    );
  }

  async removeLeftover(name: string): Promise<void> {
    if (!RESERVED_SUFFIXES.some((suffix) => name.endsWith(suffix)) || name.includes('/')) {
      throw new PermanentError(`refusing to remove ${name}: not a leftover of an interrupted run`);
    }
    await this.#script(`rm -rf ${shellQuote(`${this.#base}/releases/${name}`)}`, `remove ${name}`);
  }

  /**
   * The hook and its DEPLOY_* variables go in a 0600 file on the host (over stdin, never on a
   * command line), run with `timeout` in the release directory, and removed after.
   */
  async exec(id: string, command: string, options: ExecOptions): Promise<ExecResult> {
    const delimiter = `TEMPERED_HOOK_${randomBytes(8).toString('hex')}`;
    const exports = Object.entries(options.env)
      .filter(([key]) => key.startsWith('DEPLOY_'))
      .map(([key, value]) => `export ${key}=${shellQuote(value)}`);
    const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
    const script = `umask 077
f=$(mktemp) || exit 70
trap 'rm -f "$f"' EXIT HUP INT TERM
cat > "$f" <<'${delimiter}'
${exports.join('\n')}
cd ${shellQuote(this.releasePath(id))} || exit 70
${command}
${delimiter}
timeout -k 5 ${seconds} sh "$f" </dev/null
`;
    const result = await this.#session.run('sh -s', {
      stdin: script,
      timeoutMs: options.timeoutMs + 15_000,
      onLine: options.onLine,
    });
    if (result.code === 255) throw this.#session.failure(result, `run a hook in ${id}`);
    const timedOut = result.timedOut || result.code === TIMED_OUT;
    return {
      exitCode: timedOut ? null : result.code,
      signal: result.signal,
      timedOut,
      durationMs: result.durationMs,
    };
  }

  /** Takes the host lock and reads the target in the same round trip: the plan's read is then free. */
  async lock(options: TargetLockOptions): Promise<LockHandle> {
    const { handle, output } = await this.#lock.acquire(options, this.#snapshotScript());
    this.#prefetched = this.#parseSnapshot(output);
    return handle;
  }

  inspectLock(): Promise<LockOwner | undefined> {
    return this.#lock.inspect();
  }

  breakLock(): Promise<LockOwner | undefined> {
    return this.#lock.break();
  }

  async #script(script: string, what: string): Promise<string> {
    const result = await this.#session.check('sh -s', { stdin: script, timeoutMs: STEP_TIMEOUT_MS }, what);
    return result.stdout;
  }
}
