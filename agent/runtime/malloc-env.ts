/**
 * glibc's MALLOC_MMAP_THRESHOLD_ (set by the systemd unit and the image, docs/deploy.md) is read once,
 * when a process starts: it has done its work for this one, and is removed here (import this module
 * first) so the processes the agent starts do not inherit it. In the main process it keeps freed
 * frames and tensors from staying resident (~70 MB PSS with four cameras, issue 12); in a camera's
 * GStreamer process, which allocates large buffers per decoded frame, it saved ~10 MB but cost twice
 * the CPU (3.6-4.2 % -> 8.5-10.9 % of a core per camera).
 */
delete process.env.MALLOC_MMAP_THRESHOLD_;
export {};
