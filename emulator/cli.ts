// Entry point of the `tagvisor` command (bundled to dist/cli.js by build.mjs).
import { main } from './cli/main';

process.exitCode = main(process.argv.slice(2));
