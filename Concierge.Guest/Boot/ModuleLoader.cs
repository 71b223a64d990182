using Concierge.Guest.Native;

namespace Concierge.Guest.Boot;

/// <summary>
/// Loads the kernel modules packed into the initramfs. guest/build.sh resolves their
/// dependencies (from each module's depends= modinfo string) and writes the paths in load
/// order, one per line, to <see cref="ListPath"/>; this reads that list and calls
/// finit_module for each. A module already present (EEXIST) is fine; a failure is logged and
/// the boot goes on, since the module may be built into the kernel or not needed.
/// </summary>
internal static class ModuleLoader
{
    public const string ListPath = "/lib/modules/concierge.load";

    /// <summary>Loads every listed module; returns how many loaded or were already there.</summary>
    public static int LoadAll(string listPath = ListPath)
    {
        if (!File.Exists(listPath))
        {
            Log.Info($"no module list at {listPath}; loading no modules");
            return 0;
        }
        var loaded = 0;
        foreach (var line in File.ReadLines(listPath).Take(1000))
        {
            var path = line.Trim();
            if (path.Length == 0 || path.StartsWith('#'))
            {
                continue;
            }
            try
            {
                using var module = File.OpenHandle(path);
                NativeCallException.ThrowIfFailed(Libc.FinitModule(module, ""), $"load module {path}");
                loaded++;
            }
            catch (NativeCallException e) when (e.Errno == Errno.EEXIST)
            {
                loaded++;
            }
            catch (Exception e) when (e is NativeCallException or IOException or UnauthorizedAccessException)
            {
                Log.Warn(e.Message);
            }
        }
        return loaded;
    }
}
