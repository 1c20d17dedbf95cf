using System.ComponentModel;
using System.Diagnostics;

namespace Airlock.Core.Doctor;

/// <summary>Finds and runs host programs (runc, mmdebstrap, perl, ...) with a time limit.</summary>
internal static class HostCommand
{
    // sudo and some service managers hand root a PATH without the sbin directories, where runc,
    // nft and mkfs.ext4 live on Debian.
    private static readonly string[] FallbackDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>The full path of an executable named <paramref name="name"/> on PATH (or in the sbin directories), or null.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var directories = path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(FallbackDirectories);
        foreach (var directory in directories)
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs a program to completion; a missing program or a timeout gives exit code -1 with the reason on stderr.</summary>
    public static CommandResult Run(string file, IReadOnlyList<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["LC_ALL"] = "C";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception($"could not start {file}");
        }
        catch (Win32Exception e)
        {
            return new CommandResult(-1, "", e.Message);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(10)))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited between the timeout and the kill.
                }

                process.WaitForExit();
                return new CommandResult(-1, "", $"{file} did not finish in time");
            }

            process.WaitForExit();
            return new CommandResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
        }
    }
}
