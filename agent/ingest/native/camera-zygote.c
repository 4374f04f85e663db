/*
 * edge-camera-zygote: camera processes forked from one GStreamer process that has already loaded the
 * plugins, so the cameras share those libraries' relocated pages instead of each writing its own copy.
 *
 * Why: a `gst-launch-1.0` camera writes ~8 MB of private pages at start-up just to relocate the ~170
 * libraries gst-libav pulls in (libavfilter, librsvg, flite voices, ...). A fork of a process that did
 * it once keeps those pages shared copy-on-write (issue 12). Each camera is still a process of its own:
 * a crash, a hung source or an OOM kill ends one camera only.
 *
 * Two modes, one binary:
 *   edge-camera-zygote serve SOCKET [PLUGIN ...]
 *       gst_init, load the named plugins, listen on SOCKET (a path in a 0700 directory; peers of
 *       another uid are refused). For every launch request: fork a camera process that takes the
 *       requester's stdin, stdout, stderr and fd 3, and report its pid and, later, its wait status.
 *   edge-camera-zygote launch SOCKET ZYGOTE-PID [--secrets-on-stdin] DESCRIPTION-ARGV...
 *       What the agent spawns per camera, in place of `gst-launch-1.0 -m -e DESCRIPTION-ARGV...`
 *       (it waits for SOCKET while the zygote process ZYGOTE-PID is starting). With
 *       --secrets-on-stdin it first reads element properties that must not appear on any command
 *       line (a camera's password) from stdin, NUL-separated ELEMENT PROPERTY VALUE triples, and the
 *       camera sets them after parsing the description (secret-launch.ts's job, without a V8):
 *       hands its own fds and the description to the zygote, forwards the signals it gets to the
 *       camera process, and ends with the camera's own exit status (or its signal). When this
 *       process is killed, the zygote kills the camera; when the zygote dies, its cameras die.
 *
 * The camera process speaks gst-launch-1.0's `-m -e` output (GStreamer 1.22): bus messages on stdout
 * ("Got message #N from element ..."), "Got EOS from element ...", error blocks on stderr
 * ("ERROR: from element <path>: ..." + "Additional debug info:"), "WARNING: erroneous pipeline: ..."
 * for a description gst_parse_launch refuses; SIGINT sends an EOS. The agent reads it with the same
 * parser as gst-launch's (agent/ingest/launch-output.ts).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <gst/gst.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PASSED_FDS 4            /* stdin, stdout, stderr, the frame pipe */
#define MAX_REQUEST 65536       /* the camera's id, the argv count, the argv and the secret triples, NUL-separated */
#define MAX_CAMERAS 64
#define CONNECT_WAIT_MS 20000   /* a zygote being (re)started by the agent */

/* ---------------------------------------------------------------- wire helpers */

static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* 0 on success, 1 at end of stream before any byte, -1 on error or a short read. */
static int read_all(int fd, void *buf, size_t len) {
  char *p = buf;
  size_t got = 0;
  while (got < len) {
    ssize_t n = read(fd, p + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) return got == 0 ? 1 : -1;
    if (n < 0) return -1;
    got += (size_t)n;
  }
  return 0;
}

/* ---------------------------------------------------------------- the camera process (gst-launch -m -e) */

static GstElement *pipeline;
static GMainLoop *loop;
static int exit_code;
static gboolean eos_forced;

static void print_message(GstMessage *message) {
  GstObject *src = GST_MESSAGE_SRC(message);
  const GstStructure *s = gst_message_get_structure(message);
  guint32 seqnum = gst_message_get_seqnum(message);
  const gchar *type = GST_MESSAGE_TYPE_NAME(message);
  if (src && GST_IS_ELEMENT(src))
    g_print("Got message #%u from element \"%s\" (%s): ", seqnum, GST_ELEMENT_NAME(src), type);
  else if (src && GST_IS_PAD(src))
    g_print("Got message #%u from pad \"%s:%s\" (%s): ", seqnum, GST_DEBUG_PAD_NAME(src), type);
  else if (src)
    g_print("Got message #%u from object \"%s\" (%s): ", seqnum, GST_OBJECT_NAME(src), type);
  else
    g_print("Got message #%u (%s): ", seqnum, type);
  if (s) {
    gchar *text = gst_structure_to_string(s);
    g_print("%s\n", text);
    g_free(text);
  } else {
    g_print("no message details\n");
  }
}

static gboolean on_bus(GstBus *bus, GstMessage *message, gpointer data) {
  (void)bus;
  (void)data;
  print_message(message);
  switch (GST_MESSAGE_TYPE(message)) {
  case GST_MESSAGE_EOS:
    g_print("Got EOS from element \"%s\".\n", GST_MESSAGE_SRC_NAME(message));
    g_main_loop_quit(loop);
    break;
  case GST_MESSAGE_ERROR: {
    GError *err = NULL;
    gchar *debug = NULL;
    gst_message_parse_error(message, &err, &debug);
    gst_object_default_error(GST_MESSAGE_SRC(message), err, debug); /* gst-launch's own error block */
    g_clear_error(&err);
    g_free(debug);
    exit_code = 255; /* gst-launch's -1 */
    g_main_loop_quit(loop);
    break;
  }
  case GST_MESSAGE_WARNING: {
    GError *err = NULL;
    gchar *debug = NULL;
    gchar *name = gst_object_get_path_string(GST_MESSAGE_SRC(message));
    gst_message_parse_warning(message, &err, &debug);
    g_print("WARNING: from element %s: %s\n", name, err ? err->message : "");
    if (debug) g_print("Additional debug info:\n%s\n", debug);
    g_clear_error(&err);
    g_free(debug);
    g_free(name);
    break;
  }
  case GST_MESSAGE_LATENCY:
    gst_bin_recalculate_latency(GST_BIN(pipeline));
    break;
  case GST_MESSAGE_CLOCK_LOST:
    /* A new clock is selected by going through PAUSED. */
    gst_element_set_state(pipeline, GST_STATE_PAUSED);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    break;
  case GST_MESSAGE_REQUEST_STATE: {
    GstState state;
    gst_message_parse_request_state(message, &state);
    gst_element_set_state(pipeline, state);
    break;
  }
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

/* -e: the first SIGINT sends an EOS (the recording's open segment is closed), a second one ends at once. */
static gboolean on_interrupt(gpointer data) {
  (void)data;
  if (eos_forced) {
    exit_code = 130;
    g_main_loop_quit(loop);
  } else {
    g_print("EOS on shutdown enabled -- Forcing EOS on the pipeline\n");
    eos_forced = TRUE;
    gst_element_send_event(pipeline, gst_event_new_eos());
  }
  return G_SOURCE_CONTINUE;
}

static int run_camera(char **argv, char **secrets) {
  GError *err = NULL;
  GstElement *parsed = gst_parse_launchv_full((const gchar **)argv, NULL, GST_PARSE_FLAG_NONE, &err);
  if (!parsed) {
    g_printerr("ERROR: pipeline could not be constructed: %s.\n", err ? err->message : "(NULL)");
    return 1;
  }
  if (err) {
    g_printerr("WARNING: erroneous pipeline: %s\n", err->message);
    return 1;
  }
  if (GST_IS_PIPELINE(parsed)) {
    pipeline = parsed;
  } else {
    pipeline = gst_pipeline_new(NULL);
    gst_bin_add(GST_BIN(pipeline), parsed);
  }
  for (char **t = secrets; t[0] && t[1] && t[2]; t += 3) {
    GstElement *element = gst_bin_get_by_name(GST_BIN(pipeline), t[0]);
    if (!element) continue; /* as secret-launch.ts: a template without that element takes none */
    gst_util_set_object_arg(G_OBJECT(element), t[1], t[2]);
    gst_object_unref(element);
  }
  loop = g_main_loop_new(NULL, FALSE);
  GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(pipeline));
  gst_bus_add_watch(bus, on_bus, NULL);
  gst_object_unref(bus);
  g_unix_signal_add(SIGINT, on_interrupt, NULL);
  g_print("Setting pipeline to PLAYING ...\n");
  if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* The elements' own errors are on the bus: print them before saying so. */
    GstMessage *m;
    bus = gst_pipeline_get_bus(GST_PIPELINE(pipeline));
    while ((m = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR)) != NULL) {
      on_bus(bus, m, NULL);
      gst_message_unref(m);
    }
    gst_object_unref(bus);
    g_printerr("ERROR: pipeline doesn't want to play.\n");
    gst_element_set_state(pipeline, GST_STATE_NULL);
    return 255;
  }
  g_main_loop_run(loop);
  g_print("Setting pipeline to NULL ...\n");
  gst_element_set_state(pipeline, GST_STATE_NULL);
  g_print("Freeing pipeline ...\n");
  return exit_code;
}

/* ---------------------------------------------------------------- serve: the zygote */

struct camera {
  pid_t pid;
  int conn; /* the launcher's connection; -1 once it has gone */
};

static struct camera cameras[MAX_CAMERAS];
static const char *socket_path;
/* The zygote's own argv strings: a camera writes its name over them, so `ps` tells the cameras apart. */
static char *title_start;
static size_t title_room;

static void set_camera_title(const char *camera) {
  if (!title_start || title_room == 0) return;
  memset(title_start, 0, title_room);
  snprintf(title_start, title_room, "edge-camera %s", camera);
  char *space = strchr(title_start, ' ');
  if (space) *space = '\0'; /* argv[0] "edge-camera", argv[1] the camera's id */
  char comm[16];
  snprintf(comm, sizeof comm, "cam %s", camera);
  prctl(PR_SET_NAME, comm);
}

static void remove_socket(void) {
  if (socket_path) unlink(socket_path);
}

static void on_zygote_term(int sig) {
  (void)sig;
  remove_socket();
  _exit(0);
}

static struct camera *camera_slot(void) {
  for (int i = 0; i < MAX_CAMERAS; i++)
    if (cameras[i].pid == 0) return &cameras[i];
  return NULL;
}

/* In the fork: become the camera with the launcher's fds. Never returns. */
static void become_camera(int fds[PASSED_FDS], const char *camera, char **argv, char **secrets, pid_t zygote, const sigset_t *oldmask) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  set_camera_title(camera);
  if (getppid() != zygote) _exit(1); /* the zygote died before the line above */
  for (int i = 0; i < PASSED_FDS; i++) {
    if (fds[i] == i) {
      fcntl(i, F_SETFD, 0);
    } else if (dup2(fds[i], i) < 0) {
      _exit(1);
    }
  }
  close_range(PASSED_FDS, ~0U, 0);
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  sigprocmask(SIG_SETMASK, oldmask, NULL);
  _exit(run_camera(argv, secrets));
}

/* One request on a new connection: the camera's id and its description's argv + fds in, pid out. */
static void handle_request(int conn, const sigset_t *oldmask) {
  struct ucred cred;
  socklen_t credlen = sizeof cred;
  if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &credlen) < 0 || cred.uid != getuid()) {
    close(conn);
    return;
  }
  uint32_t len = 0;
  char control[CMSG_SPACE(sizeof(int) * PASSED_FDS)];
  struct iovec iov = { .iov_base = &len, .iov_len = sizeof len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  ssize_t n;
  do n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
  int fds[PASSED_FDS] = { -1, -1, -1, -1 };
  int nfds = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      if (nfds > PASSED_FDS) nfds = PASSED_FDS;
      memcpy(fds, CMSG_DATA(c), sizeof(int) * (size_t)nfds);
    }
  }
  char *body = NULL;
  char **argv = NULL;
  struct camera *slot = camera_slot();
  if (n != (ssize_t)sizeof len || nfds != PASSED_FDS || len == 0 || len > MAX_REQUEST || !slot) goto refuse;
  body = malloc((size_t)len + 1);
  if (!body || read_all(conn, body, len) != 0) goto refuse;
  body[len] = '\0';
  /* id \0 count \0 argv[count] \0... then ELEMENT \0 PROPERTY \0 VALUE \0 triples. */
  int words = 0;
  for (uint32_t i = 0; i < len; i++)
    if (body[i] == '\0') words++;
  if (body[len - 1] != '\0' || words < 3) goto refuse;
  argv = calloc((size_t)words + 2, sizeof(char *));
  if (!argv) goto refuse;
  int k = 0;
  for (char *p = body; p < body + len; p += strlen(p) + 1) argv[k++] = p;
  char *end = NULL;
  long count = strtol(argv[1], &end, 10);
  if (*end != '\0' || count < 1 || count > words - 2 || (words - 2 - count) % 3 != 0) goto refuse;
  /* argv: [id, count, description..., NULL, secrets..., NULL] */
  memmove(argv + 1, argv + 2, sizeof(char *) * (size_t)(words - 2));
  memmove(argv + 2 + count, argv + 1 + count, sizeof(char *) * (size_t)(words - 2 - count));
  argv[1 + count] = NULL;
  argv[words] = NULL;

  pid_t zygote = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    close(conn);
    become_camera(fds, argv[0], argv + 1, argv + 2 + count, zygote, oldmask);
  }
  for (int i = 0; i < PASSED_FDS; i++) close(fds[i]);
  free(argv);
  free(body);
  int32_t reply = pid;
  if (pid < 0 || write_all(conn, &reply, sizeof reply) != 0) {
    if (pid > 0) {
      kill(pid, SIGKILL);
      slot->pid = pid;
      slot->conn = -1;
    }
    close(conn);
    return;
  }
  slot->pid = pid;
  slot->conn = conn;
  return;
refuse:
  for (int i = 0; i < nfds; i++) close(fds[i]);
  free(argv);
  free(body);
  close(conn);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < MAX_CAMERAS; i++) {
      if (cameras[i].pid != pid) continue;
      if (cameras[i].conn >= 0) {
        int32_t word = status;
        write_all(cameras[i].conn, &word, sizeof word);
        close(cameras[i].conn);
      }
      cameras[i].pid = 0;
      cameras[i].conn = -1;
    }
  }
}

/* How many fds are open (-1 when /proc is unreadable). */
static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;)
    if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d)) n++;
  closedir(d);
  return n;
}

static int serve(const char *path, int nplugins, char **plugins, char **argv, int argc) {
  title_start = argv[0];
  title_room = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int fds_before = open_fds();
  gst_init(NULL, NULL);
  for (int i = 0; i < nplugins; i++) {
    GstPlugin *plugin = gst_plugin_load_by_name(plugins[i]);
    if (plugin) gst_object_unref(plugin);
    else g_printerr("edge-camera-zygote: plugin %s not found (its cameras load it themselves)\n", plugins[i]);
  }
  /* A fork copies one thread and every fd. GStreamer and its plugins must not have started a thread or
   * opened an fd (a GLib main context's wake-up eventfd, say) by now: a camera would inherit a context
   * whose other half is gone, or share it with its siblings, and hang. Refuse rather than fork that. */
  if (open_fds() != fds_before) {
    fprintf(stderr, "edge-camera-zygote: GStreamer's start-up opened files or threads; refusing to fork cameras from it\n");
    return 3;
  }
  {
    FILE *status = fopen("/proc/self/status", "r");
    char line[128];
    int threads = 1;
    while (status && fgets(line, sizeof line, status)) sscanf(line, "Threads: %d", &threads);
    if (status) fclose(status);
    if (threads != 1) {
      fprintf(stderr, "edge-camera-zygote: GStreamer's start-up left %d threads; refusing to fork cameras from it\n", threads);
      return 3;
    }
  }

  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof addr.sun_path) {
    fprintf(stderr, "edge-camera-zygote: socket path too long: %s\n", path);
    return 2;
  }
  strcpy(addr.sun_path, path);
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  unlink(path);
  mode_t old_umask = umask(0077);
  int bound = bind(listener, (struct sockaddr *)&addr, sizeof addr);
  umask(old_umask);
  if (listener < 0 || bound < 0 || listen(listener, 16) < 0) {
    fprintf(stderr, "edge-camera-zygote: cannot listen on %s: %s\n", path, strerror(errno));
    return 2;
  }
  socket_path = path;
  signal(SIGTERM, on_zygote_term);
  signal(SIGINT, on_zygote_term);
  signal(SIGPIPE, SIG_IGN);

  sigset_t chld, oldmask;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &oldmask);
  int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  for (int i = 0; i < MAX_CAMERAS; i++) cameras[i].conn = -1;
  printf("ready\n");
  fflush(stdout);

  for (;;) {
    struct pollfd pfds[2 + MAX_CAMERAS];
    int owner[2 + MAX_CAMERAS];
    int n = 0;
    pfds[n++] = (struct pollfd){ .fd = listener, .events = POLLIN };
    pfds[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
    for (int i = 0; i < MAX_CAMERAS; i++) {
      if (cameras[i].pid == 0 || cameras[i].conn < 0) continue;
      owner[n] = i;
      pfds[n++] = (struct pollfd){ .fd = cameras[i].conn, .events = POLLIN };
    }
    if (poll(pfds, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      return 2;
    }
    if (pfds[1].revents) {
      struct signalfd_siginfo info;
      while (read(sigfd, &info, sizeof info) > 0) {}
      reap();
    }
    for (int j = 2; j < n; j++) {
      if (!pfds[j].revents) continue;
      struct camera *c = &cameras[owner[j]];
      if (c->pid == 0 || c->conn != pfds[j].fd) continue; /* reaped above */
      /* The launcher sends nothing after its request: readable means it has gone. */
      kill(c->pid, SIGKILL);
      close(c->conn);
      c->conn = -1;
    }
    if (pfds[0].revents & POLLIN) {
      int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
      if (conn >= 0) handle_request(conn, &oldmask);
    }
  }
}

/* ---------------------------------------------------------------- launch: the agent's per-camera child */

static volatile sig_atomic_t camera_pid;
/* A signal that came before the camera had a pid (a stop right at the start): forwarded once it has one. */
static volatile sig_atomic_t pending_signal;
static const int FORWARDED[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
#define N_FORWARDED (sizeof FORWARDED / sizeof FORWARDED[0])

static void forward_signal(int sig) {
  if (camera_pid > 0) kill(camera_pid, sig);
  else pending_signal = sig;
}

static int connect_zygote(const char *path, pid_t zygote) {
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen(path) >= sizeof addr.sun_path) return -1;
  strcpy(addr.sun_path, path);
  struct timespec pause = { 0, 50 * 1000 * 1000 };
  for (int waited = 0;; waited += 50) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) return fd;
    int e = errno;
    close(fd);
    if ((e != ENOENT && e != ECONNREFUSED) || waited >= CONNECT_WAIT_MS) return -1;
    if (zygote <= 0 || (kill(zygote, 0) < 0 && errno == ESRCH)) { /* it ended before it listened */
      errno = e;
      return -1;
    }
    nanosleep(&pause, NULL); /* the agent is starting the zygote */
  }
}

/* stdin to its end, for --secrets-on-stdin: NUL-separated triples, at most MAX_REQUEST bytes. */
static char *read_stdin(size_t *len) {
  char *buf = malloc(MAX_REQUEST);
  size_t got = 0;
  if (!buf) return NULL;
  for (;;) {
    ssize_t n = read(0, buf + got, MAX_REQUEST - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || (n == 0 && got == MAX_REQUEST)) break;
    if (n == 0) {
      *len = got;
      return buf;
    }
    got += (size_t)n;
    if (got == MAX_REQUEST) break;
  }
  free(buf);
  return NULL;
}

static int launch(const char *path, pid_t zygote, int argc, char **argv) {
  struct sigaction forward = { .sa_handler = forward_signal };
  sigemptyset(&forward.sa_mask);
  for (size_t i = 0; i < N_FORWARDED; i++) sigaction(FORWARDED[i], &forward, NULL);
  char *secrets = NULL;
  size_t secrets_len = 0;
  if (argc > 0 && strcmp(argv[0], "--secrets-on-stdin") == 0) {
    argc--;
    argv++;
    secrets = read_stdin(&secrets_len);
    int words = 0;
    for (size_t i = 0; secrets && i < secrets_len; i++)
      if (secrets[i] == '\0') words++;
    if (!secrets || (secrets_len > 0 && secrets[secrets_len - 1] != '\0') || words % 3 != 0) {
      fprintf(stderr, "WARNING: erroneous pipeline: unreadable secret properties on stdin\n");
      return 1;
    }
    int null = open("/dev/null", O_RDONLY); /* the camera gets no stdin: what was there is read */
    if (null > 0) {
      dup2(null, 0);
      close(null);
    }
  }
  /* The camera gets fds 0-3: hold each slot (a closed one on /dev/null) before the socket takes a number. */
  for (int i = 0; i < PASSED_FDS; i++) {
    if (fcntl(i, F_GETFD) >= 0) continue;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0 && null != i) {
      dup2(null, i);
      close(null);
    }
  }
  int conn = connect_zygote(path, zygote);
  if (conn < 0) {
    fprintf(stderr, "ERROR: from element /edge-camera-zygote: cannot reach the camera zygote at %s: %s\n", path, strerror(errno));
    return 1;
  }
  /* The camera's id (the agent's environment marker) names the forked process. */
  const char *camera = getenv("EDGE_AGENT_CAMERA");
  if (!camera) camera = "";
  char count[16];
  snprintf(count, sizeof count, "%d", argc);
  size_t len = strlen(camera) + 1 + strlen(count) + 1 + secrets_len;
  for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
  if (argc == 0 || len > MAX_REQUEST) {
    fprintf(stderr, "WARNING: erroneous pipeline: empty or too long\n");
    return 1;
  }
  char *body = malloc(len);
  if (!body) return 1;
  size_t off = 0;
  memcpy(body + off, camera, strlen(camera) + 1);
  off += strlen(camera) + 1;
  memcpy(body + off, count, strlen(count) + 1);
  off += strlen(count) + 1;
  for (int i = 0; i < argc; i++) {
    size_t l = strlen(argv[i]) + 1;
    memcpy(body + off, argv[i], l);
    off += l;
  }
  if (secrets_len) memcpy(body + off, secrets, secrets_len);
  if (secrets) {
    explicit_bzero(secrets, secrets_len);
    free(secrets);
  }
  int fds[PASSED_FDS] = { 0, 1, 2, 3 };
  uint32_t len32 = (uint32_t)len;
  char control[CMSG_SPACE(sizeof fds)];
  memset(control, 0, sizeof control);
  struct iovec iov = { .iov_base = &len32, .iov_len = sizeof len32 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  ssize_t sent;
  do sent = sendmsg(conn, &msg, MSG_NOSIGNAL); while (sent < 0 && errno == EINTR);
  if (sent != (ssize_t)sizeof len32 || write_all(conn, body, len) != 0) {
    fprintf(stderr, "ERROR: from element /edge-camera-zygote: the camera zygote did not take the request\n");
    return 1;
  }
  explicit_bzero(body, len);
  free(body);
  /* Our copies of the camera's fds: the camera holds its own now, and the agent must see EOF when it ends. */
  for (int i = 0; i < PASSED_FDS; i++) {
    if (i == 2) continue; /* keep stderr for our own last words */
    int null = open("/dev/null", O_RDWR);
    if (null >= 0 && null != i) {
      dup2(null, i);
      close(null);
    }
  }

  int32_t word;
  if (read_all(conn, &word, sizeof word) != 0 || word <= 0) {
    fprintf(stderr, "ERROR: from element /edge-camera-zygote: the camera zygote refused the launch\n");
    return 1;
  }
  sigset_t block, old;
  sigemptyset(&block);
  for (size_t i = 0; i < N_FORWARDED; i++) sigaddset(&block, FORWARDED[i]);
  sigprocmask(SIG_BLOCK, &block, &old);
  camera_pid = word;
  if (pending_signal) kill(camera_pid, pending_signal);
  sigprocmask(SIG_SETMASK, &old, NULL);

  int r = read_all(conn, &word, sizeof word);
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) dup2(null, 2);
  if (r != 0) return 1; /* the zygote died: so did the camera (parent-death signal) */
  if (WIFEXITED(word)) return WEXITSTATUS(word);
  if (WIFSIGNALED(word)) {
    int sig = WTERMSIG(word);
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    return 128 + sig;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "serve") == 0) return serve(argv[2], argc - 3, argv + 3, argv, argc);
  if (argc >= 5 && strcmp(argv[1], "launch") == 0) return launch(argv[2], (pid_t)atoi(argv[3]), argc - 4, argv + 4);
  fprintf(stderr, "usage: edge-camera-zygote serve SOCKET [PLUGIN ...] | launch SOCKET ZYGOTE-PID [--secrets-on-stdin] DESCRIPTION-ARGV...\n");
  return 2;
}
