import { type TemperedErrorOptions, UsageError } from '../errors/index.js';

/**
 * A user-supplied path would leave the root it must stay in (`..`, an absolute path elsewhere,
 * a NUL byte, or a symlink pointing out). Exit 2: the operator has to change the path.
 */
export class PathEscapeError extends UsageError {
  override readonly code: string = 'E_PATH_ESCAPE';
  readonly path: string;
  readonly root: string;

  constructor(message: string, options: TemperedErrorOptions & { path: string; root: string }) {
    const { path, root, ...rest } = options;
    super(message, rest);
    this.name = 'PathEscapeError';
    this.path = path;
    this.root = root;
  }
}
