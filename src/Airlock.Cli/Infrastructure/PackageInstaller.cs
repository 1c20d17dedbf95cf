using Airlock.Oci;

namespace Airlock.Cli.Infrastructure;

/// <summary>apt-get, non-interactively, for <c>doctor --fix</c>: refresh the lists, then install exactly the named packages.</summary>
internal static class PackageInstaller
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);

    public static void Install(IReadOnlyList<string> packages)
    {
        Environment.SetEnvironmentVariable("DEBIAN_FRONTEND", "noninteractive");
        Run(["update", "-q"]);
        Run(["install", "-y", "-q", "--no-install-recommends", .. packages]);
    }

    private static void Run(IReadOnlyList<string> args)
    {
        Airlock.Oci.CommandResult result;
        try
        {
            result = HostCommand.RunAsync("apt-get", args, Limit).GetAwaiter().GetResult();
        }
        catch (HostCommandException e)
        {
            throw new AirlockException(AirlockErrorKind.Unavailable, $"doctor --fix needs apt-get (Debian): {e.Message}");
        }

        if (!result.Succeeded)
        {
            throw new AirlockException(AirlockErrorKind.Unavailable, $"apt-get {string.Join(' ', args)} failed: {result.Message}");
        }
    }
}
