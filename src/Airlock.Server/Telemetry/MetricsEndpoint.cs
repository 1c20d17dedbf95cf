using System.Diagnostics.Metrics;
using Airlock.Core.Approvals;
using Airlock.Core.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace Airlock.Server.Telemetry;

/// <summary>
/// <c>GET /metrics</c>: the "Airlock" meter in Prometheus text format, through OpenTelemetry's exporter.
/// It is behind the bearer token like every route but /health: the series carry tiers and kinds of
/// denials today and may carry sandbox labels tomorrow, which are not for anonymous readers.
/// Prometheus sends the token with <c>authorization: { credentials_file: .../admin.token }</c>.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IServiceCollection AddAirlockMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AirlockMetrics>();
        services.TryAddSingleton<ExecMetering>();
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(AirlockMetrics.MeterName);
            // OpenTelemetry picks meters by name, process-wide; two daemons in one process (tests) would read
            // each other's "Airlock" meter. Keep only the one this daemon's own IMeterFactory made.
            ((IDeferredMeterProviderBuilder)metrics).Configure(static (provider, builder) =>
            {
                var own = provider.GetRequiredService<IMeterFactory>();
                builder.AddView(instrument => ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop);
            });
            // No response cache: a scrape right after an exec must see it (the exporter caches 300 ms by default).
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
        });
        return services;
    }

    /// <summary>
    /// Maps the scrape route and feeds the sandbox gauge from <paramref name="sandboxes"/> (the engine itself, not the
    /// governed view: a scrape is no caller's action to judge or audit) and the approvals gauge from the broker, if any.
    /// </summary>
    public static void MapAirlockMetrics(this WebApplication app, ISandboxOperations sandboxes)
    {
        var metrics = app.Services.GetRequiredService<AirlockMetrics>();
        metrics.ObserveSandboxes(SandboxCensus.Of(sandboxes));
        if (app.Services.GetService<ApprovalBroker>() is { } approvals)
        {
            // Read synchronously at scrape time, like the sandbox census: one SQLite query.
            metrics.ObservePendingApprovals(() => approvals.ListAsync(pendingOnly: true).GetAwaiter().GetResult().Count);
        }

        app.MapPrometheusScrapingEndpoint(Path).WithName("Metrics");
    }
}
