using System.Security.Cryptography;
using Airlock.RedTeam.Host;
using Airlock.RedTeam.Model;

namespace Airlock.RedTeam.Cases.Filesystem;

/// <summary>
/// Reading the host: its files, environment, processes, kernel memory and symbols, logs and hardware identity.
/// Every secret searched for exists only on the host (planted markers, the host's own kcore header, kallsyms
/// addresses, dmesg lines, NIC addresses), so the verdict is a string match the sandbox cannot fake.
/// </summary>
internal static class LeakSearches
{
    public static IEnumerable<IAttackCase> All()
    {
        yield return Leak("host-files-read", "cat the host marker files at their host paths (given to the attacker), search / for their names, and read them via /proc/*/root",
            c => $"for f in {string.Join(' ', c.Markers.Files)}; do cat $f; cat /proc/1/root$f; done 2>&1; timeout 20 find / -xdev -name 'airlock-redteam-*' 2>/dev/null | head -20 | while read f; do cat $f/secret.txt; done; echo searched");
        yield return Leak("host-files-write", "write over the host marker files and create files beside them, at their host paths",
            c => $"for f in {string.Join(' ', c.Markers.Files)}; do echo pwned > $f; echo pwned > $(dirname $f)/dropped; done 2>&1; echo done");
        yield return Leak("host-environment", "dump the environment of every process it can see (env, /proc/*/environ) looking for the engine's",
            _ => "env; for p in /proc/[0-9]*; do tr '\\0' '\\n' < $p/environ; done 2>/dev/null; echo done");
        yield return Leak("host-process-list", "list processes (ps, /proc/*/cmdline, /proc/*/status) looking for host ones",
            _ => "ps auxww 2>&1; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline; echo; done 2>/dev/null; ls /proc | head -50");
        yield return new ScriptAttack
        {
            Category = Categories.Filesystem,
            Name = "proc-kcore",
            Attempts = "read /proc/kcore's first page (the kernel memory image header); host: the hash of its own never appears",
            Script = _ => "head -c 4096 /proc/kcore | sha256sum; ls -l /proc/kcore",
            HostSecrets = _ => HostFiles.Head("/proc/kcore", 4096) is { Length: 4096 } head ? [(Convert.ToHexStringLower(SHA256.HashData(head)), "the host's /proc/kcore header")] : [],
        };
        yield return new ScriptAttack
        {
            Category = Categories.Filesystem,
            Name = "proc-kallsyms",
            Attempts = "read /proc/kallsyms for kernel addresses (KASLR defeat); host: none of its real symbol addresses appears",
            Script = _ => "grep -E ' (T|t) (_stext|startup_64|commit_creds|prepare_kernel_cred|do_syscall_64)$' /proc/kallsyms; head -3 /proc/kallsyms",
            HostSecrets = _ => KallsymsAddresses(),
        };
        yield return new ScriptAttack
        {
            Category = Categories.Filesystem,
            Name = "dmesg",
            Attempts = "read the kernel log (dmesg, /dev/kmsg, syslog(2)); host: none of its own recent log lines appears (gVisor shows its own, the microVM its guest's)",
            Script = _ => "dmesg 2>&1 | tail -50; head -c 4096 /dev/kmsg 2>&1; tail -20 /var/log/kern.log 2>&1",
            HostSecrets = _ => DmesgLines(),
        };
        yield return new ScriptAttack
        {
            Category = Categories.Filesystem,
            Name = "sys-identity",
            Attempts = "read the machine's identity from /sys and /etc (DMI uuid/serial, NIC MAC addresses, machine-id); host: none of its values appears",
            Script = _ => "cat /sys/class/dmi/id/product_uuid /sys/class/dmi/id/product_serial /sys/class/dmi/id/board_serial 2>&1; cat /sys/class/net/*/address 2>&1; cat /etc/machine-id /var/lib/dbus/machine-id 2>&1; ls /sys/firmware 2>&1",
            HostSecrets = _ => HostIdentity(),
        };
    }

    private static ScriptAttack Leak(string name, string attempts, Func<CaseContext, string> script) => new()
    {
        Category = Categories.Filesystem,
        Name = name,
        Attempts = attempts,
        Script = script,
    };

    private static IReadOnlyList<(string, string)> KallsymsAddresses()
    {
        var wanted = new HashSet<string> { "_stext", "startup_64", "commit_creds", "prepare_kernel_cred", "do_syscall_64" };
        return [.. (HostFiles.ReadText("/proc/kallsyms") ?? "").Split('\n')
            .Select(l => l.Split(' '))
            .Where(f => f.Length >= 3 && wanted.Contains(f[2]) && f[0].Trim('0').Length > 0)
            .Select(f => (f[0], $"the host kernel's address of {f[2]}"))];
    }

    private static IReadOnlyList<(string, string)> DmesgLines()
    {
        var log = HostCommand.OutputAsync("dmesg", [], CancellationToken.None).GetAwaiter().GetResult() ?? "";
        return [.. log.Split('\n').Where(l => l.Length > 40).TakeLast(15).Select(l => (l.Trim(), "a line of the host's kernel log"))];
    }

    private static IReadOnlyList<(string, string)> HostIdentity()
    {
        var values = new List<(string, string)>();
        foreach (var file in new[] { "/sys/class/dmi/id/product_uuid", "/sys/class/dmi/id/product_serial", "/etc/machine-id" })
        {
            if (HostFiles.ReadText(file)?.Trim() is { Length: >= 8 } value) values.Add((value, $"the host's {file}"));
        }

        if (Directory.Exists("/sys/class/net"))
        {
            foreach (var nic in Directory.GetDirectories("/sys/class/net"))
            {
                if (HostFiles.ReadText(Path.Combine(nic, "address"))?.Trim() is { Length: 17 } mac && mac != "00:00:00:00:00:00") values.Add((mac, $"the host's MAC address of {Path.GetFileName(nic)}"));
            }
        }

        return values;
    }
}
