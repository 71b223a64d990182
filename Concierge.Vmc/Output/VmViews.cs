using System.Globalization;
using System.Text;
using Concierge.Client;

namespace Concierge.Vmc.Output;

/// <summary>VMs and disks as people read them.</summary>
internal static class VmViews
{
    public static string List(IEnumerable<VmDetails> vms, DateTimeOffset now)
    {
        var table = new Table("NAME", "STATE", "HEALTH", "CID>", "VCPUS>", "MEMORY>", "UPTIME>");
        foreach (var vm in vms.OrderBy(vm => vm.Name, StringComparer.Ordinal))
        {
            var active = vm.State is not (VmState.Stopped or VmState.Failed or VmState.Unknown);
            table.Add(
                vm.Name,
                Humanize.Word(vm.State),
                active ? Humanize.Word(vm.Health) : "-",
                active && vm.Cid > 0 ? vm.Cid.ToString(CultureInfo.InvariantCulture) : "-",
                vm.Vcpus.ToString(CultureInfo.InvariantCulture),
                Humanize.MiB(vm.MemoryMiB),
                Humanize.Duration(vm.UptimeAt(now)));
        }
        return table.ToString();
    }

    public static string Info(VmDetails vm, DateTimeOffset now)
    {
        var lines = new List<(string Key, string Value)>
        {
            ("Name", vm.Name),
            ("Owner", vm.OwnerId),
            ("State", Humanize.Word(vm.State)),
            ("Health", Humanize.Word(vm.Health)),
            ("CID", vm.Cid > 0 ? vm.Cid.ToString(CultureInfo.InvariantCulture) : "-"),
            ("vCPUs", vm.Vcpus.ToString(CultureInfo.InvariantCulture)),
            ("Memory", Humanize.MiB(vm.MemoryMiB)),
            ("Started", Time(vm.StartedAt)),
            ("Uptime", Humanize.Duration(vm.UptimeAt(now))),
            ("Boot time", vm.BootDuration is { } boot ? Humanize.Seconds(boot) : "-"),
            ("Last heartbeat", vm.LastHeartbeatAt is { } beat ? $"{Humanize.Duration(now - beat)} ago" : "-"),
            ("Missed beats", vm.HeartbeatsMissed.ToString(CultureInfo.InvariantCulture)),
            ("Kernel", vm.KernelVersion ?? "-"),
            ("Restarts", vm.RestartCount.ToString(CultureInfo.InvariantCulture)),
        };
        if (vm.Guest is { } guest)
        {
            // The guest's own word, from its last heartbeat.
            lines.Add(("Guest uptime", Humanize.Duration(guest.Uptime)));
            lines.Add(("Guest load", string.Create(CultureInfo.InvariantCulture, $"{guest.Load1:0.00} {guest.Load5:0.00} {guest.Load15:0.00}")));
            lines.Add(("Guest memory", $"{Humanize.Bytes(guest.MemoryAvailableBytes)} available of {Humanize.Bytes(guest.MemoryTotalBytes)}"));
        }
        if (vm.StopReason is { } reason)
        {
            lines.Add(("Stop reason", reason));
        }
        if (vm.FailureReason is { } failure)
        {
            lines.Add(("Failure", failure));
        }
        var width = lines.Max(line => line.Key.Length) + 1;
        var text = new StringBuilder();
        foreach (var (key, value) in lines)
        {
            text.Append((key + ":").PadRight(width + 1)).Append(value).Append('\n');
        }
        return text.ToString();
    }

    public static string Disks(IEnumerable<DiskImageDetails> disks)
    {
        var table = new Table("NAME", "SIZE>", "PATH");
        ulong total = 0;
        foreach (var disk in disks.OrderBy(disk => disk.Name, StringComparer.Ordinal))
        {
            table.Add(disk.Name, Humanize.Bytes(disk.SizeBytes), disk.Path);
            total += disk.SizeBytes;
        }
        return table + $"Total: {Humanize.Bytes(total)}\n";
    }

    private static string Time(DateTimeOffset? at) =>
        at?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture) ?? "-";
}
