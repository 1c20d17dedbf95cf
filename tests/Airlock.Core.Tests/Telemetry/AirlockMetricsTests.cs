using System.Diagnostics.Metrics;
using Airlock.Core.Telemetry;

namespace Airlock.Core.Tests.Telemetry;

public sealed class AirlockMetricsTests
{
    [Fact]
    public void TagValues_ThatAreNotShortLowercaseWords_AreFoldedToOther()
    {
        using var factory = new TestMeterFactory();
        var metrics = new AirlockMetrics(factory);
        var seen = new List<(string Instrument, string? Kind)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
            seen.Add((instrument.Name, tags.ToArray().FirstOrDefault(t => t.Key == "kind").Value as string)));
        listener.Start();

        metrics.RecordDenial(DenialKinds.Egress);
        metrics.RecordDenial("/workspace/secret.txt");
        metrics.RecordFailedAccess(new string('a', 33));

        Assert.Equal([("airlock.denials", "egress"), ("airlock.denials", "other"), ("airlock.failed_accesses", "other")], seen);
    }

    [Fact]
    public void SandboxGauge_ReportsZeroForStatesOfATierSeenBefore()
    {
        using var factory = new TestMeterFactory();
        var metrics = new AirlockMetrics(factory);
        var counts = new List<SandboxCount> { new("gvisor", SandboxState.Running, 2) };
        metrics.ObserveSandboxes(() => counts);
        var points = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "airlock.sandboxes") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(p => p.Key, p => (string)p.Value!);
            points[$"{t["tier"]}/{t["state"]}"] = value;
        });
        listener.Start();

        listener.RecordObservableInstruments();
        Assert.Equal(2, points["gvisor/running"]);
        Assert.Equal(0, points["gvisor/paused"]);

        counts.Clear();
        listener.RecordObservableInstruments();
        Assert.Equal(0, points["gvisor/running"]);
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Scope = this });
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
