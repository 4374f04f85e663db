import path from 'node:path';
import { helperOldSpaceMb } from './heap-limits.js';

/** True when the agent runs from its TypeScript source (tests, benchmarks, `npm run demo` via tsx). */
export const FROM_SOURCE = path.extname(__filename) === '.ts';

/**
 * A helper script beside `callerFile` (the caller passes its own `__filename`) and the node flags it
 * needs: from source it runs under tsx, from dist it is plain JavaScript.
 */
export function helperScript(callerFile: string, name: string): { file: string; execArgv: string[] } {
  return { file: path.join(path.dirname(callerFile), `${name}${path.extname(callerFile)}`), execArgv: FROM_SOURCE ? ['--import', 'tsx'] : [] };
}

/** Small V8 heaps for helper processes that only shuttle buffers (frames live outside the heap). */
export const HELPER_NODE_FLAGS = ['--max-semi-space-size=1', `--max-old-space-size=${helperOldSpaceMb()}`];
