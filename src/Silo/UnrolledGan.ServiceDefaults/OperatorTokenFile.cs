using System.Security.Cryptography;
using System.Text;

namespace UnrolledGan.ServiceDefaults;

/// <summary>
/// Where a silo without a configured Access:Token keeps the operator token it made at start, for the user who started
/// it: one file per web port in $XDG_RUNTIME_DIR/unrolledgan (else $XDG_STATE_HOME/unrolledgan, else
/// ~/.local/state/unrolledgan), the folder 0700 and the file 0600 from their first byte. The silo writes it; the sweep
/// client's `open` reads it for the port it was given. Another user of the machine cannot read it, so cannot act.
/// </summary>
public static class OperatorTokenFile
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The folder, or null when this user has neither a runtime nor a home folder.</summary>
    public static string? Folder
    {
        get
        {
            if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && Path.IsPathRooted(runtime))
            {
                return Path.Combine(runtime, "unrolledgan");
            }
            if (Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } state && Path.IsPathRooted(state))
            {
                return Path.Combine(state, "unrolledgan");
            }
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.IsPathRooted(home) ? Path.Combine(home, ".local", "state", "unrolledgan") : null;
        }
    }

    /// <summary>The file for a web port, or null without a folder.</summary>
    public static string? PathFor(int port) => Folder is { } folder ? Path.Combine(folder, $"web-{port}.token") : null;

    /// <summary>A new random token: 32 bytes, base64url.</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// Writes the token for the port, replacing any earlier silo's: into a new randomly named file created 0600 and
    /// exclusively (so never through a planted link), then renamed over the old one. Returns the file.
    /// </summary>
    public static string Write(int port, string token)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("file modes are Unix's; give Access:Token instead");
        }
        string folder = Folder ?? throw new IOException("neither $XDG_RUNTIME_DIR nor a home folder is set");
        Directory.CreateDirectory(folder, OwnerOnlyFolder);
        var info = new DirectoryInfo(folder);
        if (info.LinkTarget is not null)
        {
            throw new IOException($"{folder} is a symbolic link");
        }
        if ((info.UnixFileMode & ~OwnerOnlyFolder) != 0)
        {
            File.SetUnixFileMode(folder, OwnerOnlyFolder);
        }
        string path = PathFor(port)!;
        string temporary = Path.Combine(folder, $".web-{port}.{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = OwnerOnlyFile,
            }))
            {
                stream.Write(Encoding.UTF8.GetBytes(token + "\n"));
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
        return path;
    }

    /// <summary>The token in a file such as this one (its first line), or null when there is none.</summary>
    public static string? Read(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim() is { Length: > 0 } token ? token : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes the port's file if it still holds this token (a later silo on the port may have replaced it).</summary>
    public static void Delete(int port, string token)
    {
        if (PathFor(port) is { } path && Read(path) == token)
        {
            File.Delete(path);
        }
    }
}
