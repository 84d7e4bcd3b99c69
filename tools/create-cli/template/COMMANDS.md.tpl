# `__CLI__` command reference

Generated from the commands themselves by `oclif readme` on every build (`pnpm build`): do not
edit by hand. The [README](README.md) explains the commands; this page lists every flag.

<!-- commands -->
<!-- commandsstop -->
