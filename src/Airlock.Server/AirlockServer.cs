using System.Reflection;
using Airlock.Core.Governance;
using Airlock.Audit;
using Airlock.Core.Images;
using Airlock.Mcp;
using Airlock.Server.Endpoints;
using Airlock.Server.Http;
using Airlock.Server.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Airlock.Server;

/// <summary>
/// The REST API (docs/api.md) over an <see cref="ISandboxOperations"/> and an <see cref="IImageStore"/>.
/// HTTP only: each route turns a request into one typed call; the engine behind knows nothing of HTTP.
/// </summary>
public static class AirlockServer
{
    public static string Version { get; } =
        typeof(AirlockServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Builds (does not start) the daemon's web application. The admin token file is created here when missing.</summary>
    /// <remarks>
    /// With <paramref name="governance"/> (the daemon), sandbox calls go through its policy and audit stage and the
    /// approval, policy and plan routes exist; without it (HTTP-layer tests) <paramref name="sandboxes"/> is used as is.
    /// Without <paramref name="access"/>, scoped tokens live beside the admin token, unaudited.
    /// </remarks>
    /// <param name="audit">The audit trail and its verifier; the <c>/v1/audit</c> routes exist only when given.</param>
    public static WebApplication Build(ServerOptions options, ISandboxOperations sandboxes, IImageStore images, GovernedSandboxOperations? governance = null, AuditTrail? audit = null, AccessControl? access = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!ListenAddress.TryParse(options.Listen, out var endpoint, out var error)) throw AirlockException.Invalid($"--listen: {error}");
        var token = AdminToken.LoadOrCreate(options.AdminTokenPath);
        access ??= AccessControl.Open(Path.GetDirectoryName(Path.GetFullPath(options.AdminTokenPath))!);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(AirlockServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(options.MinimumLogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Standard output belongs to the CLI's results; the daemon logs to standard error.
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint!);
            kestrel.AddServerHeader = false;
            // The global cap fits JSON routes; upload routes raise it for their own request (FileEndpoints).
            kestrel.Limits.MaxRequestBodySize = options.MaxJsonBodyBytes;
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(governance ?? sandboxes);
        if (governance is not null)
        {
            builder.Services.AddSingleton(governance);
            builder.Services.AddSingleton(governance.Approvals);
            builder.Services.AddSingleton(governance.Engine.Policies);
        }

        // The interpreter sits on the governed operations, so a cell is judged, held and audited as an exec is.
        builder.Services.AddSingleton<ICodeOperations>(governance is not null ? governance : new Core.Code.CodeInterpreter(sandboxes));
        builder.Services.AddSingleton(images);
        builder.Services.AddSingleton(sp => new Previews.PreviewRegistry(
            sp.GetRequiredService<ISandboxOperations>(), sp.GetRequiredService<TimeProvider>(), sp.GetService<Airlock.Audit.IAuditLog>()));
        builder.Services.TryAddSingleton(TimeProvider.System);
        if (audit is { } trail)
        {
            builder.Services.AddSingleton(trail.Log);
            builder.Services.AddSingleton(trail.Verifier);
        }

        builder.Services.AddSingleton(access);
        builder.Services.AddSingleton(access.Tokens);
        builder.Services.AddSingleton(access.Denials);
        builder.Services.AddSingleton(access.Failures);
        builder.Services.AddOpenApi("v1");
        builder.Services.AddAirlockMetrics();
        builder.Services.AddArtifactStore(options);
        builder.Services.AddAirlockMcp(services => new McpBackend
        {
            Sandboxes = governance ?? sandboxes,
            Code = services.GetService<ICodeOperations>(),
            Approvals = governance?.Approvals,
            Denials = access.Denials,
        }).WithHttpTransport();

        var app = builder.Build();
        if (audit is not null)
        {
            var bridge = Core.Telemetry.AuditMetricsBridge.Connect(audit.Log, app.Services.GetRequiredService<Core.Telemetry.AirlockMetrics>());
            app.Lifetime.ApplicationStopped.Register(bridge.Dispose);
        }

        if (options.RequestObserver is { } observe)
        {
            app.Use((context, next) =>
            {
                observe(context);
                return next(context);
            });
        }

        app.UseMiddleware<FailedAccessMiddleware>();
        app.UseMiddleware<ErrorMiddleware>();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseRouting();
        app.UseMiddleware<BearerAuthMiddleware>(token);
        app.UseMiddleware<ScopeMiddleware>();

        app.MapGet("/health", () => Results.Json(new Client.ServerHealth("ok", Version), Client.Wire.AirlockJson.Options))
            .WithName("Health")
            .AllowAnonymousCaller()
            .Produces<Client.ServerHealth>();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapAirlockMetrics(sandboxes); // behind the bearer token, see MetricsEndpoint

        var v1 = app.MapGroup("/v1");
        SandboxEndpoints.Map(v1, options);
        ExecEndpoints.Map(v1, options);
        ProcessEndpoints.Map(v1, options);
        CodeEndpoints.Map(v1, options);
        FileEndpoints.Map(v1, options);
        ImageEndpoints.Map(v1, options);
        TokenEndpoints.Map(v1, options);
        ArtifactEndpoints.Map(v1, options);
        TerminalEndpoints.Map(v1);
        PortEndpoints.Map(v1, options);
        PreviewEndpoints.Map(app);
        if (governance is not null)
        {
            ApprovalEndpoints.Map(v1, options);
            PolicyEndpoints.Map(v1, options);
            PlanEndpoints.Map(v1, options);
        }

        if (audit is not null) AuditEndpoints.Map(v1);

        // MCP (streamable HTTP): behind the same bearer tokens; each tool call checks its own scope (docs/mcp.md).
        app.MapMcp("/mcp").RequireScopePerCall().ExcludeFromDescription();
        return app;
    }
}
