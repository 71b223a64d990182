using Concierge.Guest.Config;
using Concierge.Guest.Native;

namespace Concierge.Guest.Container;

/// <summary>Resource limit names (as prlimit(1) spells them) and setting them (sys/resource.h).</summary>
internal static class ResourceLimits
{
    private static readonly Dictionary<string, int> Resources = new(StringComparer.OrdinalIgnoreCase)
    {
        ["cpu"] = 0, ["fsize"] = 1, ["data"] = 2, ["stack"] = 3, ["core"] = 4, ["rss"] = 5,
        ["nproc"] = 6, ["nofile"] = 7, ["memlock"] = 8, ["as"] = 9, ["locks"] = 10,
        ["sigpending"] = 11, ["msgqueue"] = 12, ["nice"] = 13, ["rtprio"] = 14, ["rttime"] = 15,
    };

    /// <summary>The RLIMIT_* number of a name.</summary>
    public static int Parse(string name) =>
        Resources.TryGetValue(name, out var resource) ? resource : throw new ConfigException($"unknown rlimit '{name}'");

    /// <summary>Sets every configured limit on this process (inherited across exec).</summary>
    public static void Apply(IEnumerable<RLimitConfig> limits)
    {
        foreach (var limit in limits)
        {
            var value = new Libc.RLimit { Current = limit.Soft, Maximum = limit.Hard };
            NativeCallException.ThrowIfFailed(Libc.Setrlimit(Parse(limit.Resource), value), $"set rlimit {limit.Resource}");
        }
    }
}
