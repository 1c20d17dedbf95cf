namespace Airlock.RedTeam.Host;

/// <summary>
/// What the host kernel says about one process: its host uids, tracer, namespaces, mount table size, the
/// kernel objects its descriptors hold and the raw/packet/unknown-family sockets of its network namespace.
/// Read from /proc on the host, so the process cannot lie about them.
/// </summary>
internal sealed record ProcessFacts
{
    /// <summary>Descriptor targets that mean a refused kernel facility was reached (bpf, perf, io_uring, userfaultfd).</summary>
    public static readonly string[] WatchedAnonInodes = ["bpf-map", "bpf-prog", "[perf_event]", "[io_uring]", "[userfaultfd]", "bpf_link"];

    private static readonly string[] NamespaceKinds = ["user", "mnt", "net", "pid", "ipc", "uts", "cgroup"];

    private static readonly string[] SocketTables = ["tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "unix", "raw", "raw6", "packet", "netlink", "icmp", "icmp6"];

    public required int Pid { get; init; }

    public required string Comm { get; init; }

    public required int RealUid { get; init; }

    public required int EffectiveUid { get; init; }

    public required int TracerPid { get; init; }

    public required IReadOnlyDictionary<string, string> Namespaces { get; init; }

    public required int Mounts { get; init; }

    /// <summary>Watched anonymous-inode descriptors, by kind.</summary>
    public required IReadOnlyList<string> AnonInodes { get; init; }

    public required int RawSockets { get; init; }

    public required int PacketSockets { get; init; }

    /// <summary>Socket descriptors found in none of the inet/unix/raw/packet/netlink tables: AF_ALG, AF_VSOCK, ...</summary>
    public required int OtherFamilySockets { get; init; }

    /// <summary>The facts of <paramref name="pid"/>, or null when it has exited.</summary>
    public static ProcessFacts? Read(int pid)
    {
        var status = HostFiles.ReadText($"/proc/{pid}/status");
        if (status is null) return null;
        var uids = Field(status, "Uid").Split('\t', StringSplitOptions.RemoveEmptyEntries);
        var namespaces = new Dictionary<string, string>();
        foreach (var kind in NamespaceKinds)
        {
            if (Link($"/proc/{pid}/ns/{kind}") is { } target) namespaces[kind] = target;
        }

        var (sockets, anon) = Descriptors(pid);

        var known = new HashSet<string>();
        int raw = 0, packet = 0;
        foreach (var table in SocketTables)
        {
            var lines = Table(pid, table);
            if (table is "raw" or "raw6") raw += lines.Count;
            if (table is "packet") packet += lines.Count;
            foreach (var line in lines)
            {
                foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (sockets.Contains(word)) known.Add(word);
                }
            }
        }

        // The agent's exec connections are accepted from the host's side of its socket, so they are listed in
        // the host's network namespace (this process's) unix table, not the sandbox's. Read it only when needed:
        // on a busy host it is long, and a slow census misses short-lived attacks.
        if (sockets.Count > known.Count)
        {
            foreach (var word in Table(Environment.ProcessId, "unix").SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            {
                if (sockets.Contains(word)) known.Add(word);
            }
        }

        // A socket closed between the descriptor walk and the table reads is in no table: only one the process still
        // holds afterwards is of another family (QEMU's and the agent's connections come and go while a census runs).
        var otherFamily = sockets.Count == known.Count ? 0 : Descriptors(pid).Sockets.Count(s => sockets.Contains(s) && !known.Contains(s));
        var mounts = HostFiles.ReadText($"/proc/{pid}/mountinfo")?.Count(c => c == '\n') ?? 0;
        return new ProcessFacts
        {
            Pid = pid,
            Comm = HostFiles.ReadText($"/proc/{pid}/comm")?.Trim() ?? "?",
            RealUid = uids.Length > 0 && int.TryParse(uids[0], out var r) ? r : -1,
            EffectiveUid = uids.Length > 1 && int.TryParse(uids[1], out var e2) ? e2 : -1,
            TracerPid = int.TryParse(Field(status, "TracerPid"), out var t) ? t : 0,
            Namespaces = namespaces,
            Mounts = mounts,
            AnonInodes = anon,
            RawSockets = raw,
            PacketSockets = packet,
            OtherFamilySockets = otherFamily,
        };
    }

    /// <summary>The socket inodes and watched anonymous-inode kinds among <paramref name="pid"/>'s descriptors.</summary>
    private static (HashSet<string> Sockets, List<string> AnonInodes) Descriptors(int pid)
    {
        var sockets = new HashSet<string>();
        var anon = new List<string>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                var target = Link(fd);
                if (target is null) continue;
                if (target.StartsWith("socket:[", StringComparison.Ordinal)) sockets.Add(target[8..^1]);
                else if (target.StartsWith("anon_inode:", StringComparison.Ordinal) && WatchedAnonInodes.Contains(target[11..])) anon.Add(target[11..]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return (sockets, anon);
    }

    private static List<string> Table(int pid, string table) =>
        HostFiles.ReadText($"/proc/{pid}/net/{table}")?.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList() ?? [];

    private static string Field(string status, string key)
    {
        foreach (var line in status.Split('\n'))
        {
            if (line.StartsWith(key + ":", StringComparison.Ordinal)) return line[(key.Length + 1)..].Trim();
        }

        return "";
    }

    private static string? Link(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
