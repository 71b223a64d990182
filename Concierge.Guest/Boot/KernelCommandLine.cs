using System.Globalization;
using Concierge.Guest.Config;

namespace Concierge.Guest.Boot;

/// <summary>
/// The init's kernel arguments (/proc/cmdline), all prefixed "concierge.":
/// rootfs= (a block device to mount as the container's disk, e.g. /dev/vda),
/// rootfstype= (default ext4), rootfs_mount= (default /mnt/rootfs), heartbeat_ms=,
/// host= (vsock:2:7777 by default, or "none"), config= (default /etc/concierge/init.json),
/// hostname=. Unknown words are the kernel's or other programs' and are ignored.
/// </summary>
internal sealed record KernelCommandLine
{
    public string? RootFsDevice { get; init; }

    public string RootFsType { get; init; } = "ext4";

    public string RootFsMountPoint { get; init; } = "/mnt/rootfs";

    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    public string HostLink { get; init; } = "vsock:2:7777";

    public string ConfigPath { get; init; } = "/etc/concierge/init.json";

    public string? Hostname { get; init; }

    public static KernelCommandLine Parse(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var result = new KernelCommandLine();
        foreach (var word in commandLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = word.IndexOf('=', StringComparison.Ordinal);
            if (!word.StartsWith("concierge.", StringComparison.Ordinal) || equals < 0)
            {
                continue;
            }
            var value = word[(equals + 1)..];
            result = word[10..equals] switch
            {
                "rootfs" => result with { RootFsDevice = value },
                "rootfstype" => result with { RootFsType = value },
                "rootfs_mount" => result with { RootFsMountPoint = value },
                "heartbeat_ms" => result with { HeartbeatInterval = TimeSpan.FromMilliseconds(ParseMilliseconds(value)) },
                "host" => result with { HostLink = value },
                "config" => result with { ConfigPath = value },
                "hostname" => result with { Hostname = value },
                _ => result,
            };
        }
        return result;
    }

    private static int ParseMilliseconds(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is >= 10 and <= 3_600_000
            ? ms
            : throw new ConfigException($"concierge.heartbeat_ms={value} is not a number of milliseconds between 10 and 3600000");
}
