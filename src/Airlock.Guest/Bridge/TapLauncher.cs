using System.Globalization;
using Airlock.Native;

namespace Airlock.Guest.Bridge;

/// <summary>
/// <c>airlock-agent tap-exec TAP FD -- PROGRAM [ARG...]</c>, on the host, as root, inside a microVM sandbox's network
/// namespace: attaches to tap device TAP, leaves it open at descriptor FD and execs PROGRAM (the rest of the VMM's
/// launch chain, which drops every privilege before QEMU runs; QEMU gets <c>-netdev tap,fd=FD</c>). The VMM never
/// opens <c>/dev/net/tun</c> itself, which is root-only on many hosts.
/// </summary>
internal static class TapLauncher
{
    public const string Usage = "airlock-agent tap-exec TAP FD -- PROGRAM [ARG...]";

    /// <summary>Returns only on failure: 2 for a bad command line, 1 when the tap or the exec failed (said on stderr).</summary>
    public static int Run(string[] args)
    {
        if (args is not ["tap-exec", var tap, var fdText, "--", _, ..]
            || !int.TryParse(fdText, NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd < 3 || fd > 1023)
        {
            Console.Error.WriteLine("usage: " + Usage + " (FD from 3 to 1023, not open yet)");
            return 2;
        }

        if (TapDevice.Attach(tap, fd) is var attachError and not 0)
        {
            Console.Error.WriteLine($"airlock-agent tap-exec: cannot attach to tap {tap}: {Errno.Message(attachError)}");
            return 1;
        }

        var exec = NativeProcess.Exec(args[4..]);
        Console.Error.WriteLine($"airlock-agent tap-exec: cannot run {args[4]}: {Errno.Message(exec)}");
        return 1;
    }
}
