/*
 * Linked into the agent (Native AOT) ahead of libc: sched_getcpu() says "unsupported", as glibc's does where the
 * kernel has no getcpu.
 *
 * Its only caller is .NET's Thread.GetCurrentProcessorNumber (SystemNative_SchedGetCpu). On the first use of any
 * Thread static, .NET times that call against a thread-static read ~160 times to decide whether to cache it; a -1
 * ends the check at once and .NET uses the managed thread id as the processor hint instead (spreading per-core
 * pools just as well for the agent's few threads). Under gVisor's ptrace platform the sentry serves every getcpu
 * and clock_gettime as a trapped system call (~65 us on this project's machines; runsc refuses rseq and its vDSO
 * falls back), so the check was ~210 of the agent's ~560 system calls to start. With the csproj's other two cuts
 * (libc bound at link time, no pool spinning) a gVisor sandbox's agent-ready fell from 32 to 25 ms. Commands the agent
 * runs are other programs and keep the real sched_getcpu.
 */
#include <errno.h>
#include <sched.h>

int sched_getcpu(void)
{
    errno = ENOSYS;
    return -1;
}
