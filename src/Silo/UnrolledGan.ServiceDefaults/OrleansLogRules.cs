using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace UnrolledGan.ServiceDefaults;

/// <summary>
/// Two kinds of Orleans log event that mislead more than they tell, each handled where it enters our log, so that
/// every other event, Orleans' real warnings and errors included, passes as it was written.
/// </summary>
public static class OrleansLogRules
{
    private const string Watchdog = "Orleans.Runtime.Watchdog";
    private const string ParticipantCheckStalled = "Participant check thread has not completed for ";

    private static readonly DateTimeOffset ProcessStarted = new(Process.GetCurrentProcess().StartTime);

    /// <summary>
    /// Orleans' <c>Watchdog.Start</c> (Orleans.Runtime 10.4.2, src/Orleans.Runtime/Silo/Watchdog.cs) starts its platform
    /// thread before it sets the component check's timestamp. When that thread runs first, which a busy machine makes
    /// likely, its first check measures from timestamp 0 and warns that the participant check "has not completed" for
    /// as long as the machine has been up (00:56:08 on a silo started a second before). No stall can be longer than the
    /// process has lived, so such a warning is this race and is dropped; a stall shorter than that is real and kept.
    /// </summary>
    public static bool IsWatchdogStartRace(LogEvent logEvent) =>
        logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var source)
        && source is ScalarValue { Value: Watchdog }
        && logEvent.MessageTemplate.Text.StartsWith(ParticipantCheckStalled, StringComparison.Ordinal)
        && logEvent.Properties.TryGetValue("TimeSinceLastTick", out var duration)
        && duration is ScalarValue { Value: TimeSpan stalled }
        && stalled > DateTimeOffset.Now - ProcessStarted;

    /// <summary>
    /// Why an Orleans event's exception says only that a peer (a silo or a client) cannot be reached: refused, reset
    /// or unreachable connections, and probes that timed out; null for any other exception. The innermost such
    /// cause is given, on one line.
    /// </summary>
    public static string? PeerFailure(string sourceContext, Exception? exception)
    {
        string? reason = null;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            bool peerGone = e switch
            {
                SocketException s => s.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset
                    or SocketError.ConnectionAborted or SocketError.HostUnreachable or SocketError.NetworkUnreachable
                    or SocketError.HostDown or SocketError.NetworkDown or SocketError.TimedOut,
                // Orleans' and ASP.NET's connection exceptions, known by name: their assemblies are Orleans' own.
                _ when e.GetType().Name is "SocketConnectionException" or "ConnectionFailedException" or "ConnectionResetException"
                    or "ConnectionAbortedException" => true,
                _ when e.GetType().Name == "OrleansMessageRejectionException" => e.Message.Contains("ConnectionFailedException", StringComparison.Ordinal),
                // A probe that timed out is the membership protocol at work on a peer that does not answer.
                TimeoutException or OperationCanceledException => sourceContext.StartsWith("Orleans.Runtime.MembershipService", StringComparison.Ordinal),
                _ => false,
            };
            if (!peerGone)
            {
                continue;
            }
            reason = Innermost(e.Message);
        }
        return reason;
    }

    /// <summary>
    /// The innermost cause a message tells of. A message rejection embeds its cause whole, stack and inner exceptions
    /// included: "Exception while sending message: …ConnectionFailedException: Unable to connect to endpoint S…. See
    /// InnerException\n ---> …SocketConnectionException: Unable to connect to 127.0.0.1:11111. Error: ConnectionRefused".
    /// </summary>
    private static string Innermost(string message)
    {
        var lines = message.Split('\n');
        string cause = lines.Where(l => l.TrimStart().StartsWith("--->", StringComparison.Ordinal)).LastOrDefault() ?? lines[0];
        cause = cause.Trim().TrimStart('-', '>', ' ');
        int text = cause.LastIndexOf("Exception: ", StringComparison.Ordinal);
        return text >= 0 ? cause[(text + "Exception: ".Length)..] : cause;
    }
}

/// <summary>
/// Wraps the log's sinks. A peer that died (kill -9, a cut link) makes Orleans log every failed connection attempt,
/// probe and directory update with its whole stack trace, about 400 lines on a surviving silo before the peer is
/// declared dead. Such an event (<see cref="OrleansLogRules.PeerFailure"/>) is written here as its own message with
/// the failure's reason in place of the trace, at Warning at most (a dead peer is not this silo's error), and each
/// message at most once per <see cref="Window"/>, saying how many were folded into it. Everything else passes whole.
/// </summary>
internal sealed class PeerFailureSink(ILogEventSink inner) : ILogEventSink
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    private static readonly MessageTemplateParser Parser = new();
    private readonly ConcurrentDictionary<string, MessageTemplate> _templates = new();
    private readonly Dictionary<string, (DateTimeOffset Shown, int Folded)> _recent = [];

    public void Emit(LogEvent logEvent)
    {
        string source = logEvent.Properties.TryGetValue(Constants.SourceContextPropertyName, out var value) && value is ScalarValue { Value: string s } ? s : "";
        if (logEvent.Exception is null || !source.StartsWith("Orleans", StringComparison.Ordinal)
            || OrleansLogRules.PeerFailure(source, logEvent.Exception) is not { } reason)
        {
            inner.Emit(logEvent);
            return;
        }
        string key = source + "\n" + logEvent.MessageTemplate.Text;
        int folded;
        lock (_recent)
        {
            if (_recent.TryGetValue(key, out var recent) && logEvent.Timestamp - recent.Shown < Window)
            {
                _recent[key] = recent with { Folded = recent.Folded + 1 };
                return;
            }
            folded = _recent.TryGetValue(key, out recent) ? recent.Folded : 0;
            _recent[key] = (logEvent.Timestamp, 0);
        }
        var template = _templates.GetOrAdd(logEvent.MessageTemplate.Text, text => Parser.Parse(text + " ({PeerFailure})"));
        var properties = logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value))
            .Append(new LogEventProperty("PeerFailure", new ScalarValue(folded == 0 ? reason : $"{reason}; {folded} more like it since the last shown")));
        var level = logEvent.Level > LogEventLevel.Warning ? LogEventLevel.Warning : logEvent.Level;
        inner.Emit(new LogEvent(logEvent.Timestamp, level, exception: null, template, properties, logEvent.TraceId ?? default, logEvent.SpanId ?? default));
    }
}
