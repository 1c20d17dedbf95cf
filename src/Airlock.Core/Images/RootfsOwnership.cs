using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Airlock.Core.Doctor;

namespace Airlock.Core.Images;

/// <summary>
/// Moves every file of a root filesystem from host ids to the sandbox range: uid u becomes
/// u + <see cref="HostIdRange.Base"/>, gid likewise. Root inside a sandbox is then an
/// unprivileged user outside, and still owns its image.
/// </summary>
internal static class RootfsOwnership
{
    // Why perl: .NET has no lchown, P/Invoke belongs in Airlock.Native only, and one chown process
    // per file takes minutes for 20k files. perl-base is Essential in Debian and its POSIX module
    // has lchown. One perl process walks the tree itself (byte-exact names, never following a
    // symbolic link) and shifts 10k files in about 0.2 s.
    // - lchown, never chown: a symbolic link pointing at /etc/shadow must not hand the host's file away.
    // - (dev, inode) is remembered: a hard link seen twice must not be shifted twice.
    // - chown clears setuid/setgid, so the mode is put back (passwd, su, mount stay setuid).
    // File capabilities (security.capability) are also cleared by chown and are not restored;
    // nothing in the default image has any.
    private const string Script = """
        use strict; use warnings; use POSIX (); use Fcntl qw(:mode);
        my ($root, $base) = @ARGV; my (%seen, $count);
        sub shift_one {
            my ($path) = @_;
            my @st = lstat($path) or die "lstat $path: $!\n";
            if (!$seen{"$st[0]:$st[1]"}++) {
                POSIX::lchown($st[4] + $base, $st[5] + $base, $path) or die "lchown $path: $!\n";
                if (!S_ISLNK($st[2]) && ($st[2] & (S_ISUID | S_ISGID))) { chmod(S_IMODE($st[2]), $path) or die "chmod $path: $!\n"; }
                $count++;
            }
            return S_ISDIR($st[2]);
        }
        sub walk {
            my ($dir) = @_;
            opendir(my $handle, $dir) or die "opendir $dir: $!\n";
            my @names = grep { $_ ne '.' && $_ ne '..' } readdir($handle);
            closedir($handle);
            for my $name (@names) { my $path = "$dir/$name"; walk($path) if shift_one($path); }
        }
        walk($root) if shift_one($root);
        print "$count\n";
        """;

    /// <summary>Shifts the tree and returns how many inodes it changed.</summary>
    public static async Task<long> ShiftAsync(string root, uint offset, CancellationToken cancellationToken)
    {
        var perl = HostCommand.Find("perl")
            ?? throw AirlockException.Unavailable("perl is not installed (Debian's perl-base); it is needed to hand image files to the sandbox id range");
        var start = new ProcessStartInfo(perl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-e", Script, "--", root, offset.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(argument);
        start.Environment["LC_ALL"] = "C";

        using var process = Process.Start(start) ?? throw new Win32Exception("Process.Start returned null");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new AirlockException(AirlockErrorKind.Internal, $"shifting the owner of the files under {root} failed: {(await stderr).Trim()}");
        }

        return long.Parse((await stdout).Trim(), CultureInfo.InvariantCulture);
    }
}
