using Microsoft.AspNetCore.Builder;

namespace Airlock.Server.Http;

/// <summary><c>.RequireScope(Scopes.FilesRead)</c>, <c>.RequireScopePerCall()</c> and <c>.AllowAnonymousCaller()</c> on route builders.</summary>
internal static class AccessRequirementExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRequirement(scope));

    /// <summary>Any authenticated caller; the endpoint authorizes each call it carries (MCP tools).</summary>
    public static TBuilder RequireScopePerCall<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRequirement(null, PerCall: true));

    public static TBuilder AllowAnonymousCaller<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRequirement(null, Anonymous: true));
}
