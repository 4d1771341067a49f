using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace UnrolledGan.Grains.Tests;

/// <summary>
/// What the UnrolledGan meter of one meter factory (one silo's, or a test's own) reports: the latest observed value of
/// each observable instrument, and every histogram sample with its outcome tag. Other silos in the process are not heard.
/// </summary>
internal sealed class MeterReadings : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, double> _observed = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, string? Outcome)> _samples = new();

    public MeterReadings(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TelemetryNames.Meter && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The value an observable instrument reports now; null when it reports nothing.</summary>
    public double? Observe(string instrument)
    {
        _observed.TryRemove(instrument, out _);
        _listener.RecordObservableInstruments();
        return _observed.TryGetValue(instrument, out double value) ? value : null;
    }

    public IReadOnlyList<(double Seconds, string? Outcome)> Samples(string instrument) =>
        _samples.Where(s => s.Instrument == instrument).Select(s => (s.Value, s.Outcome)).ToArray();

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument.IsObservable)
        {
            _observed[instrument.Name] = value;
            return;
        }
        string? outcome = null;
        foreach (var tag in tags)
        {
            outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
        }
        _samples.Enqueue((instrument.Name, value, outcome));
    }

    public void Dispose() => _listener.Dispose();
}
