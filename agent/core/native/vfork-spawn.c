/*
 * edge-vfork-spawn: starts a child process with posix_spawn(3) instead of libuv's fork(2).
 *
 * Why: Node's child_process forks the whole agent (~700 MB with four cameras and the model) to run a
 * small program. fork() copies the page tables while the event loop waits (8 ms at 400 MB, 39 ms at
 * 1.5 GB measured here) and every page the inference worker writes afterwards takes a copy-on-write
 * fault; eight cameras skipped 10 % of their frames with a clip cut per event (issue 14). glibc's
 * posix_spawn clones with CLONE_VM|CLONE_VFORK: no page tables are copied, only the calling thread
 * waits until the child has exec'd, and the other threads (inference) do not notice.
 *
 * N-API (no node-addon-api, built with cc by scripts/build-native.sh). Three calls:
 *   socketPair() -> [ours, theirs]              a connected AF_UNIX stream pair, both O_CLOEXEC (only the
 *       dup2'd copy reaches a child): what libuv gives a child's 'pipe' stdio, so ending our side
 *       (shutdown) is an end of input for the child
 *   spawn(file, argv, env, fds, cwd, newGroup) -> pid
 *       fds[i] becomes the child's fd i (-1: /dev/null); env "K=V" strings; cwd "" keeps ours;
 *       newGroup puts the child in a process group of its own (a kill of the group ends its tree).
 *       Throws with the errno text when the program cannot be started.
 *   watch(pid, callback(code, signal))          a thread waits for the child to end and the JavaScript
 *       thread reaps it and calls back, once; libuv reaps only the children it started itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FDS 8

/* Throws an Error whose code is Node's for the usual spawn failures (ENOENT, EACCES). */
static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[512];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, err == ENOENT ? "ENOENT" : err == EACCES ? "EACCES" : "ESPAWN", msg);
  return NULL;
}

static char *string_arg(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char *s = malloc(len + 1);
  if (s) napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

/* A NULL-terminated copy of a JavaScript string array; NULL on a bad argument. */
static char **string_array(napi_env env, napi_value arr) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **out = calloc(n + 1, sizeof(char *));
  if (!out) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    napi_get_element(env, arr, i, &el);
    out[i] = string_arg(env, el);
    if (!out[i]) {
      for (uint32_t j = 0; j < i; j++) free(out[j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static void free_array(char **a) {
  if (!a) return;
  for (char **p = a; *p; p++) free(*p);
  free(a);
}

static napi_value js_socket_pair(napi_env env, napi_callback_info info) {
  (void)info;
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return throw_errno(env, "socketpair", errno);
  napi_value arr, r, w;
  napi_create_array_with_length(env, 2, &arr);
  napi_create_int32(env, fds[0], &r);
  napi_create_int32(env, fds[1], &w);
  napi_set_element(env, arr, 0, r);
  napi_set_element(env, arr, 1, w);
  return arr;
}

static napi_value js_spawn(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value args[6];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "spawn(file, argv, env, fds, cwd, newGroup)");
    return NULL;
  }
  char *file = string_arg(env, args[0]);
  char **argv = string_array(env, args[1]);
  char **envp = string_array(env, args[2]);
  char *cwd = string_arg(env, args[4]);
  bool new_group = false;
  napi_get_value_bool(env, args[5], &new_group);
  uint32_t nfds = 0;
  napi_get_array_length(env, args[3], &nfds);
  napi_value result = NULL;
  if (!file || !argv || !envp || !cwd || nfds > MAX_FDS) {
    napi_throw_type_error(env, NULL, "spawn: bad arguments");
    goto out;
  }

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  for (uint32_t i = 0; i < nfds; i++) {
    napi_value el;
    int32_t fd = -1;
    napi_get_element(env, args[3], i, &el);
    napi_get_value_int32(env, el, &fd);
    if (fd < 0) posix_spawn_file_actions_addopen(&actions, (int)i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
    /* glibc clears FD_CLOEXEC when fd == i (Austin Group issue 411): an inherited stdio stays open. */
    else posix_spawn_file_actions_adddup2(&actions, fd, (int)i);
  }
#if __GLIBC_PREREQ(2, 34)
  /* Nothing else leaks into the child, even a descriptor some library opened without O_CLOEXEC. */
  posix_spawn_file_actions_addclosefrom_np(&actions, (int)nfds);
#endif
  if (cwd[0]) posix_spawn_file_actions_addchdir_np(&actions, cwd);
  /* The child starts with default signal dispositions and an empty mask, as libuv's children do:
   * Node ignores SIGPIPE, and gst-launch must be able to die of it. */
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
  if (new_group) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawnattr_setflags(&attr, flags);

  pid_t pid;
  int err = posix_spawnp(&pid, file, &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    char what[300];
    snprintf(what, sizeof what, "spawn %s", file);
    throw_errno(env, what, err);
    goto out;
  }
  napi_create_int32(env, pid, &result);
out:
  free(file);
  free(cwd);
  free_array(argv);
  free_array(envp);
  return result;
}

typedef struct {
  pid_t pid;
  napi_threadsafe_function tsfn;
} watch_t;

/* Waits for the child to end without reaping it: until the JavaScript side has heard of the exit, a
 * kill() of this pid reaches the zombie, never a process that took the pid over. */
static void *wait_thread(void *arg) {
  watch_t *w = arg;
  siginfo_t info;
  int r;
  do r = waitid(P_PID, (id_t)w->pid, &info, WEXITED | WNOWAIT);
  while (r < 0 && errno == EINTR);
  /* call_js frees w, perhaps before the call below returns: keep the function in a local. */
  napi_threadsafe_function tsfn = w->tsfn;
  if (napi_call_threadsafe_function(tsfn, w, napi_tsfn_blocking) != napi_ok) free(w); /* the agent is ending */
  napi_release_threadsafe_function(tsfn, napi_tsfn_release);
  return NULL;
}

/* On the JavaScript thread: reaps the child (it has ended: no wait) and calls back with its status. */
static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  watch_t *w = data;
  int status = 0;
  pid_t r;
  do r = waitpid(w->pid, &status, 0);
  while (r < 0 && errno == EINTR);
  if (env && cb) {
    napi_value argv[2], undefined;
    napi_get_undefined(env, &undefined);
    if (r == w->pid && WIFEXITED(status)) napi_create_int32(env, WEXITSTATUS(status), &argv[0]);
    else napi_get_null(env, &argv[0]);
    if (r == w->pid && WIFSIGNALED(status)) napi_create_int32(env, WTERMSIG(status), &argv[1]);
    else napi_get_null(env, &argv[1]);
    napi_call_function(env, undefined, cb, 2, argv, NULL);
  }
  free(w);
}

static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  int32_t pid = 0;
  if (argc < 2 || napi_get_value_int32(env, args[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "watch(pid, callback)");
    return NULL;
  }
  watch_t *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, "watch", ENOMEM);
  w->pid = pid;
  napi_value name;
  napi_create_string_utf8(env, "edge-vfork-spawn wait", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, args[1], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &w->tsfn) != napi_ok) {
    free(w);
    napi_throw_error(env, NULL, "watch: cannot create the callback");
    return NULL;
  }
  /* What holds the event loop while the child runs is the caller's to decide (child-spawn.ts). */
  napi_unref_threadsafe_function(env, w->tsfn);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_t t;
  int err = pthread_create(&t, &attr, wait_thread, w);
  pthread_attr_destroy(&attr);
  if (err != 0) {
    napi_release_threadsafe_function(w->tsfn, napi_tsfn_abort);
    free(w);
    return throw_errno(env, "watch", err);
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    { "socketPair", NULL, js_socket_pair, NULL, NULL, NULL, napi_default, NULL },
    { "spawn", NULL, js_spawn, NULL, NULL, NULL, napi_default, NULL },
    { "watch", NULL, js_watch, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}
