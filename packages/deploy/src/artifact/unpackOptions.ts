import type { SpaceWatch } from './freeSpace.js';
import type { ArtifactLimits } from './limits.js';

export interface UnpackOptions {
  /** Keep setuid, setgid and sticky bits (config `keepSpecialBits`); default: strip them. */
  keepSpecialBits?: boolean;
  /** Called for each entry whose special bits were stripped (its path in the artifact, its mode). */
  onStripped?: (member: string, mode: number) => void;
  /** What one artifact may unpack to, and the free space kept (config `artifactLimits`); default DEFAULT_ARTIFACT_LIMITS. */
  limits?: ArtifactLimits;
  /** Set by unpackArtifact: the free space watched while writing. */
  watch?: SpaceWatch;
}

const SPECIAL_BITS = 0o7000;

/** An entry's mode in the release: its own, without setuid, setgid and sticky unless kept. */
export function finalMode(member: string, mode: number, options: UnpackOptions): number {
  if ((mode & SPECIAL_BITS) === 0 || options.keepSpecialBits === true) return mode & 0o7777;
  options.onStripped?.(member, mode & 0o7777);
  return mode & 0o777;
}
