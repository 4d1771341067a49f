namespace UnrolledGan.Grains.Workers;

/// <summary>
/// Reads lines of at most a given length. A longer line is skipped to its end without being held in memory, and
/// reported as too long, so a trainer that writes one huge line cannot swell its silo.
/// </summary>
internal sealed class BoundedLineReader(TextReader reader, int maxLength)
{
    private readonly char[] _buffer = new char[8192];
    private int _start;
    private int _end;

    /// <summary>The next line, or (null, false) at the end of the stream; a line over the limit comes back as (null, true).</summary>
    public async Task<(string? Line, bool TooLong)> ReadLineAsync(CancellationToken cancellation = default)
    {
        var line = new System.Text.StringBuilder();
        bool tooLong = false;
        while (true)
        {
            if (_start == _end)
            {
                _start = 0;
                _end = await reader.ReadAsync(_buffer.AsMemory(), cancellation);
                if (_end == 0)
                {
                    return tooLong ? (null, true) : line.Length > 0 ? (line.ToString(), false) : (null, false);
                }
            }
            int newline = Array.IndexOf(_buffer, '\n', _start, _end - _start);
            int take = (newline < 0 ? _end : newline) - _start;
            if (!tooLong && line.Length + take > maxLength)
            {
                tooLong = true;
                line.Clear();
            }
            if (!tooLong)
            {
                line.Append(_buffer, _start, take);
            }
            _start += take;
            if (newline >= 0)
            {
                _start++;
                return tooLong ? (null, true) : (line.ToString().TrimEnd('\r'), false);
            }
        }
    }
}
