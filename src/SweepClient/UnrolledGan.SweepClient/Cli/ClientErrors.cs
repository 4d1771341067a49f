namespace UnrolledGan.SweepClient.Cli;

/// <summary>Where the client keeps the details of a fault it reported in one line: its user's state folder, not the screen.</summary>
internal static class ClientErrors
{
    /// <summary>$XDG_STATE_HOME/unrolledgan/logs, else ~/.local/state/unrolledgan/logs.</summary>
    public static string Folder
    {
        get
        {
            string state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
            return Path.Combine(state, "unrolledgan", "logs");
        }
    }

    /// <summary>Appends the exception with its stack trace; returns the file.</summary>
    public static string Record(Exception e)
    {
        string file = Path.Combine(Folder, "client-errors.log");
        try
        {
            Directory.CreateDirectory(Folder);
            File.AppendAllText(file, $"{DateTimeOffset.UtcNow:O} {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}\n{e}\n\n");
        }
        catch (Exception write) when (write is IOException or UnauthorizedAccessException)
        {
            return $"not kept: {write.Message}";
        }
        return file;
    }
}
