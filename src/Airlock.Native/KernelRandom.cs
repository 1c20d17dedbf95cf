using System.Runtime.InteropServices;

namespace Airlock.Native;

/// <summary>
/// The guest kernel's random number generator after its memory was cloned (a microVM restored from a template
/// snapshot starts with the template's generator state, so every clone would draw the same numbers). Mixes a seed
/// from the host into the input pool, credited, and makes the kernel reseed its generator from the pool at once.
/// Needs CAP_SYS_ADMIN (the guest's init has it).
/// </summary>
public static unsafe class KernelRandom
{
    // _IOW('R', 0x03, int[2]) and _IO('R', 0x07) from <linux/random.h>.
    private const nuint AddEntropy = 0x4008_5203;
    private const nuint ReseedGenerator = 0x5207;

    /// <summary>Returns 0, or the errno of the step that failed.</summary>
    public static int Reseed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length is 0 or > 512) return Errno.EINVAL;
        var errno = NativeFs.Open("/dev/urandom", OpenFlags.WriteOnly, out var urandom);
        if (errno != 0) return errno;
        using (urandom)
        {
            var fd = (int)urandom.DangerousGetHandle();
            // struct rand_pool_info { int entropy_count (bits); int buf_size (bytes); __u32 buf[]; }
            var info = new byte[8 + seed.Length];
            BitConverter.TryWriteBytes(info.AsSpan(0, 4), seed.Length * 8);
            BitConverter.TryWriteBytes(info.AsSpan(4, 4), seed.Length);
            seed.CopyTo(info.AsSpan(8));
            fixed (byte* infoPointer = info)
            {
                if (Libc.ioctl(fd, AddEntropy, infoPointer) != 0) return Marshal.GetLastPInvokeError();
            }

            return Libc.ioctl(fd, ReseedGenerator, null) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }
}
