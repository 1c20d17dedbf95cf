using System.Text.RegularExpressions;
using Airlock.Core;

namespace Airlock.Backends.Runc;

/// <summary>
/// Every host name a sandbox uses, derived from its id alone, so DestroyAsync can find all of it after
/// a crash with no other state:
/// <code>
/// {sandboxes}/{id}/            0711 root   (the mapped root must traverse it)
///   disk.img                   sparse ext4 image of DiskBytes: the quota
///   disk/                      loop mount of disk.img (nosuid,nodev)
///     upper/  work/            overlay upper and work dirs (same fs, as overlay requires)
///     run/                     agent socket dir, bind-mounted at /run/airlock (inside the quota)
///     empty                    0444 empty file bound read-only over files a policy hides (only then)
///   rootfs/                    overlay: image rootfs (lower) + disk/upper
///   bundle/config.json         OCI spec;  bundle/init.pid, bundle/runc.log
/// runc container "airlock-{id}", cgroup "/airlock/{id}"
/// </code>
/// </summary>
internal sealed partial record SandboxLayout
{
    public const string ContainerPrefix = "airlock-";

    /// <summary>The kernel limit of sockaddr_un.sun_path, including the terminating NUL.</summary>
    private const int MaxSocketPath = 107;

    private SandboxLayout(string id, string directory)
    {
        Id = id;
        Directory = directory;
    }

    public string Id { get; }

    public string Directory { get; }

    public string ContainerId => ContainerPrefix + Id;

    public string CgroupsPath => "/airlock/" + Id;

    public string DiskImage => Path.Combine(Directory, "disk.img");

    public string DiskMount => Path.Combine(Directory, "disk");

    public string Upper => Path.Combine(DiskMount, "upper");

    public string Work => Path.Combine(DiskMount, "work");

    public string SocketDirectory => Path.Combine(DiskMount, "run");

    public string EmptyFile => Path.Combine(DiskMount, "empty");

    public string AgentSocket => Path.Combine(SocketDirectory, Oci.AgentContract.SocketFileName);

    public string Rootfs => Path.Combine(Directory, "rootfs");

    public string Bundle => Path.Combine(Directory, "bundle");

    public string PidFile => Path.Combine(Bundle, "init.pid");

    public string RuncLog => Path.Combine(Bundle, "runc.log");

    public static SandboxLayout For(AirlockPaths paths, string id)
    {
        if (!IdPattern().IsMatch(id))
        {
            throw new ArgumentException($"invalid sandbox id '{id}': use 1-64 of [A-Za-z0-9_.-], starting with a letter or digit", nameof(id));
        }

        var layout = new SandboxLayout(id, Path.GetFullPath(paths.SandboxDirectory(id)));
        return layout;
    }

    /// <summary>Overlay options are comma/colon separated and a socket path is bounded; refuse names that would be misparsed or truncated.</summary>
    public void ValidateForCreate(string imageRootfs)
    {
        foreach (var path in new[] { imageRootfs, Upper, Work })
        {
            if (path.AsSpan().IndexOfAny(",:\\\n") >= 0)
            {
                throw new ArgumentException($"path cannot be used in an overlay mount (contains , : or \\): {path}");
            }
        }

        if (AgentSocket.Length > MaxSocketPath)
        {
            throw new ArgumentException($"agent socket path is longer than {MaxSocketPath} bytes, use a shorter data directory: {AgentSocket}");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex IdPattern();
}
