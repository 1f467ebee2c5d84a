using System.Diagnostics;

namespace MultiCodex.Tests.Infrastructure;

/// <summary>
/// Real storage faults for tests, made by the operating system, not by a stand-in for our store. As root (where
/// permission bits stop nothing) a path is made immutable with <c>chattr +i</c>: an immutable folder takes no new
/// file, an immutable file cannot be replaced. Otherwise the folder's write permission is removed (0500), which
/// stops both. Disposing undoes it.
/// </summary>
public sealed class FileSystemFaults : IDisposable
{
    private readonly Action _undo;

    private FileSystemFaults(Action undo) => _undo = undo;

    /// <summary>Makes <paramref name="folder"/> refuse new files (and so every atomic write into it).</summary>
    public static FileSystemFaults ReadOnlyFolder(string folder) => Environment.IsPrivilegedProcess
        ? Chattr(folder)
        : Chmod(folder);

    /// <summary>Makes <paramref name="file"/> impossible to replace; the rest of its folder stays writable (as root).</summary>
    public static FileSystemFaults ImmutableFile(string file) => Environment.IsPrivilegedProcess
        ? Chattr(file)
        : Chmod(Path.GetDirectoryName(file)!);

    public void Dispose() => _undo();

    private static FileSystemFaults Chattr(string path)
    {
        Run("chattr", "+i", path);
        return new FileSystemFaults(() => Run("chattr", "-i", path));
    }

    private static FileSystemFaults Chmod(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("These faults are made with Unix permissions.");
        }
        var mode = File.GetUnixFileMode(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return new FileSystemFaults(() =>
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, mode);
            }
        });
    }

    private static void Run(string command, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit(10_000);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', args)} failed ({process.ExitCode}): {error}. " +
                "Storage-fault tests need chattr on a file system that supports it (ext4, xfs, btrfs) when run as root.");
        }
    }
}
