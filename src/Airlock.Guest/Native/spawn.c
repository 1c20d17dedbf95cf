/*
 * Linked into the agent (Native AOT): how every command starts. A vfork-style clone whose child resets only the
 * signals the agent ever gave a disposition, instead of glibc's posix_spawn, whose child makes one sigaction call for
 * each of the 64 signals whatever the agent did with them.
 *
 * Under gVisor's ptrace platform each of those calls is a trapped system call (~30-65 us on this project's
 * machines), and they lie on the path from an exec request to the command's first byte of output: glibc's spawn
 * took 2.8-4.1 ms to return inside a gVisor sandbox where this one takes 1.0-1.2 ms.
 *
 * Which signals to reset: every disposition the agent sets goes through sigaction(), and the definition below is
 * linked ahead of libc's, so it records the signal before passing the call on (the .NET runtime installs a dozen
 * handlers; a PosixSignalRegistration adds one). Dispositions the agent inherited from whoever started it (an ignored
 * SIGPIPE, say) are read once, on a thread airlock_spawn_prepare() starts as the agent starts; every spawn waits for
 * that read. The command then starts as glibc's POSIX_SPAWN_SETSIGDEF for all signals and POSIX_SPAWN_SETSIGMASK for
 * none would start it, every signal at its default disposition and nothing blocked, except that glibc's child left
 * its own 32 and 33 ignored and this one does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIGNALS 64
/* glibc's own signals (SIGCANCEL, SIGSETXID): it installs their handlers without calling sigaction(), so they are
   always reset. */
#define GLIBC_INTERNAL ((UINT64_C(1) << (32 - 1)) | (UINT64_C(1) << (33 - 1)))

extern int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* Bit sig-1: the signal's disposition may be other than SIG_DFL. Bits are never cleared: a stale one costs a child
   one needless reset. */
static atomic_uint_least64_t non_default;
static pthread_once_t inherited_once = PTHREAD_ONCE_INIT;

static void note(int sig, const struct sigaction *act)
{
    if (act != NULL && act->sa_handler != SIG_DFL && sig >= 1 && sig <= SIGNALS)
    {
        atomic_fetch_or(&non_default, UINT64_C(1) << (sig - 1));
    }
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    note(sig, act);
    return __sigaction(sig, act, old);
}

/* The kernel's view of struct sigaction on x86_64 and arm64: what rt_sigaction(2) takes. */
struct kernel_sigaction
{
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

static void read_inherited(void)
{
    for (int sig = 1; sig <= SIGNALS; sig++)
    {
        struct kernel_sigaction current;
        if (syscall(SYS_rt_sigaction, sig, NULL, &current, sizeof(uint64_t)) == 0 && current.handler != SIG_DFL)
        {
            atomic_fetch_or(&non_default, UINT64_C(1) << (sig - 1));
        }
    }
}

static void *read_inherited_once(void *unused)
{
    (void)unused;
    pthread_once(&inherited_once, read_inherited);
    return NULL;
}

/*
 * Starts reading the dispositions the agent inherited on a thread of its own: 64 system calls that would otherwise lie
 * on the first command's path. A spawn that comes first waits for them (or reads them itself if the thread never ran).
 */
int airlock_spawn_prepare(void)
{
    pthread_attr_t attributes;
    pthread_t thread;
    int rc = pthread_attr_init(&attributes);
    if (rc == 0) rc = pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    if (rc == 0) rc = pthread_attr_setstacksize(&attributes, 64 * 1024);
    if (rc == 0) rc = pthread_create(&thread, &attributes, read_inherited_once, NULL);
    pthread_attr_destroy(&attributes);
    return rc;
}

struct spawn_request
{
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *cwd;      /* NULL: the agent's */
    const char *terminal; /* NULL: stdio from fds; else a terminal replica opened as 0, 1 and 2 */
    int fds[3];
    uint64_t task_limit;  /* RLIMIT_NPROC, soft and hard, from the command's first instruction; 0: the agent's */
    uint64_t reset;
    volatile int error;   /* written by the child when it fails before or at execve */
};

static int install_stdio(struct spawn_request *r)
{
    if (r->terminal != NULL)
    {
        /* O_RDWR without O_NOCTTY after setsid: the replica becomes the session's controlling terminal. */
        int fd = open(r->terminal, O_RDWR);
        if (fd < 0) return -1;
        if (fd != 0 && (dup2(fd, 0) < 0 || close(fd) < 0)) return -1;
        return dup2(0, 1) < 0 || dup2(0, 2) < 0 ? -1 : 0;
    }

    for (int target = 0; target < 3; target++)
    {
        int fd = r->fds[target];
        /* dup2 onto itself keeps close-on-exec; posix_spawn's adddup2 clears it then, and so does this. */
        int rc = fd == target ? fcntl(fd, F_SETFD, 0) : dup2(fd, target);
        if (rc < 0) return -1;
    }

    return 0;
}

/* The child: shares the parent's memory until execve, so it touches nothing but its own stack and *r. */
static int child(void *arg)
{
    struct spawn_request *r = arg;
    struct kernel_sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    for (int sig = 1; sig <= SIGNALS; sig++)
    {
        /* All signals stay blocked until execve, so no handler of the agent's can run here meanwhile. */
        if (r->reset & (UINT64_C(1) << (sig - 1)))
        {
            syscall(SYS_rt_sigaction, sig, &default_action, NULL, sizeof(uint64_t));
        }
    }

    if (setsid() < 0 || install_stdio(r) < 0 || (r->cwd != NULL && chdir(r->cwd) < 0))
    {
        r->error = errno;
        _exit(127);
    }

    /* In the child, not by prlimit after the spawn returns: a command that forks at once (a fork bomb) would otherwise
       fill the agent's own allowance first, and a runtime that cannot start a thread-pool thread aborts the agent. */
    if (r->task_limit != 0)
    {
        struct rlimit limit = { .rlim_cur = r->task_limit, .rlim_max = r->task_limit };
        if (setrlimit(RLIMIT_NPROC, &limit) < 0)
        {
            r->error = errno;
            _exit(127);
        }
    }

    uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none);
    execve(r->path, r->argv, r->envp);
    r->error = errno;
    _exit(127);
}

/*
 * Starts path in a new session with every signal at its default disposition and none blocked, the given stdio (or
 * terminal) and working directory, exactly envp as its environment, and task_limit (unless 0) as its RLIMIT_NPROC.
 * Returns 0 and the child's pid, or the errno of the step that failed (ENOENT, EACCES, ENOEXEC from execve; whatever
 * clone, setsid, open, dup2, chdir or setrlimit said).
 */
int airlock_spawn(const char *path, char *const *argv, char *const *envp, const char *cwd,
                  int stdin_fd, int stdout_fd, int stderr_fd, const char *terminal, uint64_t task_limit, int *pid)
{
    pthread_once(&inherited_once, read_inherited);
    struct spawn_request r = {
        .path = path, .argv = argv, .envp = envp, .cwd = cwd, .terminal = terminal,
        .fds = { stdin_fd, stdout_fd, stderr_fd }, .task_limit = task_limit, .reset = atomic_load(&non_default) | GLIBC_INTERNAL, .error = 0,
    };

    /* The child runs on this array until execve; this thread is suspended meanwhile (CLONE_VFORK). */
    _Alignas(16) char stack[32 * 1024];
    /* Every signal blocked, glibc's own too (pthread_sigmask would leave those open), so the child starts so. */
    uint64_t all = ~UINT64_C(0), previous;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &previous, sizeof all);
    int child_pid = clone(child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &r);
    int clone_error = errno;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &previous, NULL, sizeof previous);

    *pid = 0;
    if (child_pid < 0) return clone_error;
    if (r.error != 0)
    {
        /* The child has exited (127); reap it here, as posix_spawn does, so no caller ever sees its pid. */
        int status;
        while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR)
        {
        }
        return r.error;
    }

    *pid = child_pid;
    return 0;
}
