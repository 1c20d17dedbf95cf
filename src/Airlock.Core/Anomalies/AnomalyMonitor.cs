using System.Globalization;
using System.Threading.Channels;
using Airlock.Access;
using Airlock.Audit;
using Airlock.Policy;

namespace Airlock.Core.Anomalies;

/// <summary>
/// Anomaly detection over the audit stream: counts each sandbox's events per counter (<see cref="AnomalyCounters"/>)
/// in sliding windows, and when a rule of its policy (or a default, <see cref="AnomalyDefaults"/>) is met, appends an
/// <c>anomaly</c> alert to the audit trail and carries out the rule's response (pause, kill, revoke). A rule fires at
/// most once per window per sandbox. Records are handed over through a bounded queue, so a slow response never
/// holds up the audit writer.
/// </summary>
public sealed class AnomalyMonitor : IAsyncDisposable
{
    private readonly IAuditLog _audit;
    private readonly Func<string, CancellationToken, Task<SandboxPolicy?>> _policyOf;
    private readonly IAnomalyResponder _responder;
    private readonly Channel<AuditRecord> _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(65_536) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Dictionary<string, SandboxWatch> _sandboxes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _subscription;
    private Task? _loop;

    public AnomalyMonitor(IAuditLog audit, Func<string, CancellationToken, Task<SandboxPolicy?>> policyOf, IAnomalyResponder responder)
    {
        _audit = audit;
        _policyOf = policyOf;
        _responder = responder;
    }

    /// <summary>Alerts raised so far (for metrics and tests).</summary>
    public int Alerts { get; private set; }

    public void Start()
    {
        _subscription = _audit.Subscribe(record => _queue.Writer.TryWrite(record));
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stopping.Dispose();
    }

    /// <summary>Counts one record and responds to every rule it makes true.</summary>
    internal async Task ObserveAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        if (record.Event.SandboxId is not { } id) return;
        if (record.Event.Kind == AuditKinds.SandboxDestroyed)
        {
            _sandboxes.Remove(id);
            return;
        }

        var counters = AnomalyCounters.Of(record.Event).ToList();
        if (counters.Count == 0) return;
        if (!_sandboxes.TryGetValue(id, out var watch))
        {
            SandboxPolicy? policy = null;
            try
            {
                policy = await _policyOf(id, cancellationToken);
            }
            catch (AirlockException)
            {
                // Gone already, or never created: its defaults still apply.
            }

            watch = new SandboxWatch(AnomalyDefaults.For(policy));
            _sandboxes[id] = watch;
        }

        var now = record.Time;
        foreach (var counter in counters) watch.Count(counter).Add(now);
        foreach (var rule in watch.Rules.Where(r => counters.Contains(r.When.Counter)))
        {
            var count = watch.Count(rule.When.Counter);
            var value = count.CountSince(now, rule.When.Window);
            if (!rule.When.IsMetBy(value) || !watch.MayFire(rule, now)) continue;
            await FireAsync(id, rule, value, cancellationToken);
        }

        foreach (var counter in counters) watch.Count(counter).Prune(now, watch.LongestWindow);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        CallerContext.Set(Caller.System);
        await foreach (var record in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                await ObserveAsync(record, cancellationToken);
            }
            catch (Exception e) when (e is AirlockException or IOException or InvalidOperationException)
            {
                // One failed response (the sandbox went away meanwhile) must not stop the monitor.
            }
        }
    }

    private async Task FireAsync(string sandboxId, AnomalyRule rule, long value, CancellationToken cancellationToken)
    {
        Alerts++;
        var action = rule.Then.ToString().ToLowerInvariant();
        await _audit.AppendAsync(new AuditEvent
        {
            Kind = AuditKinds.Anomaly,
            Actor = Caller.System.Actor,
            Outcome = AuditOutcomes.Alert,
            SandboxId = sandboxId,
            Details = new Dictionary<string, string>
            {
                ["rule"] = $"{rule.When.Text} -> {action}",
                ["counter"] = rule.When.Counter,
                ["value"] = value.ToString(CultureInfo.InvariantCulture),
                ["response"] = action,
            },
        }, cancellationToken);
        await _responder.RespondAsync(sandboxId, rule.Then, cancellationToken);
    }

    /// <summary>One sandbox's counters, rules and when each rule last fired.</summary>
    private sealed class SandboxWatch(IReadOnlyList<AnomalyRule> rules)
    {
        private readonly Dictionary<string, SlidingCount> _counts = new(StringComparer.Ordinal);
        private readonly Dictionary<AnomalyRule, DateTimeOffset> _fired = [];

        public IReadOnlyList<AnomalyRule> Rules { get; } = rules;

        public TimeSpan LongestWindow { get; } = rules.Select(r => r.When.Window ?? TimeSpan.Zero).DefaultIfEmpty().Max();

        public SlidingCount Count(string counter)
        {
            if (!_counts.TryGetValue(counter, out var count)) _counts[counter] = count = new SlidingCount();
            return count;
        }

        /// <summary>Once per window (once per minute for rules without one), so an ongoing burst raises one alert, not thousands.</summary>
        public bool MayFire(AnomalyRule rule, DateTimeOffset now)
        {
            var cooldown = rule.When.Window ?? TimeSpan.FromMinutes(1);
            if (_fired.TryGetValue(rule, out var last) && now - last < cooldown) return false;
            _fired[rule] = now;
            return true;
        }
    }
}
