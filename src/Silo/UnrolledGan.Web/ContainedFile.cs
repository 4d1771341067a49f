using System.Runtime.InteropServices;
using System.Text;

namespace UnrolledGan.Web;

/// <summary>
/// Opens a results file only if it really lies in its folder. A path that is right as text can still lead elsewhere
/// through a symbolic link (a job's folder, or a file in it, linked to /etc); so the file is opened first and the
/// kernel is asked what it opened (/proc/self/fd), with every link followed. A link swapped in after a check cannot
/// change that answer.
/// </summary>
internal static class ContainedFile
{
    /// <summary>
    /// The file <paramref name="name"/> directly inside <paramref name="folder"/> (a real path: see <see cref="RealPath"/>),
    /// open for reading; null if it does not exist, is not a file, or resolves anywhere else.
    /// </summary>
    public static FileStream? Open(string folder, string name)
    {
        string expected = Path.Combine(folder, name);
        FileStream stream;
        try
        {
            stream = new FileStream(expected, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (new FileInfo($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}").LinkTarget == expected)
        {
            return stream;
        }
        stream.Dispose();
        return null;
    }

    /// <summary>The absolute path with every link in it followed (realpath(3)); null when some part does not exist.</summary>
    public static string? RealPath(string path)
    {
        // PATH_MAX on Linux, the size realpath(3) writes into.
        var resolved = new byte[4096];
        return Realpath(path, resolved) == IntPtr.Zero ? null : Encoding.UTF8.GetString(resolved, 0, Array.IndexOf(resolved, (byte)0));
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr Realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] resolved);
}
