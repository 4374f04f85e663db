/**
 * Sizes the libuv pool before anything touches it (import this module first). Camera pipelines run
 * in their own processes, so this pool serves only the main process's fs, LevelDB, DNS and crypto
 * work; 8 threads keep a slow SD card from starving LevelDB. An operator's explicit value wins.
 */
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '8';
export {};
