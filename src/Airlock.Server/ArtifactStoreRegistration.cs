using Airlock.Artifacts;
using Airlock.Core;
using Airlock.Core.Artifacts;
using Microsoft.Extensions.DependencyInjection;

namespace Airlock.Server;

internal static class ArtifactStoreRegistration
{
    /// <summary>The store in <see cref="ServerOptions.DataDirectory"/> (default: beside the admin token), made on first use.</summary>
    public static IServiceCollection AddArtifactStore(this IServiceCollection services, ServerOptions options)
    {
        var data = options.DataDirectory ?? Path.GetDirectoryName(Path.GetFullPath(options.AdminTokenPath))!;
        services.AddSingleton<IArtifactStore>(provider =>
            new ArtifactStore(new AirlockPaths(data), options.MaxArtifactBytes, provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
