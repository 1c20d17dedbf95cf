using System.Globalization;
using System.Threading.Channels;
using Airlock.Access;
using Airlock.Audit;
using Airlock.Policy;

namespace Airlock.Core.Anomalies;

/// <summary>
/// Anomaly detection over the audit stream and the sandboxes' resource use: counts each sandbox's events per counter
/// (<see cref="AnomalyCounters"/>) in sliding windows, follows its resource gauges (<see cref="AnomalyGauges"/>, fed by
/// <see cref="ResourceSampler"/>) over time, and when a rule of its policy (or a default, <see cref="AnomalyDefaults"/>)
/// is met, appends an <c>anomaly</c> alert to the audit trail and carries out the rule's response (pause, kill, revoke).
/// A rule fires at most once per window per sandbox. Records and samples are handed over through one bounded queue,
/// read by one loop, so a slow response never holds up the audit writer and the per-sandbox state needs no lock.
/// </summary>
public sealed class AnomalyMonitor : IAsyncDisposable
{
    private readonly IAuditLog _audit;
    private readonly Func<string, CancellationToken, Task<SandboxPolicy?>> _policyOf;
    private readonly IAnomalyResponder _responder;
    private readonly Channel<object> _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(65_536) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
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

    /// <summary>Queues one sample of a sandbox's gauges for the rules that watch them.</summary>
    public void Observe(GaugeSample sample) => _queue.Writer.TryWrite(sample);

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
        var watch = await WatchAsync(id, cancellationToken);
        var now = record.Time;
        foreach (var counter in counters) watch.Count(counter).Add(now);
        foreach (var rule in watch.Rules.Where(r => counters.Contains(r.When.Counter)))
        {
            var count = watch.Count(rule.When.Counter);
            var value = count.CountSince(now, rule.When.Window);
            if (!rule.When.IsMetBy(value) || !watch.MayFire(rule, now)) continue;
            await FireAsync(id, rule, value.ToString(CultureInfo.InvariantCulture), cancellationToken);
        }

        foreach (var counter in counters) watch.Count(counter).Prune(now, watch.LongestWindow);
    }

    /// <summary>
    /// Follows each gauge rule over samples: it fires once every sample for its <c>for</c> duration met it (one
    /// sample below the threshold starts the wait again), so a short spike never pauses a sandbox.
    /// </summary>
    internal async Task ObserveAsync(GaugeSample sample, CancellationToken cancellationToken)
    {
        var watch = await WatchAsync(sample.SandboxId, cancellationToken);
        foreach (var rule in watch.Rules)
        {
            if (!sample.Values.TryGetValue(rule.When.Counter, out var value)) continue;
            if (!watch.IsHeld(rule, rule.When.IsMetBy(value), sample.Time, rule.When.Sustained ?? TimeSpan.Zero)) continue;
            if (!watch.MayFire(rule, sample.Time)) continue;
            await FireAsync(sample.SandboxId, rule, value.ToString("0.#", CultureInfo.InvariantCulture), cancellationToken);
        }
    }

    private async Task<SandboxWatch> WatchAsync(string id, CancellationToken cancellationToken)
    {
        if (_sandboxes.TryGetValue(id, out var watch)) return watch;
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
        return watch;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        CallerContext.Set(Caller.System);
        await foreach (var item in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                if (item is AuditRecord record) await ObserveAsync(record, cancellationToken);
                else if (item is GaugeSample sample) await ObserveAsync(sample, cancellationToken);
            }
            catch (Exception e) when (e is AirlockException or IOException or InvalidOperationException)
            {
                // One failed response (the sandbox went away meanwhile) must not stop the monitor.
            }
        }
    }

    private async Task FireAsync(string sandboxId, AnomalyRule rule, string value, CancellationToken cancellationToken)
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
                ["value"] = value,
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
        private readonly Dictionary<AnomalyRule, DateTimeOffset> _heldSince = [];

        public IReadOnlyList<AnomalyRule> Rules { get; } = rules;

        public TimeSpan LongestWindow { get; } = rules.Select(r => r.When.Window ?? TimeSpan.Zero).DefaultIfEmpty().Max();

        public SlidingCount Count(string counter)
        {
            if (!_counts.TryGetValue(counter, out var count)) _counts[counter] = count = new SlidingCount();
            return count;
        }

        /// <summary>Whether a gauge rule's condition, true now, has been true at every sample for <paramref name="duration"/>.</summary>
        public bool IsHeld(AnomalyRule rule, bool met, DateTimeOffset now, TimeSpan duration)
        {
            if (!met)
            {
                _heldSince.Remove(rule);
                return false;
            }

            if (!_heldSince.TryGetValue(rule, out var since)) _heldSince[rule] = since = now;
            return now - since >= duration;
        }

        /// <summary>
        /// Once per window (once per minute for rules without one, and for a gauge at most once per minute or per its
        /// duration), so an ongoing burst or a pinned CPU raises one alert, not thousands.
        /// </summary>
        public bool MayFire(AnomalyRule rule, DateTimeOffset now)
        {
            var minute = TimeSpan.FromMinutes(1);
            var cooldown = rule.When.Window ?? (rule.When.Sustained is { } held && held > minute ? held : minute);
            if (_fired.TryGetValue(rule, out var last) && now - last < cooldown) return false;
            _fired[rule] = now;
            return true;
        }
    }
}
