using Microsoft.AspNetCore.Builder;

namespace Airlock.Server.Http;

/// <summary><c>.RequireScope(Scopes.FilesRead)</c> and <c>.AllowAnonymousCaller()</c> on route builders.</summary>
internal static class AccessRequirementExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRequirement(scope));

    public static TBuilder AllowAnonymousCaller<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRequirement(null, Anonymous: true));
}
