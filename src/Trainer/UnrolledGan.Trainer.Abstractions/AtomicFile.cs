namespace UnrolledGan.Trainer;

/// <summary>Writes whole files or nothing: a reader never sees a half-written result, config or checkpoint.</summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, byte[] bytes) =>
        Replace(path, temporary => File.WriteAllBytes(temporary, bytes));

    public static void WriteAllText(string path, string text) =>
        Replace(path, temporary => File.WriteAllText(temporary, text));

    public static void Write(string path, Action<Stream> write) =>
        Replace(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
            write(stream);
            stream.Flush(flushToDisk: true);
        });

    private static void Replace(string path, Action<string> writeTemporary)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            writeTemporary(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
