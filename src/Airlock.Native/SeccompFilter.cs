using System.Runtime.InteropServices;

namespace Airlock.Native;

/// <summary>
/// A seccomp filter that refuses a fixed set of x86-64 system calls with EPERM, installed on every thread of the
/// calling process at once (SECCOMP_FILTER_FLAG_TSYNC) and inherited by every process it starts afterwards;
/// nothing, root included, can remove it. Any other architecture's calling convention (i386, x32) is refused
/// whole, so a 32-bit binary cannot reach the same call under another number.
/// </summary>
public static unsafe partial class SeccompFilter
{
    private const long SysSeccomp = 317;
    private const uint SeccompSetModeFilter = 1;
    private const uint SeccompFilterFlagTsync = 1;
    private const uint AuditArchX8664 = 0xC000003E;
    private const uint X32SyscallBit = 0x40000000;
    private const uint ReturnAllow = 0x7FFF0000;
    private const uint ReturnErrnoEperm = 0x00050000 | Errno.EPERM;

    // BPF opcodes: BPF_LD|BPF_W|BPF_ABS, BPF_JMP|BPF_JEQ|BPF_K, BPF_JMP|BPF_JGE|BPF_K, BPF_RET|BPF_K.
    private const ushort LoadWord = 0x20;
    private const ushort JumpIfEqual = 0x15;
    private const ushort JumpIfGreaterOrEqual = 0x35;
    private const ushort Return = 0x06;

    /// <summary>Installs the filter; 0 or the errno (ENOSYS off x86-64, where the numbers would mean other calls).</summary>
    public static int RefuseForEveryThread(IReadOnlyList<int> x8664Syscalls)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64) return Errno.ENOSYS;
        if (x8664Syscalls.Count > 200) throw new ArgumentOutOfRangeException(nameof(x8664Syscalls), "a jump offset is one byte");
        var program = new List<Instruction>
        {
            new(LoadWord, 0, 0, 4), // seccomp_data.arch
            new(JumpIfEqual, 1, 0, AuditArchX8664),
            new(Return, 0, 0, ReturnErrnoEperm),
            new(LoadWord, 0, 0, 0), // seccomp_data.nr
        };
        // Each test jumps to the final "refuse" when it matches: past the remaining tests and the "allow".
        var remaining = x8664Syscalls.Count + 1;
        program.Add(new(JumpIfGreaterOrEqual, (byte)remaining, 0, X32SyscallBit));
        foreach (var call in x8664Syscalls)
        {
            remaining--;
            program.Add(new(JumpIfEqual, (byte)remaining, 0, (uint)call));
        }

        program.Add(new(Return, 0, 0, ReturnAllow));
        program.Add(new(Return, 0, 0, ReturnErrnoEperm));

        var filter = program.ToArray();
        fixed (Instruction* instructions = filter)
        {
            var fprog = new Program { Length = (ushort)filter.Length, Filter = instructions };
            var rc = syscall(SysSeccomp, SeccompSetModeFilter, SeccompFilterFlagTsync, &fprog);
            // With TSYNC a positive result is the id of a thread that could not take the filter.
            return rc == 0 ? 0 : rc > 0 ? Errno.EBUSY : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>struct sock_filter.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Instruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K);

    /// <summary>struct sock_fprog.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Program
    {
        public ushort Length;
        public Instruction* Filter;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, nuint operation, nuint flags, void* args);
}
